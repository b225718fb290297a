"""The case file as a file: lines link to what they record (only for a viewer who may read it),
the list is not numbered, a new note says it was written, and the PDF holds the content of
each entry the viewer may see, marked confidential on every page and tagged."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from app.models import (
    CaseEvent,
    CaseEventKind,
    CaseEventTarget,
    ConsentCategory,
    MeasureType,
    Role,
)
from app.models.base import utcnow
from tests import factories
from tests.conftest import login, post
from tests.support.test_privacy import pdf_text

K, T = CaseEventKind, CaseEventTarget


def _lines(db, world, *lines, side=None) -> None:
    """History lines of side A's student: (kind, target kind, target id, details, data category)."""
    side = side or world.a
    start = utcnow() - timedelta(hours=len(lines))
    db.session.execute(
        insert(CaseEvent),
        [
            {
                "student_id": side.student.id,
                "user_id": side.users[Role.COUNSELLOR].id,
                "organisation_id": side.school.id,
                "kind": kind,
                "target_kind": target_kind,
                "target_id": target_id,
                "details": details,
                "data_category": category,
                "at": start + timedelta(hours=i),
            }
            for i, (kind, target_kind, target_id, details, category) in enumerate(lines)
        ],
    )
    db.session.commit()


def _case(db, world):
    """Lines about side A's handover note, its IT package (SPS), its warning and a held review
    with decisions and an action item; and one line pointing at side B's measure."""
    a = world.a
    factories.review_objects(a)
    a.review.decisions = "BESLUTNING-Q7: mentor i fire uger"
    a.review.minutes = "REFERAT-Q7"
    a.measure.description = "MÅLRETTET-IT-Q7"
    db.session.commit()
    period = {"period": a.training_period.title or "Oplæring"}
    _lines(
        db,
        world,
        (K.HANDOVER_WRITTEN, T.HANDOVER, a.note.id, period, None),
        (K.HANDOVER_ACKNOWLEDGED, T.HANDOVER, a.note.id, period, None),
        (K.MEASURE_ADDED, T.MEASURE, a.measure.id, {"measure": "it_package"}, "sps"),
        (K.WARNING_GIVEN, T.WARNING, a.warning.id, {**period, "deadline": "2027-01-04"}, None),
        (K.REVIEW_HELD, T.REVIEW, a.review.id, {"date": "2026-12-01"}, None),
        # A line that names another student's thing never links to it.
        (K.MEASURE_CHANGED, T.MEASURE, world.b.measure.id, {"measure": "mentor"}, None),
    )
    return a


def _urls(a):
    s = a.student.id
    return {
        "handover": f"/students/{s}/handovers/{a.training_period.id}",
        "measure": f"/students/{s}/support/measures/{a.measure.id}",
        "warning": f"/students/{s}/periods/{a.training_period.id}/training#warnings",
        "review": f"/students/{s}/reviews/{a.review.id}",
    }


def _event_links(page: str) -> set[str]:
    return set(re.findall(r'<a href="([^"]+)" data-testid="event-link-', page))


@pytest.mark.parametrize(
    ("role", "linked"),
    [
        (Role.COUNSELLOR, {"handover", "measure", "warning", "review"}),
        # A participant's organisation reads the review; no consent: no measure line at all.
        (Role.TRAINING_COORDINATOR, {"handover", "warning", "review"}),
        # The supervisor reads the handover and the training records, not the review.
        (Role.SUPERVISOR, {"handover", "warning"}),
    ],
)
def test_lines_link_to_what_they_record_only_for_who_may_read_it(client, db, world, role, linked):
    a = _case(db, world)
    urls = _urls(a)
    login(client, world.user(role))
    s = a.student.id
    for url in (f"/students/{s}/case-file", f"/students/{s}", f"/students/{s}/history"):
        page = client.get(url).text
        found = _event_links(page)
        expected = {urls[k] for k in linked}
        assert expected <= found, (url, found)
        assert not {urls[k] for k in urls.keys() - linked} & found, (url, found)
        assert f"/support/measures/{world.b.measure.id}" not in page
    if role is Role.SUPERVISOR:
        # The review line is shown (the review happened) but leads nowhere.
        page = client.get(f"/students/{s}/case-file").text
        assert "Sagsgennemgang holdt" in page and urls["review"] not in page


