"""Support details reach the workplace side only under the student's consent.

Sentinel texts in the need's and measure's descriptions must not appear anywhere a supervisor
at the student's workplace looks unless the student consented to that category for the
supervisor's municipality; withdrawal takes effect on the very next request.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.models import AuditAction, AuditEvent, ConsentCategory, MeasureType, Role
from tests import factories
from tests.conftest import login, post

NEED_SENTINEL = "SENTINEL-NEED-7f3a"
MEASURE_SENTINEL = "SENTINEL-IT-PACKAGE-91c2"
MENTOR_SENTINEL = "SENTINEL-MENTOR-55d0"
HEALTH_SENTINEL = "SENTINEL-ADHD-0b17"


@pytest.fixture
def supported(db, world):
    """Student A: dyslexia with an SPS IT package, a mentor, and ADHD (health data)."""
    s, counsellor = world.a.student, world.user(Role.COUNSELLOR)
    need = factories.support_need(s, "dyslexia", counsellor, NEED_SENTINEL)
    factories.support_measure(s, MeasureType.IT_PACKAGE, counsellor, MEASURE_SENTINEL, need)
    factories.support_measure(s, MeasureType.MENTOR, counsellor, MENTOR_SENTINEL)
    factories.support_need(s, "adhd", counsellor, HEALTH_SENTINEL)
    db.session.commit()
    return s


def pdf_text(response) -> str:
    """The PDF's text without whitespace, so words broken across lines still match."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return re.sub(r"\s+", "", text)


def _everything(client, student, world) -> dict[str, str]:
    """Every place the supervisor could meet the student's support data."""
    handover = f"/students/{student.id}/handovers/{world.a.training_period.id}"
    return {
        "student page": client.get(f"/students/{student.id}").text,
        "support page": client.get(f"/students/{student.id}/support").text,
        "history": client.get(f"/students/{student.id}/history").text,
        "handover note": client.get(handover).text,
        "search": client.get(f"/students/?q={student.last_name}").text,
        "starting soon": client.get("/starting-soon").text,
        "csv": client.get(f"/students/{student.id}/support.csv").get_data(as_text=True),
        "pdf": pdf_text(client.get(f"/students/{student.id}/support.pdf")),
    }


SENTINELS = (NEED_SENTINEL, MEASURE_SENTINEL, MENTOR_SENTINEL, HEALTH_SENTINEL)


def _leaks(pages: dict[str, str], sentinels=SENTINELS) -> list[str]:
    return [f"{s} in {where}" for where, text in pages.items() for s in sentinels if s in text]


def test_without_consent_the_supervisor_sees_only_that_support_is_agreed(client, world, supported):
    login(client, world.user(Role.SUPERVISOR))
    pages = _everything(client, supported, world)
    assert _leaks(pages) == []
    for where in ("student page", "support page"):
        assert 'data-testid="support-agreed"' in pages[where]
        assert world.user(Role.COUNSELLOR).name in pages[where]
    assert world.user(Role.COUNSELLOR).name.replace(" ", "") in pages["pdf"]
    # No flag in the list either: the supervisor may not know about the needs.
    assert 'data-testid="support-flag"' not in pages["search"]
    # Nor the names of the measures or needs in the history.
    assert "IT-pakke" not in pages["history"] and "Ordblind" not in pages["history"]


