"""A viewer sees only signals built from data they may see. A support-based signal (an overdue
follow-up) is invisible to the employer side without the student's consent, and cannot be
inferred: the list, its counts and the student page are exactly those of a student without
support."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ConsentCategory, MeasureType
from tests import factories
from tests.conftest import login as _login
from tests.conftest import post
from tests.risk.helpers import TODAY, in_training, later_elsewhere, make_case, signals_block


def login(client, user):
    db.session.commit()  # what the test made, before the request reads it
    post(client, "/logout")
    _login(client, user)


@pytest.fixture
def case(db):
    return make_case()


def _overdue_support(case, student, kind=MeasureType.MENTOR):
    need = factories.support_need(student, "dyslexia", case.counsellor)
    return factories.support_measure(
        student, kind, case.counsellor, need=need, follow_up=TODAY - timedelta(days=5)
    )


def _items(block: str) -> list[str]:
    return re.findall(r'data-testid="risk-([a-z_]+)"', block)


def _list(client, query: str = "") -> str:
    response = client.get("/students/at-risk" + query)
    assert response.status_code == 200
    return response.text


def _total(html: str) -> str:
    return re.search(r'data-testid="risk-total">([^<]*)', html).group(1).strip()


def test_the_school_sees_the_support_signal(client, case):
    s, _ = in_training(case, "Stoette")
    _overdue_support(case, s)
    login(client, case.counsellor)
    assert _items(signals_block(client, s)) == ["signals", "follow_up"]
    assert "Stoette" in _list(client)


def test_the_school_admin_does_not_see_support(client, case):
    s, _ = in_training(case, "Adminse")
    _overdue_support(case, s)
    login(client, case.school_admin)
    assert signals_block(client, s) == ""


def test_a_supervisor_without_consent_sees_the_same_as_for_a_student_without_support(client, case):
    with_support, p1 = in_training(case, "Medstoette")
    without, p2 = in_training(case, "Udenstoette")
    for p in (p1, p2):
        factories.warning(p, case.supervisor)
    _overdue_support(case, with_support)
    # Consent to the employer for another category (SPS) does not cover a mentor.
    factories.consent(with_support, ConsentCategory.SPS, case.municipality, case.counsellor)
    db.session.commit()
    login(client, case.supervisor)
    a, b = signals_block(client, with_support), signals_block(client, without)
    assert _items(a) == _items(b) == ["signals", "open_warning"]
    assert a.replace("Medstoette", "") == b.replace("Udenstoette", "")


def test_support_alone_shows_nothing_to_the_employer_side(client, case):
    only_support, _ = in_training(case, "Kunstoette")
    nothing, _ = in_training(case, "Ingenting")
    _overdue_support(case, only_support)
    db.session.commit()
    for user in (case.supervisor, case.coordinator):
        login(client, user)
        assert signals_block(client, only_support) == signals_block(client, nothing) == ""
    html = _list(client)  # the coordinator's list
    assert "Kunstoette" not in html
    assert _total(html) == _total(_list(client, "?reason=follow_up"))
    assert "0 " in _total(html) or _total(html).startswith("0")


def test_the_coordinators_list_and_counts_are_those_of_students_without_support(client, case):
    students = []
    for name, support in (("Alfa", True), ("Beta", False)):
        s, p = in_training(case, name)
        factories.warning(p, case.supervisor)
        if support:
            _overdue_support(case, s)
        students.append(s)
    db.session.commit()
    login(client, case.coordinator)
    html = _list(client)
    assert "Alfa" in html and "Beta" in html
    row_a = re.search(rf'risk-student-{students[0].id}".*?</tr>', html, re.S).group(0)
    row_b = re.search(rf'risk-student-{students[1].id}".*?</tr>', html, re.S).group(0)

    def strip(row, s):
        return (
            row.replace(f"risk-student-{s.id}", "")
            .replace(f"/students/{s.id}", "")
            .replace(s.last_name, "")
        )

    assert strip(row_a, students[0]) == strip(row_b, students[1])
    assert "follow-up overdue since" not in html
    # Filtering by the support reason is not even offered, and asking for it lists no one.
    assert 'value="follow_up"' in html  # the rule exists for everyone ...
    assert "Alfa" not in _list(client, "?reason=follow_up")  # ... but finds no one here


def test_with_consent_the_employer_side_sees_the_support_signal(client, case):
    s, _ = in_training(case, "Samtykke")
    _overdue_support(case, s)
    factories.consent(s, ConsentCategory.SUPPORT_NEEDS, case.municipality, case.counsellor)
    db.session.commit()
    login(client, case.coordinator)
    assert "Samtykke" in _list(client, "?reason=follow_up")
    login(client, case.supervisor)
    assert _items(signals_block(client, s)) == ["signals", "follow_up"]


def test_a_withdrawn_consent_hides_the_signal_at_once(client, case):
    s, _ = in_training(case, "Traekket")
    _overdue_support(case, s)
    consent = factories.consent(
        s, ConsentCategory.SUPPORT_NEEDS, case.municipality, case.counsellor
    )
    consent.withdrawn_at = consent.recorded_at
    db.session.commit()
    login(client, case.coordinator)
    assert "Traekket" not in _list(client)


def test_a_supervisor_sees_training_signals_only_from_their_own_workplace(client, case):
    s, p = in_training(case, "Andetsted")
    later = later_elsewhere(case, s, p, "Hjemmeplejen Nord")
    other = later.workplace
    factories.warning(p, case.supervisor)
    db.session.commit()
    elsewhere = factories.user(
        factories.Role.SUPERVISOR, case.municipality, other, email="nord@example.org"
    )
    # The other workplace's supervisor sees the student (their period is near enough)...
    later.start_date = TODAY + timedelta(days=5)
    p.end_date = TODAY + timedelta(days=4)
    db.session.commit()
    login(client, elsewhere)
    assert client.get(f"/students/{s.id}").status_code == 200
    # ... but not the warning given at another workplace.
    assert "open_warning" not in _items(signals_block(client, s))
