"""Attachments on a student's records: upload, the checks before anything is stored, who may
download, and what a download looks like."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.attachments import files
from app.models import (
    Attachment,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    ConsentCategory,
    Role,
)
from tests import factories
from tests.attachments.conftest import stored_files, upload
from tests.conftest import login, post

PDF = factories.MINIMAL_PDF


def _rows(db) -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def _download_url(student, attachment_id: int) -> str:
    return f"/students/{student.id}/attachments/{attachment_id}"


# --- upload and download ------------------------------------------------------------------------


def test_the_counsellor_attaches_a_pdf_to_a_measure_and_the_school_downloads_it(
    client, db, world, store
):
    s, measure = world.a.student, world.a.measure
    login(client, world.user(Role.COUNSELLOR))
    response = upload(client, s, "measure", measure.id, PDF, "Afgørelse fra SPS Søren.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/support/measures/{measure.id}")

    row = db.session.scalars(select(Attachment)).one()
    assert row.filename == "Afgørelse fra SPS Søren.pdf"
    assert row.content_type == "application/pdf"
    assert row.size == len(PDF)
    assert "Afg" not in row.storage_key and len(row.storage_key) == 64
    assert [p.name for p in stored_files(store)] == [row.storage_key]
    # The measure's page lists it, and the upload is in the case history.
    page = client.get(f"/students/{s.id}/support/measures/{measure.id}").text
    assert "Afgørelse fra SPS Søren.pdf" in page
    line = db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.ATTACHMENT_ADDED)
    ).one()
    assert line.data_category == ConsentCategory.SPS.value  # shown as the measure's lines
    assert line.target_id == measure.id

    post(client, "/logout")
    login(client, world.user(Role.TEACHER))
    response = client.get(_download_url(s, row.id))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Afgørelse fra SPS Søren.pdf") in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_each_download_is_in_the_access_log(client, db, world, measure_file):
    teacher = world.user(Role.TEACHER)
    login(client, teacher)
    client.get(_download_url(world.a.student, measure_file.id))
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "attachment", AuditEvent.user_id == teacher.id
        )
    ).one()
    assert event.action == AuditAction.VIEW
    assert event.object_id == measure_file.id
    assert event.student_id == world.a.student.id


def test_the_workplace_downloads_a_measures_file_only_with_the_students_consent(
    client, db, world, measure_file
):
    s, supervisor = world.a.student, world.user(Role.SUPERVISOR)
    url = _download_url(s, measure_file.id)
    login(client, supervisor)
    assert client.get(url).status_code == 404  # the SPS consent was withdrawn

    consent = factories.consent(
        s, ConsentCategory.SPS, world.a.municipality, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PDF

    consent.withdrawn_at = consent.recorded_at
    db.session.commit()
    assert client.get(url).status_code == 404


def test_the_workplace_may_not_attach_to_the_schools_support(client, db, world, store):
    s = world.a.student
    factories.consent(s, ConsentCategory.SPS, world.a.municipality, world.user(Role.COUNSELLOR))
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    assert upload(client, s, "measure", world.a.measure.id, PDF, "x.pdf").status_code == 403
    assert _rows(db) == 0 and stored_files(store) == []


def test_another_organisations_attachment_answers_404(client, db, world, store):
    b_file = factories.attachment(
        world.b.student, "measure", world.b.measure.id, world.b.users[Role.COUNSELLOR]
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))  # side A's counsellor
    assert client.get(_download_url(world.b.student, b_file.id)).status_code == 404
    # Nor through their own student's address.
    assert client.get(_download_url(world.a.student, b_file.id)).status_code == 404
    response = post(client, f"/students/{world.b.student.id}/attachments/{b_file.id}/delete")
    assert response.status_code == 404
    assert (
        upload(client, world.b.student, "measure", world.b.measure.id, PDF, "x.pdf").status_code
        == 404
    )
    # Side A's own measure id under side B's student: not found either.
    assert (
        upload(client, world.b.student, "measure", world.a.measure.id, PDF, "x.pdf").status_code
        == 404
    )
    assert _rows(db) == 1


# --- refused files ------------------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60


@pytest.mark.parametrize(
    "data", [HTML, SVG, SCRIPT, EXE], ids=["html", "svg", "script", "executable"]
)
def test_a_renamed_html_svg_script_or_program_is_refused(client, db, world, store, data):
    login(client, world.user(Role.COUNSELLOR))
    s = world.a.student
    response = upload(client, s, "measure", world.a.measure.id, data, "afgørelse.pdf")
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.text
    assert 'data-testid="error-file"' in response.text
    assert "Filtypen er ikke tilladt" in response.text
    assert _rows(db) == 0 and stored_files(store) == []


def test_a_file_over_the_limit_is_refused_in_danish_and_nothing_is_stored(
    app, client, db, world, store
):
    app.config["ATTACHMENT_MAX_BYTES"] = 2048
    login(client, world.user(Role.COUNSELLOR))
    big = PDF + b"%" * 2048
    response = upload(client, world.a.student, "measure", world.a.measure.id, big, "stor.pdf")
    assert response.status_code == 200
    assert "Filen er for stor" in response.text
    assert "højst fylde 2 kB" in response.text  # the limit as a number people read
    assert _rows(db) == 0 and stored_files(store) == []


def test_a_post_far_over_the_limit_gets_a_danish_page_not_a_bare_413(app, client, db, world, store):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    login(client, world.user(Role.COUNSELLOR))
    huge = PDF + b"%" * (3 * 1024 * 1024)
    response = upload(client, world.a.student, "measure", world.a.measure.id, huge, "x.pdf")
    assert response.status_code == 413
    assert "Filen er for stor" in response.text
    assert "højst fylde 1 MB" in response.text
    assert _rows(db) == 0 and stored_files(store) == []


def test_an_empty_upload_asks_for_a_file(client, db, world, store):
    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client, f"/students/{world.a.student.id}/attachments/measure/{world.a.measure.id}"
    )
    assert response.status_code == 200
    assert "Vælg en fil" in response.text
    assert _rows(db) == 0


# --- what counts as an allowed file, and its name -----------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _type(data: bytes) -> str | None:
    return files.content_type(io.BytesIO(data))


def test_the_type_comes_from_the_content():
    assert _type(PDF) == "application/pdf"
    assert _type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32) == "image/png"
    assert _type(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32) == "image/jpeg"
    assert _type(DOCX) == files.DOCX
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", files.ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    assert _type(odt.getvalue()) == files.ODT
    for refused in (HTML, SVG, SCRIPT, EXE, b"plain text", b"<root/>"):
        assert _type(refused) is None


def test_a_docx_must_really_be_a_word_document():
    # Any ZIP, a ZIP with a word/ folder but no document, and a macro document are refused.
    assert _type(_zip({"a.txt": b"hi"})) is None
    assert _type(_zip({"[Content_Types].xml": b"<Types/>", "word/x.xml": b"<x/>"})) is None
    macro = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00",
        }
    )
    assert _type(macro) is None


@pytest.mark.parametrize(
    ("uploaded", "mime", "safe"),
    [
        ("Ordblindetest Åse Ærø.pdf", "application/pdf", "Ordblindetest Åse Ærø.pdf"),
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\søren\\Audiogram.PDF", "application/pdf", "Audiogram.pdf"),
        # A right-to-left override makes "fdp.exe" look like "exe.pdf"; it is dropped.
        ("brev\u202efdp.exe", "application/pdf", "brevfdp.pdf"),
        ("bad\x00name\r\n.pdf", "application/pdf", "badname.pdf"),
        ('a"b;c<d>.pdf', "application/pdf", "a_b_c_d.pdf"),
        # The extension is the one of the content, whatever the name says.
        ("billede.pdf", "image/png", "billede.png"),
        ("scan", "image/jpeg", "scan.jpg"),
        ("", "application/pdf", "bilag.pdf"),
        ("...", "application/pdf", "bilag.pdf"),
        ("ø" * 300 + ".docx", files.DOCX, "ø" * 95 + ".docx"),
    ],
)
def test_file_names_are_made_safe_and_keep_danish_letters(uploaded, mime, safe):
    assert files.safe_filename(uploaded, mime) == safe
    assert len(files.safe_filename(uploaded, mime)) <= files.FILENAME_MAX


def test_a_docx_is_accepted_and_named_by_its_type(client, db, world, store):
    login(client, world.user(Role.COUNSELLOR))
    upload(client, world.a.student, "measure", world.a.measure.id, DOCX, "Handleplan.zip")
    row = db.session.scalars(select(Attachment)).one()
    assert (row.filename, row.content_type) == ("Handleplan.docx", files.DOCX)


# --- removing -----------------------------------------------------------------------------------


def test_the_counsellor_removes_a_file_and_it_is_gone_from_the_store(
    client, db, world, store, measure_file
):
    login(client, world.user(Role.TEACHER))
    url = f"/students/{world.a.student.id}/attachments/{measure_file.id}/delete"
    assert post(client, url).status_code == 403  # the teacher reads the measure, not edits it
    post(client, "/logout")
    login(client, world.user(Role.COUNSELLOR))
    assert post(client, url).status_code == 302
    assert _rows(db) == 0
    assert stored_files(store) == []
    line = db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.ATTACHMENT_REMOVED)
    ).one()
    assert line.details["filename"] == "Ordblindetest.pdf"
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == AuditAction.DELETE)
    )


def test_the_upload_page_names_the_record_in_danish(client, world, store):
    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{world.a.student.id}/attachments/measure/{world.a.measure.id}")
    assert page.status_code == 200
    assert "Vedhæft en fil til støtteforanstaltningen" in page.text