def test_consent_shows_exactly_the_consented_categories(client, db, world, supported):
    counsellor = world.user(Role.COUNSELLOR)
    factories.consent(supported, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    pages = _everything(client, supported, world)
    for where in ("support page", "csv", "pdf"):
        assert MEASURE_SENTINEL in pages[where], where
    # SPS only: not the mentor (support needs) and not the needs themselves.
    assert _leaks(pages, (NEED_SENTINEL, MENTOR_SENTINEL, HEALTH_SENTINEL)) == []
    assert "IT-pakke" in pages["student page"]

    factories.consent(supported, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor)
    db.session.commit()
    pages = _everything(client, supported, world)
    assert NEED_SENTINEL in pages["support page"] and MENTOR_SENTINEL in pages["support page"]
    assert 'data-testid="support-flag"' in pages["search"]
    # ADHD is health data: it needs the health consent as well.
    assert _leaks(pages, (HEALTH_SENTINEL,)) == []

    factories.consent(supported, ConsentCategory.HEALTH, world.a.municipality, counsellor)
    db.session.commit()
    assert HEALTH_SENTINEL in client.get(f"/students/{supported.id}/support").text


def test_health_consent_alone_shares_nothing(client, db, world, supported):
    factories.consent(
        supported, ConsentCategory.HEALTH, world.a.municipality, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    assert _leaks(_everything(client, supported, world)) == []


def test_withdrawal_takes_effect_on_the_next_request(client, db, world, supported):
    counsellor = world.user(Role.COUNSELLOR)
    consent = factories.consent(supported, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    supervisor = client
    login(supervisor, world.user(Role.SUPERVISOR))
    assert MEASURE_SENTINEL in supervisor.get(f"/students/{supported.id}/support").text

    from flask.testing import FlaskClient  # noqa: F401  (a second browser for the counsellor)

    school = client.application.test_client()
    login(school, counsellor)
    response = post(school, f"/students/{supported.id}/consents/{consent.id}/withdraw")
    assert response.status_code == 302

    assert _leaks(_everything(supervisor, supported, world)) == []


def test_consent_to_another_municipality_or_out_of_its_dates_shares_nothing(
    client, db, world, supported
):
    counsellor = world.user(Role.COUNSELLOR)
    factories.consent(supported, ConsentCategory.SPS, world.b.municipality, counsellor)
    factories.consent(
        supported,
        ConsentCategory.SPS,
        world.a.municipality,
        counsellor,
        valid_from=date.today() + timedelta(days=5),
    )
    factories.consent(
        supported,
        ConsentCategory.SUPPORT_NEEDS,
        world.a.municipality,
        counsellor,
        valid_from=date.today() - timedelta(days=30),
        valid_to=date.today() - timedelta(days=1),
    )
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    assert _leaks(_everything(client, supported, world)) == []


def test_the_school_sees_everything_and_a_counsellor_elsewhere_gets_404(client, world, supported):
    login(client, world.user(Role.TEACHER))
    page = client.get(f"/students/{supported.id}/support").text
    for sentinel in SENTINELS:
        assert sentinel in page
    post(client, "/logout")

    login(client, world.user(Role.COUNSELLOR, "b"))
    for url in (
        f"/students/{supported.id}/support",
        f"/students/{supported.id}/support.pdf",
        f"/students/{supported.id}/support.csv",
        f"/students/{supported.id}/support/measures/{world.a.measure.id}",
        f"/students/{supported.id}/support/needs/{world.a.need.id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(s in response.get_data(as_text=True) for s in SENTINELS)


def test_measure_page_answers_404_to_the_workplace_without_consent(client, db, world):
    login(client, world.user(Role.SUPERVISOR))
    url = f"/students/{world.a.student.id}/support/measures/{world.a.measure.id}"
    assert client.get(url).status_code == 404
    factories.consent(
        world.a.student, ConsentCategory.SPS, world.a.municipality, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    assert client.get(url).status_code == 200


def test_every_view_of_support_data_is_in_the_access_log(client, db, world, supported):
    login(client, world.user(Role.COUNSELLOR))
    before = db.session.execute(select(AuditEvent).where(AuditEvent.criterion == "support")).all()
    client.get(f"/students/{supported.id}")
    client.get(f"/students/{supported.id}/support")
    client.get(f"/students/{supported.id}/support.pdf")
    client.get(f"/students/{supported.id}/support/measures/{world.a.measure.id}")
    rows = (
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.criterion == "support", AuditEvent.student_id == supported.id)
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert len(rows) - len(before) == 4
    assert rows[-4:] == [AuditAction.VIEW, AuditAction.VIEW, AuditAction.EXPORT, AuditAction.VIEW]
    # The student page logs one view, marked as showing support.
    assert not db.session.execute(
        select(AuditEvent).where(AuditEvent.student_id == supported.id, AuditEvent.criterion == "")
    ).first()


def test_supervisor_without_consent_leaves_no_support_view_in_the_log(client, db, world, supported):
    login(client, world.user(Role.SUPERVISOR))
    client.get(f"/students/{supported.id}/support")
    rows = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.criterion == "support",
            AuditEvent.user_id == world.user(Role.SUPERVISOR).id,
        )
    ).all()
    assert rows == []
