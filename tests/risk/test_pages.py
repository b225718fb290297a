"""The list "Elever med risikotegn", the card on My overview and the rules' admin page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, RiskRule, RiskRuleCode, Role
from tests import factories
from tests.conftest import login as _login
from tests.conftest import post
from tests.risk.helpers import absent, extended, in_training, make_case


@pytest.fixture
def case(db):
    return make_case()


def login(client, user):
    db.session.commit()
    post(client, "/logout")
    _login(client, user)


def test_the_list_shows_each_student_with_the_reasons_in_words(client, case):
    s, p = in_training(case, "Fravaersen")
    absent(p, 7)  # 7 / 28 = 25 %
    factories.warning(p, case.supervisor)
    in_training(case, "Fintsen")
    login(client, case.teacher)
    html = client.get("/students/at-risk").text
    assert "Fravaersen" in html and "Fintsen" not in html
    assert "25 %" in html
    assert f'href="/students/{s.id}"' in html


def test_my_students_links_to_the_list_for_those_who_may_open_it(client, case, world):
    login(client, case.teacher)
    assert 'href="/students/at-risk"' in client.get("/students/").text
    login(client, world.user(Role.SUPERVISOR))
    assert 'href="/students/at-risk"' not in client.get("/students/").text


def test_the_list_filters_by_reason_and_to_my_own_students(client, case):
    _, pa = in_training(case, "Fravaer")
    absent(pa, 7)
    b, _ = in_training(case, "Forlaenget")
    extended(b, 2)
    b.contact_teacher_id = case.teacher.id
    login(client, case.teacher)
    html = client.get("/students/at-risk?reason=absence").text
    assert "Fravaer" in html and "Forlaenget" not in html
    html = client.get("/students/at-risk?mine=y").text
    assert "Forlaenget" in html and "Fravaer<" not in html
    # A reason that is no rule shows every reason; a bad page number the first page.
    assert client.get("/students/at-risk?reason=%3Cscript%3E&page=x").status_code == 200


def test_other_schools_students_are_not_listed(client, case):
    other_school = factories.organisation(name="Anden skole")
    s = factories.student(other_school, last_name="Fremmed")
    extended(s, 3)
    login(client, case.counsellor)
    assert "Fremmed" not in client.get("/students/at-risk").text


def test_the_list_runs_the_same_number_of_queries_for_many_students(client, case, count_queries):
    def add(n):
        for i in range(n):
            s, p = in_training(case, f"Elev{i:03d}x{n}")
            absent(p, 7)
            extended(s, 2)
            factories.warning(p, case.supervisor)

    add(1)
    login(client, case.counsellor)
    with count_queries() as small:
        assert client.get("/students/at-risk").status_code == 200
    add(30)
    db.session.commit()
    with count_queries() as large:
        html = client.get("/students/at-risk").text
    assert large.count == small.count
    assert large.count <= 12
    assert "31 students" in html or "31 elever" in html


def test_the_student_page_runs_one_statement_for_the_signals(client, case, count_queries):
    s, p = in_training(case, "Enkelt")
    login(client, case.counsellor)
    client.get(f"/students/{s.id}")  # the first request after login does more
    db.session.commit()
    with count_queries() as quiet:
        client.get(f"/students/{s.id}")
    absent(p, 7)
    extended(s, 2)
    factories.warning(p, case.supervisor)
    db.session.commit()
    with count_queries() as loud:
        html = client.get(f"/students/{s.id}").text
    assert 'data-testid="risk-signals"' in html
    # The signals cost no statement more (the rules are one statement either way).
    assert loud.count <= quiet.count


def test_my_overview_has_a_card_for_the_list_roles_only(client, case):
    _, p = in_training(case, "Kortet")
    factories.warning(p, case.supervisor)
    login(client, case.counsellor)
    html = client.get("/my-overview").text
    assert 'data-testid="part-at_risk"' in html and "Kortet" in html
    login(client, case.supervisor)
    assert 'data-testid="part-at_risk"' not in client.get("/my-overview").text


# --- the rules' admin page ----------------------------------------------------------------


@pytest.fixture
def admin(case):
    return factories.user(Role.SYSTEM_ADMIN, email="system.risiko@example.org")


def test_the_admin_changes_a_threshold_and_the_change_is_attributed(client, case, admin):
    _, p = in_training(case, "Graense")
    absent(p, 5)  # 17 %
    login(client, admin)
    page = client.get("/admin/risk-rules/absence/edit").text
    assert 'value="15"' in page
    response = post(
        client,
        "/admin/risk-rules/absence/edit",
        {"active": "y", "threshold": "20", "window_days": "28", "description": "Højere grænse"},
    )
    assert response.status_code == 302
    rule = db.session.execute(select(RiskRule).where(RiskRule.code == "absence")).scalar_one()
    assert (rule.threshold, rule.updated_by_id) == (20, admin.id)
    assert db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "risk_rule", AuditEvent.user_id == admin.id
        )
    ).scalar_one()
    assert admin.name in client.get("/admin/risk-rules").text
    login(client, case.counsellor)
    assert "Graense" not in client.get("/students/at-risk").text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"threshold": "abc"}, "threshold", "helt tal"),
        ({"threshold": ""}, "threshold", "Indtast en tærskel"),
        ({"threshold": "-1"}, "threshold", "mellem"),
        ({"threshold": "5000"}, "threshold", "mellem"),
        ({"window_days": ""}, "window_days", "tidsrummet"),
        ({"window_days": "1000"}, "window_days", "mellem"),
        ({"description": ""}, "description", ""),
        ({"description": "<b>x</b>"}, "description", ""),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_kept(
    client, case, admin, data, field, message
):
    login(client, admin)
    values = {"active": "y", "threshold": "15", "window_days": "28", "description": "Grund"}
    values.update(data)
    response = post(client, "/admin/risk-rules/absence/edit", values)
    assert response.status_code == 200
    html = response.text
    assert f'id="{field}-error"' in html or f"{field}-error" in html
    assert message in html
    assert db.session.execute(select(RiskRule)).first() is None


def test_a_rule_without_a_window_ignores_one(client, case, admin):
    login(client, admin)
    post(
        client,
        "/admin/risk-rules/open_warning/edit",
        {"threshold": "2", "window_days": "30", "description": "To varslinger"},
    )
    rule = db.session.execute(
        select(RiskRule).where(RiskRule.code == RiskRuleCode.OPEN_WARNING)
    ).scalar_one()
    assert (rule.active, rule.threshold, rule.window_days) == (False, 2, None)


def test_an_unknown_rule_is_404(client, case, admin):
    login(client, admin)
    assert client.get("/admin/risk-rules/nonsense/edit").status_code == 404
