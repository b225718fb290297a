"""The student's evaluation of the training place: answered once near the end of the period,
never shown one by one, and seen by the partnership only as suppressed counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import CaseEvent, CaseEventKind, Period, PlaceEvaluation, Role
from tests import factories
from tests.conftest import login, post

ANSWERS = {"welcomed": "5", "supervision": "4", "learning": "2", "heard": "3"}


def _url(period) -> str:
    return f"/me/periods/{period.id}/evaluation"


def _ending_soon(world, db):
    period = world.a.training_period
    period.end_date = date.today() + timedelta(days=5)
    db.session.commit()
    return period


def test_the_student_evaluates_once_and_the_history_says_only_that(client, world, db):
    period = _ending_soon(world, db)
    login(client, world.a.users[Role.STUDENT])
    plan = client.get("/me/").get_data(as_text=True)
    assert f'data-testid="evaluate-{period.id}"' in plan
    response = post(client, _url(period), ANSWERS, follow_redirects=True)
    assert "Tak. Din evaluering er gemt." in response.get_data(as_text=True)
    saved = db.session.execute(select(PlaceEvaluation)).scalar_one()
    assert (saved.welcomed, saved.supervision, saved.learning, saved.heard) == (5, 4, 2, 3)
    assert saved.employer_id == world.a.municipality.id
    line = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.PLACE_EVALUATED)
    ).scalar_one()
    assert line.details == {}  # never the answers
    assert f'data-testid="evaluate-{period.id}"' not in client.get("/me/").get_data(as_text=True)
    again = post(client, _url(period), {**ANSWERS, "learning": "5"})
    assert again.status_code == 200
    assert db.session.execute(select(PlaceEvaluation.learning)).scalar_one() == 2


def test_a_missing_answer_is_named_by_its_statement_and_the_others_are_kept(client, world, db):
    period = _ending_soon(world, db)
    login(client, world.a.users[Role.STUDENT])
    page = post(client, _url(period), {"welcomed": "5", "supervision": "9"}).get_data(as_text=True)
    assert page.count("Vælg et svar.") >= 2  # learning and heard
    assert re.search(r'id="welcomed-5"[^>]*checked', page)
    assert db.session.execute(select(func.count(PlaceEvaluation.id))).scalar_one() == 0


def test_not_before_the_end_of_the_period_draws_near(client, world, db):
    period = world.a.training_period
    period.end_date = date.today() + timedelta(days=60)
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    page = client.get(_url(period)).get_data(as_text=True)
    assert 'data-testid="evaluation-closed"' in page
    post(client, _url(period), ANSWERS)
    assert db.session.execute(select(func.count(PlaceEvaluation.id))).scalar_one() == 0


def test_another_students_period_is_404(client, world, db):
    login(client, world.a.users[Role.STUDENT])
    assert client.get(_url(world.b.training_period)).status_code == 404


def _evaluations(side, db, answers: list[int]) -> None:
    """One evaluation per answer (the same answer to every statement), each by a student of
    its own with a training period at the side's workplace."""
    for n, answer in enumerate(answers):
        s = factories.student(
            side.school,
            last_name=f"Evaluerer{n}",
            employer=side.municipality,
            training_at=side.workplace,
        )
        s_period = db.session.execute(select(Period).where(Period.student_id == s.id)).scalar_one()
        db.session.add(
            PlaceEvaluation(
                period_id=s_period.id,
                student_id=s.id,
                employer_id=side.municipality.id,
                answered_on=date.today(),
                welcomed=answer,
                supervision=answer,
                learning=answer,
                heard=answer,
            )
        )
    db.session.commit()


def _table(client, partnership_id, question="welcomed") -> str:
    page = client.get(f"/partnership/{partnership_id}/place-evaluations").get_data(as_text=True)
    start = page.index(f'data-testid="evaluation-{question}"')
    return page[start : page.index("</table>", start)]


def test_the_partnership_sees_only_suppressed_counts(client, world, db):
    side = world.a
    _evaluations(side, db, [5, 5, 4, 4, 5, 4, 1])  # 6 agree, 1 disagree
    login(client, side.users[Role.PARTNERSHIP_COORDINATOR])
    row = _table(client, side.partnership.id)
    row = row[row.index(f'data-testid="row-{side.municipality.id}"') :]
    answers = re.search(r'data-testid="answers">([^<]*)<', row).group(1)
    assert answers == "7"
    disagree = re.search(r'data-testid="disagree">(.*?)</td>', row).group(1)
    agree = re.search(r'data-testid="agree">(.*?)</td>', row).group(1)
    # 1 is hidden, and so is 6, which would give it away (7 - 6 = 1).
    assert "data-hidden" in disagree and "data-hidden" in agree
    assert "Evaluerer" not in client.get(
        f"/partnership/{side.partnership.id}/place-evaluations"
    ).get_data(as_text=True)


def test_fewer_than_five_answers_show_nothing(client, world, db):
    side = world.a
    _evaluations(side, db, [5, 5, 4, 2])
    login(client, side.users[Role.PARTNERSHIP_COORDINATOR])
    table = _table(client, side.partnership.id, "heard")
    shown = re.findall(r'data-testid="(?:agree|neutral|disagree|answers)">(\d+)', table)
    assert all(value == "0" for value in shown)  # zeros may show; 1 to 4 never
    assert "data-hidden" in table


def test_a_partnership_user_of_another_partnership_gets_404(client, world):
    login(client, world.b.users[Role.PARTNERSHIP_COORDINATOR])
    response = client.get(f"/partnership/{world.a.partnership.id}/place-evaluations")
    assert response.status_code == 404
