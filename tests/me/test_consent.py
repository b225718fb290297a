"""The student gives and withdraws consent in the app (app.me.consents): what the student
reads, what the workplace side then sees, and what is recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    Consent,
    ConsentCategory,
    ConsentChannel,
    Role,
)
from app.support.consent_text import CONSENT_TEXT_VERSION
from tests import factories
from tests.conftest import login, post

MEASURE_A = "Bærbar med AppWriter, side A"


def _student(client, world):
    login(client, world.a.users[Role.STUDENT])
    return client


def _supervisor(app, world):
    other = app.test_client()
    login(other, world.a.users[Role.SUPERVISOR])
    return other


def _give(client, world, *categories: str, recipient: int | None = None):
    recipient = world.a.municipality.id if recipient is None else recipient
    return post(
        client,
        "/me/consents",
        {"category": list(categories), "recipient": str(recipient)},
    )


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _app_consent(db, world, category: ConsentCategory) -> Consent:
    return db.session.execute(
        select(Consent).where(
            Consent.student_id == world.a.student.id,
            Consent.category == category,
            Consent.channel == ConsentChannel.APP,
        )
    ).scalar_one()


def test_the_student_reads_what_each_consent_means(client, world):
    page = _student(client, world).get("/me/consents")
    assert page.status_code == 200
    text = page.text
    assert f"Samtykketekst version {CONSENT_TEXT_VERSION}" in text
    assert "IT-pakke med bærbar computer og AppWriter" in text  # what SPS covers
    assert "Helbredsoplysninger deles kun sammen med dine støttebehov" in text
    assert "til enhver tid trække dit samtykke tilbage" in text
    assert "oplæringsvejlederne" in text  # who receives it
    # Side A's employer is a possible recipient, with a button for each category.
    card = text.split(f'data-testid="consent-sps-{world.a.municipality.id}"')[1][:1500]
    assert "Kommune A" in card and "Deles ikke" in card and "Giv samtykke" in card
    assert "Kommune B" not in text


def test_consent_given_in_the_app_shows_at_once_and_withdrawal_stops_it(app, client, db, world):
    student_client = _student(client, world)
    supervisor = _supervisor(app, world)
    support_page = f"/students/{world.a.student.id}/support"
    assert MEASURE_A not in supervisor.get(support_page).text  # the world's consent is withdrawn

    response = _give(student_client, world, "sps")
    assert response.status_code == 302
    assert "Dit samtykke er givet" in student_client.get(response.headers["Location"]).text
    assert MEASURE_A in supervisor.get(support_page).text

    consent = _app_consent(db, world, ConsentCategory.SPS)
    assert consent.recipient_id == world.a.municipality.id
    assert consent.text_version == CONSENT_TEXT_VERSION
    assert consent.recorded_by_id == world.a.users[Role.STUDENT].id
    assert consent.valid_from is not None and consent.valid_to is None
    page = student_client.get("/me/consents").text
    card = page.split(f'data-testid="consent-sps-{world.a.municipality.id}"')[1][:1500]
    assert "Deles" in card and "Givet af eleven i Elevsag" in card
    assert "Træk samtykke tilbage" in card

    response = post(student_client, f"/me/consents/{consent.id}/withdraw")
    assert response.status_code == 302
    assert MEASURE_A not in supervisor.get(support_page).text
    db.session.refresh(consent)
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_channel == ConsentChannel.APP
    assert consent.withdrawn_by_id == world.a.users[Role.STUDENT].id

    actions = db.session.execute(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "consent", AuditEvent.object_id == consent.id)
        .order_by(AuditEvent.id)
    ).scalars()
    assert list(actions) == [AuditAction.CREATE, AuditAction.UPDATE]
    counsellor = app.test_client()
    login(counsellor, world.a.users[Role.COUNSELLOR])
    history = counsellor.get(f"/students/{world.a.student.id}/history").text
    assert "Samtykke givet: SPS til Kommune A (af eleven i Elevsag)" in history
    assert "Samtykke trukket tilbage: SPS til Kommune A (af eleven i Elevsag)" in history
    # The counsellor's consent list says how it was given, and under which text.
    overview = counsellor.get(support_page).text
    row = overview.split(f'data-testid="consent-channel-{consent.id}"')[1][:400]
    assert "Givet af eleven i Elevsag" in row and CONSENT_TEXT_VERSION in row


def test_another_students_consent_answers_404(client, db, world):
    other = world.b.consent
    other.withdrawn_at = None
    db.session.commit()
    response = post(_student(client, world), f"/me/consents/{other.id}/withdraw")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.withdrawn_at is None


def test_an_invented_recipient_is_refused_in_danish_and_nothing_is_saved(client, db, world):
    student_client = _student(client, world)
    before = (_count(db, Consent), _count(db, CaseEvent))
    for recipient in (world.b.municipality.id, world.a.school.id, 999999):
        response = _give(student_client, world, "sps", recipient=recipient)
        assert response.status_code == 200
        error = response.text.split('data-testid="error-recipient"')[1][:300]
        assert "Vælg en af de organisationer, du har en uddannelsesaftale med." in error
    response = post(student_client, "/me/consents", {"category": "sps", "recipient": "x"})
    assert response.status_code == 200 and "uddannelsesaftale med" in response.text
    assert (_count(db, Consent), _count(db, CaseEvent)) == before


def test_health_only_together_with_support_needs(client, db, world):
    student_client = _student(client, world)
    before = _count(db, Consent)
    response = _give(student_client, world, "health")
    assert response.status_code == 200
    error = response.text.split('data-testid="error-category"')[1][:400]
    assert "giv også samtykke til støttebehov til Kommune A" in error
    assert _count(db, Consent) == before
    # The page's button for health gives both at once.
    page = student_client.get("/me/consents").text
    card = page.split(f'data-testid="consent-health-{world.a.municipality.id}"')[1][:1500]
    assert 'value="support_needs"' in card and 'value="health"' in card
    assert _give(student_client, world, "support_needs", "health").status_code == 302
    assert _count(db, Consent) == before + 2
    from app.access.support import consented_to

    assert consented_to(world.a.student, {world.a.municipality.id}) == {
        ConsentCategory.SUPPORT_NEEDS,
        ConsentCategory.HEALTH,
    }
    # Given again: refused in the student's words, nothing recorded twice.
    response = _give(student_client, world, "support_needs")
    assert "Du har allerede givet samtykke til at dele Støttebehov med Kommune A" in response.text
    assert _count(db, Consent) == before + 2


def test_my_plan_sums_up_the_consents(client, db, world):
    student_client = _student(client, world)
    section = student_client.get("/me/").text.split('data-testid="consent-section"')[1][:800]
    assert "Du har intet samtykke, der gælder nu" in section
    assert 'href="/me/consents"' in section
    factories.consent(
        world.a.student, ConsentCategory.SPS, world.a.municipality, world.a.users[Role.COUNSELLOR]
    )
    db.session.commit()
    section = student_client.get("/me/").text.split('data-testid="consent-section"')[1][:800]
    assert "Du har 1 samtykke, der gælder nu" in section


def test_staff_recording_stores_paper_and_the_text_version(client, db, world):
    login(client, world.a.users[Role.COUNSELLOR])
    student = world.a.student
    form = {
        "category": "sps",
        "recipient": str(world.a.municipality.id),
        "valid_from": date.today().isoformat(),
        "note": "Underskrevet blanket",
        "confirmed": "y",
    }
    assert post(client, f"/students/{student.id}/consents/new", form).status_code == 302
    consent = db.session.execute(
        select(Consent).where(Consent.note == "Underskrevet blanket")
    ).scalar_one()
    assert consent.channel == ConsentChannel.PAPER
    assert consent.text_version == CONSENT_TEXT_VERSION
    assert post(client, f"/students/{student.id}/consents/{consent.id}/withdraw").status_code == 302
    db.session.refresh(consent)
    assert consent.withdrawn_channel == ConsentChannel.PAPER
    page = client.get(f"/students/{student.id}/support").text
    assert "Registreret af personale fra underskrevet papirblanket" in page
    history = client.get(f"/students/{student.id}/history").text
    assert "Samtykke givet: SPS til Kommune A (fra underskrevet papirblanket)" in history


def test_the_access_request_export_says_how_and_under_which_text(app, client, db, world):
    assert _give(_student(client, world), world, "sps").status_code == 302
    admin = app.test_client()
    login(admin, world.a.users[Role.SCHOOL_ADMIN])
    data = admin.get(f"/students/{world.a.student.id}/access-request.json").get_json()
    given = [c for c in data["consents"] if c["channel"] == "app"]
    assert len(given) == 1
    assert given[0]["text_version"] == CONSENT_TEXT_VERSION
    assert given[0]["category"] == "sps" and given[0]["withdrawn_channel"] is None
