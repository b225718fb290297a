"""`flask risk refresh`: a flag opens when a student first crosses the threshold, and only then
are the school contacts (and, for a rule they may see, the employer's coordinators) told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MeasureType, Notification, NotificationKind, RiskFlag
from app.models.base import utcnow
from app.risk.services import refresh
from tests import factories
from tests.risk.helpers import TODAY, in_training, make_case


@pytest.fixture
def case(db):
    return make_case()


def _told(user) -> list[Notification]:
    return list(
        db.session.execute(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == NotificationKind.RISK_SIGNS
            )
        ).scalars()
    )


def test_the_first_crossing_opens_a_flag_and_tells_once(case):
    s, p = in_training(case, "Krydser")
    s.contact_teacher_id = case.teacher.id
    quiet, _ = in_training(case, "Stille")
    w = factories.warning(p, case.supervisor)
    result = refresh(TODAY)
    assert (result.flagged, result.opened) == (1, 1)
    assert [n.student_id for n in _told(case.teacher)] == [s.id]
    assert [n.student_id for n in _told(case.coordinator)] == [s.id]
    assert _told(case.counsellor) == []  # the named contact teacher, not every counsellor
    # The next night: still flagged, nobody told again.
    _told(case.teacher)[0].read_at = utcnow()
    refresh(TODAY + timedelta(days=1))
    assert len(_told(case.teacher)) == 1 and _told(case.teacher)[0].read_at is not None
    flag = db.session.execute(select(RiskFlag)).scalar_one()
    assert (flag.first_flagged_on, flag.last_seen_on) == (TODAY, TODAY + timedelta(days=1))
    # Followed up: the flag clears; a new crossing opens a new flag and tells again.
    w.followed_up_at = w.issued_at
    assert refresh(TODAY + timedelta(days=2)).cleared == 1
    assert flag.cleared_on == TODAY + timedelta(days=2)
    factories.warning(p, case.supervisor)
    assert refresh(TODAY + timedelta(days=3)).opened == 1
    assert _told(case.teacher)[0].read_at is None  # marked unread again
    assert quiet.id not in {f.student_id for f in db.session.execute(select(RiskFlag)).scalars()}


def test_without_named_contacts_the_schools_counsellors_are_told(case):
    s, p = in_training(case, "Ukendt")
    factories.warning(p, case.supervisor)
    refresh(TODAY)
    assert [n.student_id for n in _told(case.counsellor)] == [s.id]


def test_a_support_signal_alone_tells_the_school_but_not_the_employer(case):
    s, p = in_training(case, "Stoettealene")
    factories.support_measure(
        s, MeasureType.MENTOR, case.counsellor, follow_up=TODAY - timedelta(days=3)
    )
    refresh(TODAY)
    assert [n.student_id for n in _told(case.counsellor)] == [s.id]
    assert _told(case.coordinator) == []
    # Once a rule the employer may see fires, its coordinators are told.
    factories.warning(p, case.supervisor)
    refresh(TODAY + timedelta(days=1))
    assert [n.student_id for n in _told(case.coordinator)] == [s.id]


def test_the_notification_names_no_reason(client, case):
    from tests.conftest import login

    s, p = in_training(case, "Navngivet")
    s.contact_teacher_id = case.teacher.id
    factories.warning(p, case.supervisor, reason="Hemmelig grund")
    refresh(TODAY)
    db.session.commit()
    login(client, case.teacher)
    html = client.get("/notifications").text
    assert "Navngivet" in html
    assert "Hemmelig" not in html
    assert "risiko for at falde fra" in html


def test_the_command_reports_what_it_did(runner, case):
    _, p = in_training(case, "Kommando")
    factories.warning(p, case.supervisor)
    db.session.commit()
    result = runner.invoke(args=["risk", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Students with signs of risk: 1 (1 new, 0 cleared)" in result.output
