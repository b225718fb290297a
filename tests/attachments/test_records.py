"""Attachments on every kind of record, in the lists that show them, and removed with their
records."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.attachments import services
from app.history import log
from app.models import (
    Attachment,
    AttachmentParent,
    CaseEventKind,
    ConsentCategory,
    Declaration,
    Role,
    SpsStage,
    SpsStep,
)
from tests import factories
from tests.attachments.conftest import stored_files, upload
from tests.conftest import login, post
from tests.factories import review_objects

PDF = factories.MINIMAL_PDF


def _count(db) -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def _step(db, world) -> SpsStep:
    step = SpsStep(
        measure_id=world.a.measure.id,
        stage=SpsStage.AUTHORISATION_SIGNED,
        on_date=world.a.measure.start_date,
        recorded_by_id=world.user(Role.COUNSELLOR).id,
    )
    db.session.add(step)
    db.session.commit()
    return step


def test_a_counsellor_attaches_to_a_need_and_an_sps_step_and_the_pages_list_them(
    client, db, world, store
):
    s = world.a.student
    step = _step(db, world)
    login(client, world.user(Role.COUNSELLOR))
    assert upload(client, s, "need", world.a.need.id, PDF, "Ordblindetest.pdf").status_code == 302
    assert upload(client, s, "sps_step", step.id, PDF, "Fuldmagt.pdf").status_code == 302
    overview = client.get(f"/students/{s.id}/support").text
    assert "Ordblindetest.pdf" in overview
    need_page = client.get(f"/students/{s.id}/support/needs/{world.a.need.id}/edit").text
    assert "Ordblindetest.pdf" in need_page
    measure_page = client.get(f"/students/{s.id}/support/measures/{world.a.measure.id}").text
    assert "Fuldmagt.pdf" in measure_page
    # The case file lists the measure's files (its SPS steps' too) on the measure's line.
    case_file = client.get(f"/students/{s.id}/case-file").text
    assert "Fuldmagt.pdf" in case_file and "Ordblindetest.pdf" in case_file


def test_notes_reviews_and_declarations_follow_their_own_rules(client, db, world, store):
    s = world.a.student
    review_objects(world.a)
    db.session.add(Declaration(period_id=world.a.training_period.id))
    db.session.commit()
    declaration = db.session.scalars(select(Declaration)).one()
    note, review = world.a.case_note, world.a.review

    # The note's author and a review participant attach; the teacher may read but not add.
    login(client, world.user(Role.COUNSELLOR))
    assert upload(client, s, "note", note.id, PDF, "Referat.pdf").status_code == 302
    assert upload(client, s, "review", review.id, PDF, "Dagsorden.pdf").status_code == 302
    assert upload(client, s, "declaration", declaration.id, PDF, "x.pdf").status_code == 403
    post(client, "/logout")
    login(client, world.user(Role.SUPERVISOR))  # writes the training records
    assert upload(client, s, "declaration", declaration.id, PDF, "Erklæring.pdf").status_code == 302
    assert upload(client, s, "note", note.id, PDF, "x.pdf").status_code == 403
    post(client, "/logout")
    login(client, world.user(Role.TEACHER))
    assert upload(client, s, "review", review.id, PDF, "x.pdf").status_code == 403
    files = {a.filename: a.id for a in db.session.scalars(select(Attachment))}
    assert set(files) == {"Referat.pdf", "Dagsorden.pdf", "Erklæring.pdf"}
    for name in files:
        assert client.get(f"/students/{s.id}/attachments/{files[name]}").status_code == 200
    review_page = client.get(f"/students/{s.id}/reviews/{review.id}").text
    assert "Dagsorden.pdf" in review_page
    period = world.a.training_period.id
    assert "Erklæring.pdf" in client.get(f"/students/{s.id}/periods/{period}/declaration").text


def test_a_note_kept_to_the_school_keeps_its_files_from_the_workplace(client, db, world, store):
    from app.models import NoteVisibility

    note = world.a.case_note
    note.visibility = NoteVisibility.OWN
    row = factories.attachment(world.a.student, "note", note.id, world.user(Role.COUNSELLOR))
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR))
    assert client.get(f"/students/{world.a.student.id}/attachments/{row.id}").status_code == 404


def test_remove_for_deletes_rows_and_files_once_committed(db, world, store):
    counsellor = world.user(Role.COUNSELLOR)
    factories.attachment(world.a.student, "measure", world.a.measure.id, counsellor)
    factories.attachment(world.a.student, "need", world.a.need.id, counsellor)
    db.session.commit()
    assert services.remove_for(AttachmentParent.MEASURE, [world.a.measure.id]) == 1
    db.session.rollback()  # not committed: row and file stay
    assert _count(db) == 2 and len(stored_files(store)) == 2

    assert services.remove_for(AttachmentParent.MEASURE, [world.a.measure.id]) == 1
    assert len(stored_files(store)) == 2  # the file goes only with the commit
    db.session.commit()
    assert _count(db) == 1 and len(stored_files(store)) == 1
    assert services.remove_for(AttachmentParent.MEASURE, []) == 0

    assert services.remove_for_student(world.a.student.id) == 1
    db.session.commit()
    assert _count(db) == 0 and stored_files(store) == []


def test_deleting_a_period_removes_its_declarations_files(client, db, world, store):
    db.session.delete(world.a.note)  # a period with a handover note is never deleted
    db.session.add(Declaration(period_id=world.a.training_period.id))
    db.session.flush()
    declaration = db.session.scalars(select(Declaration)).one()
    factories.attachment(
        world.a.student, "declaration", declaration.id, world.user(Role.SUPERVISOR)
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/periods/{world.a.training_period.id}/delete"
    assert post(client, url).status_code == 302
    assert _count(db) == 0 and stored_files(store) == []


def test_the_access_request_lists_every_attachment_of_the_student(client, db, world, store):
    counsellor = world.user(Role.COUNSELLOR)
    factories.attachment(world.a.student, "measure", world.a.measure.id, counsellor)
    factories.attachment(
        world.a.student, "need", world.a.need.id, counsellor, filename="Audiogram.pdf"
    )
    db.session.commit()
    login(client, world.user(Role.SCHOOL_ADMIN))
    response = client.get(f"/students/{world.a.student.id}/access-request.json")
    if response.status_code == 302:  # the export asks for the password again first
        pytest.skip("step-up needed")
    listed = json.loads(response.data)["attachments"]
    assert [(a["filename"], a["record"], a["size"]) for a in listed] == [
        ("Ordblindetest.pdf", "measure", len(PDF)),
        ("Audiogram.pdf", "need", len(PDF)),
    ]
    assert all(a["content_type"] == "application/pdf" for a in listed)


@pytest.mark.parametrize("page", ["measure", "case-file", "support"])
def test_pages_that_list_files_run_the_same_queries_for_one_file_or_many(
    client, db, world, store, count_queries, page
):
    s, counsellor = world.a.student, world.user(Role.COUNSELLOR)
    step = _step(db, world)
    url = {
        "measure": f"/students/{s.id}/support/measures/{world.a.measure.id}",
        "case-file": f"/students/{s.id}/case-file",
        "support": f"/students/{s.id}/support",
    }[page]
    factories.attachment(s, "measure", world.a.measure.id, counsellor)
    factories.attachment(s, "need", world.a.need.id, counsellor)
    # The case file shows files on the lines about their records.
    log(s, CaseEventKind.MEASURE_ADDED, counsellor, "sps", target=world.a.measure)
    log(s, CaseEventKind.SUPPORT_NEED_FLAGGED, counsellor, "support_needs", target=world.a.need)
    db.session.commit()
    login(client, counsellor)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(6):
        factories.attachment(s, "measure", world.a.measure.id, counsellor, filename=f"m{n}.pdf")
        factories.attachment(s, "sps_step", step.id, counsellor, filename=f"s{n}.pdf")
        factories.attachment(s, "need", world.a.need.id, counsellor, filename=f"n{n}.pdf")
    db.session.commit()
    with count_queries() as many:
        text = client.get(url).text
    assert "n5.pdf" in text if page != "measure" else "m5.pdf" in text and "s5.pdf" in text
    assert many.count == few.count


def test_the_workplace_sees_need_files_only_under_the_support_needs_consent(
    client, db, world, store
):
    s = world.a.student
    row = factories.attachment(s, "need", world.a.need.id, world.user(Role.COUNSELLOR))
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    url = f"/students/{s.id}/attachments/{row.id}"
    assert client.get(url).status_code == 404
    factories.consent(s, ConsentCategory.SPS, world.a.municipality, world.user(Role.COUNSELLOR))
    db.session.commit()
    assert client.get(url).status_code == 404  # SPS is not the support needs
    factories.consent(
        s, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    assert client.get(url).status_code == 200


def test_the_demo_data_has_fictional_attachments_that_download(client, db, store):
    from app import demo_data

    demo_data.load(students=60, seed=7)
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert {a.filename for a in rows} == {
        "Ordblindetest (fiktiv).pdf",
        "Afgørelse fra SPS (fiktiv).pdf",
    }
    assert len(stored_files(store)) == len(rows)
    assert all(a.content_type == "application/pdf" for a in rows)
    demo_data.delete_all()
    assert stored_files(store) == []


def test_the_access_request_hands_over_the_files_as_a_zip(client, db, world, store):
    import io
    import zipfile

    s, counsellor = world.a.student, world.user(Role.COUNSELLOR)
    first = factories.attachment(s, "measure", world.a.measure.id, counsellor)
    second = factories.attachment(
        s, "need", world.a.need.id, counsellor, data=PDF + b"%2", filename="Audiogram.pdf"
    )
    factories.attachment(
        world.b.student, "measure", world.b.measure.id, world.b.users[Role.COUNSELLOR]
    )
    db.session.commit()
    login(client, world.user(Role.SCHOOL_ADMIN))
    response = client.get(f"/students/{s.id}/access-request-files.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(
        [f"{first.id}-Ordblindetest.pdf", f"{second.id}-Audiogram.pdf"]
    )  # only this student's files
    assert archive.read(f"{second.id}-Audiogram.pdf") == PDF + b"%2"
    listed = json.loads(client.get(f"/students/{s.id}/access-request.json").data)["attachments"]
    assert {a["id"] for a in listed} == {first.id, second.id}


def test_the_case_file_pdf_names_the_files_of_the_lines_the_viewer_sees(client, db, world, store):
    from tests.support.test_privacy import pdf_text

    s = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    upload(client, s, "measure", world.a.measure.id, PDF, "SPS-Bevilling.pdf")
    assert "SPS-Bevilling.pdf" in pdf_text(client.get(f"/students/{s.id}/case-file.pdf"))
    post(client, "/logout")
    # The supervisor sees neither the line nor the file without the SPS consent.
    login(client, world.user(Role.SUPERVISOR))
    assert "SPS-Bevilling" not in pdf_text(client.get(f"/students/{s.id}/case-file.pdf"))
    assert "SPS-Bevilling" not in client.get(f"/students/{s.id}/case-file").text


def test_the_workplace_attaches_to_its_own_arrangement_and_the_school_only_reads_it(
    client, db, world, store
):
    """Support arranged at the workplace is the employer's record: its supervisor adds files,
    the school downloads them (not health-related) and may not remove them."""
    s = world.a.student
    arrangement = factories.workplace_arrangement(world.a)
    db.session.commit()

    login(client, world.user(Role.SUPERVISOR))
    answer = upload(client, s, "measure", arrangement.id, PDF, "Vagtplan.pdf")
    assert answer.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    post(client, "/logout")

    login(client, world.user(Role.COUNSELLOR))
    download = client.get(f"/students/{s.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert upload(client, s, "measure", arrangement.id, PDF, "Andet.pdf").status_code == 403
    removed = post(client, f"/students/{s.id}/attachments/{attachment.id}/delete")
    assert removed.status_code == 403
    assert _count(db) == 1 and len(stored_files(store)) == 1
