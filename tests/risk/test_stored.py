"""The list and My overview read the signals the nightly refresh stored, where they are what the
viewer's own evaluation would find today (app.risk.queries): what a user sees is the same
before and after the refresh, and a change made after it shows at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.history import log
from app.models import (
    Absence,
    CaseEventKind,
    ConsentCategory,
    MeasureType,
    RiskFlag,
    RiskRuleCode,
    Role,
)
from app.risk.rules import from_stored, stored
from app.risk.services import refresh
from tests import factories
from tests.conftest import login as _login
from tests.conftest import post
from tests.risk.helpers import (
    TODAY,
    absent,
    extended,
    goals_below,
    in_training,
    later_elsewhere,
    make_case,
    signals_block,
)


@pytest.fixture
def case(db):
    return make_case()


@pytest.fixture
def admin(case):
    return factories.user(Role.SYSTEM_ADMIN, email="system.risiko@example.org")


def login(client, user):
    db.session.commit()
    post(client, "/logout")
    _login(client, user)


def _rows(html: str) -> list[str]:
    """The list's rows and its total, as the user reads them."""
    rows = re.findall(r'data-testid="risk-student-\d+".*?</tr>', html, re.S)
    total = re.search(r'data-testid="risk-total">([^<]*)', html).group(1).strip()
    return [total, *rows]


def _refreshed():
    refresh(TODAY)
    db.session.commit()


def _mixed(case):
    """Students with each kind of training signal, one with support only, one with nothing."""
    a, pa = in_training(case, "Fravaer")
    absent(pa, 7)
    b, pb = in_training(case, "Varslet")
    factories.warning(pb, case.supervisor)
    extended(b, 2)
    c, pc = in_training(case, "Midtvejs")
    goals_below(c, pc, 3)
    d, _ = in_training(case, "Stoette")
    need = factories.support_need(d, "dyslexia", case.counsellor)
    factories.support_measure(
        d, MeasureType.MENTOR, case.counsellor, need=need, follow_up=TODAY - timedelta(days=5)
    )
    in_training(case, "Rolig")
    return a, pa


def test_the_signals_are_stored_as_they_were_found():
    from app.models import PeriodKind
    from app.risk.rules import Signal

    signals = [
        Signal(RiskRuleCode.ABSENCE, 25, on=TODAY, window_days=28),
        Signal(
            RiskRuleCode.TRANSITION,
            -3,
            on=TODAY,
            period="Oplæring 2",
            period_kind=PeriodKind.TRAINING,
            missing=True,
        ),
        Signal(RiskRuleCode.OPEN_WARNING, 1),
    ]
    assert from_stored(stored(signals)) == signals


@pytest.mark.parametrize("role", ["counsellor", "teacher", "coordinator"])
def test_the_list_is_the_same_before_and_after_the_refresh(client, case, role):
    _mixed(case)
    login(client, getattr(case, role))
    before = {q: _rows(client.get("/students/at-risk" + q).text) for q in ("", "?reason=absence")}
    overview_before = client.get("/my-overview").text
    _refreshed()
    after = {q: _rows(client.get("/students/at-risk" + q).text) for q in ("", "?reason=absence")}
    assert after == before
    assert len(before[""]) == (5 if role != "coordinator" else 4)  # the total and the rows
    card = re.compile(r'data-testid="part-at_risk".*?</section>', re.S)
    assert card.search(client.get("/my-overview").text).group(0) == card.search(
        overview_before
    ).group(0)


def test_after_the_refresh_the_list_reads_the_stored_flags(client, case):
    _a, pa = _mixed(case)
    _refreshed()
    # Removed behind the app's back (no line in the case history): the stored flag still
    # speaks for the student, which shows that the list reads it rather than evaluating.
    db.session.execute(delete(Absence).where(Absence.period_id == pa.id))
    login(client, case.counsellor)
    assert "Fravaer" in client.get("/students/at-risk").text
    # The next refresh finds nothing for the student and clears the flag.
    _refreshed()
    assert "Fravaer" not in client.get("/students/at-risk").text


def _card(html: str) -> str:
    return re.search(r'data-testid="part-at_risk".*?</section>', html, re.S).group(0)


def test_after_the_refresh_my_overview_counts_and_names_from_the_stored_flags(client, case):
    _a, pa = _mixed(case)
    _refreshed()
    db.session.execute(delete(Absence).where(Absence.period_id == pa.id))  # behind its back
    login(client, case.counsellor)
    card = _card(client.get("/my-overview").text)
    # Four students, the first three by name: Fravaer (from its flag alone), Midtvejs, Stoette.
    assert 'data-testid="count">4<' in card, card
    assert "Fravaer" in card and "Midtvejs" in card and "Stoette" in card
    assert "Varslet" not in card and "Rolig" not in card


def test_with_a_rule_switched_off_my_overview_leaves_out_its_signals(client, case, admin):
    _mixed(case)
    login(client, admin)
    form = {"threshold": "15", "window_days": "28", "description": "Fravær."}  # not active
    assert post(client, "/admin/risk-rules/absence/edit", form).status_code == 302
    _refreshed()  # after the change: the flags are current, but not every rule is active
    login(client, case.counsellor)
    card = _card(client.get("/my-overview").text)
    assert 'data-testid="count">3<' in card, card
    assert "Fravaer" not in card and "Varslet" in card


def test_a_concern_recorded_after_the_refresh_shows_at_once(client, case):
    s, p = in_training(case, "Kvistgaard")
    _refreshed()
    login(client, case.counsellor)
    assert "Kvistgaard" not in client.get("/students/at-risk").text
    login(client, case.supervisor)
    form = {
        "on_date": TODAY.isoformat(),
        "category": "professional",
        "what_happened": "Kom for sent tre dage i træk.",
        "learned": "",
        "work_on": "",
        "concern": "y",
        "version": "",
    }
    url = f"/students/{s.id}/periods/{p.id}/experiences/new"
    assert post(client, url, form).status_code == 302
    login(client, case.counsellor)
    html = client.get("/students/at-risk?reason=concern").text
    assert "Kvistgaard" in html