def test_a_link_follows_consent(client, db, world):
    a = _case(db, world)
    login(client, world.user(Role.SUPERVISOR))
    url = f"/students/{a.student.id}/case-file"
    assert _urls(a)["measure"] not in client.get(url).text
    factories.consent(a.student, ConsentCategory.SPS, a.municipality, a.users[Role.COUNSELLOR])
    db.session.commit()
    assert _urls(a)["measure"] in _event_links(client.get(url).text)


def test_a_changed_thing_records_what_it_is_about(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    response = post(
        client,
        f"/students/{world.a.student.id}/support/measures/new",
        {
            "type": "mentor",
            "provider": "school",
            "description": "x",
            "start_date": utcnow().date().isoformat(),
            "owner": str(counsellor.id),
            "status": "active",
        },
    )
    assert response.status_code == 302
    event = db.session.execute(select(CaseEvent).order_by(CaseEvent.id.desc())).scalar()
    assert event.kind == K.MEASURE_ADDED and event.target_kind == T.MEASURE
    measure_url = f"/students/{world.a.student.id}/support/measures/{event.target_id}"
    assert measure_url in _event_links(client.get(f"/students/{world.a.student.id}").text)


def test_the_case_file_is_an_unnumbered_list(client, db, world):
    _case(db, world)
    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{world.a.student.id}/case-file").text
    listing = page.split('data-testid="case-file"')[0].rsplit("<", 1)[1]
    assert listing.startswith("ul ")
    assert "<ol" not in page.split("<main", 1)[-1].replace('<ol class="breadcrumbs__list"', "")


def test_a_new_note_says_it_was_written_and_a_corrected_one_that_it_changed(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/case-file"
    note = {"category": "general", "visibility": "shared", "body": "Første udgave", "version": ""}
    assert post(client, f"/students/{world.a.student.id}/notes/new", note).status_code == 302
    page = client.get(url).text
    assert "Notat skrevet: Generelt" in page
    assert "ændret" not in page.split('data-testid="case-file"')[1]
    event = db.session.execute(select(CaseEvent).order_by(CaseEvent.id.desc())).scalar()
    assert event.target_kind == T.NOTE and event.target_id == event.note_id
    edit = f"/students/{world.a.student.id}/notes/{event.note_id}/edit"
    post(client, edit, {**note, "body": "Anden udgave", "version": "1"})
    page = client.get(url).text
    assert "Notat ændret: Generelt" in page and "Notat skrevet: Generelt" in page


# --- the PDF ----------------------------------------------------------------------------------


def _pdf(client, world) -> str:
    return pdf_text(client.get(f"/students/{world.a.student.id}/case-file.pdf"))


def test_the_pdf_holds_what_each_entry_records_that_the_viewer_may_see(client, db, world):
    a = _case(db, world)
    login(client, a.users[Role.COUNSELLOR])
    own = {"category": "general", "visibility": "own", "body": "SKOLENS-EGET-Q7", "version": ""}
    post(client, f"/students/{a.student.id}/notes/new", own)
    post(client, "/logout")

    login(client, a.users[Role.TRAINING_COORDINATOR])
    text = _pdf(client, world)
    # The handover note's text, the minutes' decisions and action items, the warning.
    for seen in ("Mødestabilognysgerrig.", "Følgenfastkollega.", "BESLUTNING-Q7", "REFERAT-Q7"):
        assert seen in text
    assert "Ringtileleven" in text
    assert "NårikkeMål4,sideA".lower() in text.lower()
    # Not the school's own note, not support details without consent, nothing of side B.
    for hidden in ("SKOLENS-EGET-Q7", "MÅLRETTET-IT-Q7", "sideB", "Ordblind"):
        assert hidden not in text
    # Each thing once, though two lines record the handover note.
    assert text.count("Mødestabilognysgerrig.") == 1
    post(client, "/logout")

    login(client, a.users[Role.SUPERVISOR])
    text = _pdf(client, world)
    assert "Mødestabilognysgerrig." in text
    for hidden in ("BESLUTNING-Q7", "REFERAT-Q7", "MÅLRETTET-IT-Q7", "SKOLENS-EGET-Q7"):
        assert hidden not in text
    post(client, "/logout")

    login(client, a.users[Role.COUNSELLOR])
    text = _pdf(client, world)
    assert "MÅLRETTET-IT-Q7" in text and "SKOLENS-EGET-Q7" in text
    assert "BærbarmedAppWriter,sideB" not in text


def test_every_pdf_page_is_marked_confidential_and_the_pdf_is_tagged(client, db, world):
    _case(db, world)
    _lines(
        db,
        world,
        *[(K.PERIOD_CHANGED, None, None, {"period": f"Periode {i}"}, None) for i in range(150)],
    )
    login(client, world.user(Role.COUNSELLOR))
    for url in (
        f"/students/{world.a.student.id}/case-file.pdf",
        f"/students/{world.a.student.id}/support.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(response.data))
        if url.endswith("case-file.pdf"):
            assert len(reader.pages) > 2
        for page in reader.pages:
            assert "Fortroligt" in page.extract_text()
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"]) is True
        assert "/StructTreeRoot" in root
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_links_and_pdf_contents_take_a_fixed_number_of_queries(client, db, world, count_queries):
    a = world.a
    login(client, a.users[Role.COUNSELLOR])
    url = f"/students/{a.student.id}/case-file"

    def lines(n):
        counsellor, supervisor = a.users[Role.COUNSELLOR], a.users[Role.SUPERVISOR]
        rows = []
        for i in range(n):
            m = factories.support_measure(a.student, MeasureType.MENTOR, counsellor, f"M{i}")
            w = factories.warning(a.training_period, supervisor, f"W{i}")
            rows += [
                (K.MEASURE_CHANGED, T.MEASURE, m.id, {"measure": "mentor"}, "support_needs"),
                (K.WARNING_GIVEN, T.WARNING, w.id, {"period": "x"}, None),
                (K.HANDOVER_CHANGED, T.HANDOVER, a.note.id, {"period": "x"}, None),
            ]
        _lines(db, world, *rows)

    lines(1)
    with count_queries() as few:
        assert client.get(url).status_code == 200
        client.get(f"{url}.pdf")
    lines(8)
    with count_queries() as many:
        page = client.get(url).text
        text = pdf_text(client.get(f"{url}.pdf"))
    assert page.count('data-testid="event-link-') >= 20 and "W7" in text
    assert many.count == few.count


def test_the_pdf_holds_an_issued_declaration_and_a_consented_support_need(client, db, world):
    from app.models import Declaration, DeclarationLine, GoalLevel

    a = world.a
    goal = factories.goals(a.student)[0]
    declaration = Declaration(
        period_id=a.training_period.id,
        approved=True,
        needs_next_periods="BEHOV-NÆSTE-Q7",
        issued_at=utcnow(),
        lines=[DeclarationLine(goal_id=goal.id, level=GoalLevel.ADVANCED, approved=True)],
    )
    db.session.add(declaration)
    db.session.flush()
    _lines(
        db,
        world,
        (K.DECLARATION_ISSUED, T.DECLARATION, declaration.id, {"period": "x"}, None),
        (K.SUPPORT_NEED_FLAGGED, T.NEED, a.need.id, {"category": "dyslexia"}, "support_needs"),
    )
    login(client, a.users[Role.SUPERVISOR])
    text = _pdf(client, world)
    assert "BEHOV-NÆSTE-Q7" in text and goal.text.replace(" ", "")[:30] in text
    assert "Ordblind,sideA" not in text
    page = client.get(f"/students/{a.student.id}/case-file").text
    assert f"/students/{a.student.id}/periods/{a.training_period.id}/declaration" in page
    factories.consent(
        a.student, ConsentCategory.SUPPORT_NEEDS, a.municipality, a.users[Role.COUNSELLOR]
    )
    db.session.commit()
    assert "Ordblind,sideA" in _pdf(client, world)
    # A draft declaration is not printed (it is handed out only once issued).
    declaration.issued_at = None
    db.session.commit()
    assert "BEHOV-NÆSTE-Q7" not in _pdf(client, world)