def test_a_followed_up_warning_leaves_the_list_at_once(client, case):
    s, p = in_training(case, "Opfulgt")
    warning = factories.warning(p, case.supervisor)
    _refreshed()
    login(client, case.counsellor)
    assert "Opfulgt" in client.get("/students/at-risk").text
    warning.followed_up_at = warning.issued_at
    log(s, CaseEventKind.WARNING_FOLLOWED_UP, case.supervisor, target=warning)
    db.session.commit()
    assert "Opfulgt" not in client.get("/students/at-risk").text


def test_a_rule_changed_after_the_refresh_applies_at_once(client, case, admin):
    _, p = in_training(case, "Taerskel")
    absent(p, 7)  # 25 %, over the default 15 %
    _refreshed()
    login(client, admin)
    form = {"active": "y", "threshold": "50", "window_days": "28", "description": "Fravær."}
    assert post(client, "/admin/risk-rules/absence/edit", form).status_code == 302
    login(client, case.counsellor)
    assert "Taerskel" not in client.get("/students/at-risk").text


def test_a_refresh_of_another_day_is_not_read(client, case):
    _, p = in_training(case, "Igaar")
    absent(p, 7)
    refresh(TODAY - timedelta(days=1))
    db.session.commit()
    flag = db.session.execute(select(RiskFlag)).scalar_one()
    assert flag.signals  # stored, but for yesterday
    db.session.execute(delete(Absence))
    login(client, case.counsellor)
    factories.warning(p, case.supervisor)
    db.session.commit()
    # Today's evaluation, not yesterday's flags: the warning given today is listed.
    assert "Igaar" in client.get("/students/at-risk").text


def test_the_employer_side_still_sees_no_support_signal_from_the_stored_flags(client, case):
    _mixed(case)
    d = next(s for s in _students(case) if s.last_name == "Stoette")
    _refreshed()
    flag = db.session.execute(select(RiskFlag).where(RiskFlag.student_id == d.id)).scalar_one()
    assert [s.code for s in from_stored(flag.signals)] == [RiskRuleCode.FOLLOW_UP]
    login(client, case.coordinator)
    html = client.get("/students/at-risk").text
    assert "Stoette" not in html
    assert "Stoette" not in client.get("/students/at-risk?reason=follow_up").text
    # Consent given after the refresh counts at once: the support rule is always live.
    factories.consent(d, ConsentCategory.SUPPORT_NEEDS, case.municipality, case.counsellor)
    db.session.commit()
    assert "Stoette" in client.get("/students/at-risk?reason=follow_up").text


def test_a_supervisor_still_sees_only_signals_from_their_workplace(client, case):
    s, p = in_training(case, "Andetsted")
    later = later_elsewhere(case, s, p, "Hjemmeplejen Syd")
    factories.warning(later, case.counsellor)
    _refreshed()
    login(client, case.supervisor)
    html = client.get(f"/students/{s.id}").text
    assert 'data-testid="risk-open_warning"' not in html


def test_the_list_from_stored_flags_runs_the_same_number_of_queries(client, case, count_queries):
    def add(n):
        for i in range(n):
            _s, p = in_training(case, f"Elev{i:03d}x{n}")
            absent(p, 7)
            factories.warning(p, case.supervisor)

    add(1)
    _refreshed()
    login(client, case.counsellor)
    client.get("/students/at-risk")
    with count_queries() as small:
        assert client.get("/students/at-risk").status_code == 200
    add(30)
    _refreshed()
    with count_queries() as large:
        html = client.get("/students/at-risk").text
    assert large.count == small.count <= 12
    assert "31 students" in html or "31 elever" in html


def _students(case):
    from app.models import Student

    return db.session.execute(select(Student).where(Student.school_id == case.school.id)).scalars()


@pytest.mark.parametrize("role", ["counsellor", "coordinator"])
def test_the_student_page_shows_the_same_signals_from_the_flag(client, case, role):
    _mixed(case)
    students = {s.last_name: s for s in _students(case)}
    login(client, getattr(case, role))
    before = {name: signals_block(client, s) for name, s in students.items()}
    _refreshed()
    assert {name: signals_block(client, s) for name, s in students.items()} == before
    assert 'data-testid="risk-follow_up"' in before["Stoette"] or role == "coordinator"
    assert before["Stoette"] == "" or role == "counsellor"  # support only: nothing, no consent
    # Read from the flag: data removed behind the app's back still shows until the next change.
    db.session.execute(delete(Absence))
    db.session.commit()
    assert 'data-testid="risk-absence"' in signals_block(client, students["Fravaer"])


def test_a_change_to_many_students_at_once_brings_every_flag_up_to_date(case, monkeypatch):
    """An import touches thousands of students in one transaction: they are evaluated in
    batches (each rule names the students, and SQLite takes a limited number of parameters)."""
    from app.risk import services

    monkeypatch.setattr(services, "RESTORE_BATCH", 2)
    made = [in_training(case, f"Mange{i}") for i in range(5)]
    _refreshed()
    for s, p in made:
        factories.warning(p, case.supervisor)
        log(s, CaseEventKind.WARNING_GIVEN, case.supervisor)
    db.session.commit()
    flagged = db.session.execute(
        select(RiskFlag.student_id).where(RiskFlag.cleared_on.is_(None))
    ).scalars()
    assert set(flagged) == {s.id for s, _ in made}
