"""The case file: what each viewer sees, notes and their safety, filters, search, PDF, size."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from app.models import (
    CaseEvent,
    CaseEventKind,
    CaseNote,
    ConsentCategory,
    Role,
)
from app.models.base import utcnow
from tests import factories
from tests.conftest import login, post
from tests.support.test_privacy import pdf_text


def _note(client, world, body, visibility="shared", category="general"):
    return post(
        client,
        f"/students/{world.a.student.id}/notes/new",
        {"category": category, "visibility": visibility, "body": body, "version": ""},
    )


def _case_file(client, world, query: str = "") -> str:
    return client.get(f"/students/{world.a.student.id}/case-file{query}").text


def _pdf(client, world, query: str = "") -> str:
    return pdf_text(client.get(f"/students/{world.a.student.id}/case-file.pdf{query}"))


def test_a_shared_note_is_read_by_the_partner_and_an_own_note_is_not(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    assert _note(client, world, "DELT-NOTAT-1a2b").status_code == 302
    assert _note(client, world, "SKOLENS-EGET-9z8y", visibility="own").status_code == 302
    page = _case_file(client, world)
    assert "DELT-NOTAT-1a2b" in page and "SKOLENS-EGET-9z8y" in page
    post(client, "/logout")

    login(client, world.user(Role.TEACHER))  # same school
    assert "SKOLENS-EGET-9z8y" in _case_file(client, world)
    post(client, "/logout")

    for role in (Role.TRAINING_COORDINATOR, Role.SUPERVISOR):
        login(client, world.user(role))
        page, pdf = _case_file(client, world), _pdf(client, world)
        assert "DELT-NOTAT-1a2b" in page and "DELT-NOTAT-1a2b" in pdf
        assert "SKOLENS-EGET-9z8y" not in page and "SKOLENS-EGET-9z8y" not in pdf
        assert "SKOLENS" not in client.get(f"/students/{world.a.student.id}/history").text
        post(client, "/logout")


def test_support_lines_follow_consent_and_health_notes_too(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    _note(client, world, "HELBRED-NOTAT-77", category="health")
    post(
        client,
        f"/students/{world.a.student.id}/support/measures/new",
        {
            "type": "it_package",
            "provider": "school",
            "description": "x",
            "start_date": utcnow().date().isoformat(),
            "owner": str(counsellor.id),
            "status": "active",
        },
    )
    assert "IT-pakke" in _case_file(client, world)
    post(client, "/logout")

    login(client, world.user(Role.SUPERVISOR))
    page, pdf = _case_file(client, world), _pdf(client, world)
    for sentinel in ("IT-pakke", "HELBRED-NOTAT-77"):
        assert sentinel not in page and sentinel.replace(" ", "") not in pdf
    factories.consent(world.a.student, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    assert "IT-pakke" in _case_file(client, world)
    assert "HELBRED-NOTAT-77" not in _case_file(client, world)


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('x')</script>Hej",
        "<img src=x onerror=alert(1)>Hej",
        "{{7*7}} og {% raw %}",
        "<b>Fed</b> <a href='javascript:alert(1)'>link</a>",
        # With the Markdown markers, scripts are still removed.
        "**Fed** <script>alert(1)</script>",
        "[klik](https://example.org) <img src=x onerror=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt; tekst",
        '<a href="https://example.org" onclick="alert(1)">rå link</a>',
    ],
)
def test_a_hostile_note_is_stored_and_shown_harmless_everywhere(client, db, world, body):
    login(client, world.user(Role.COUNSELLOR))
    assert _note(client, world, body).status_code == 302
    stored = db.session.execute(select(CaseNote.body).order_by(CaseNote.id.desc())).scalar()
    for bad in ("<script", "onerror", "<img", "javascript:", "<a "):
        assert bad not in stored
    page = _case_file(client, world)
    note_html = page.split('data-testid="note-')[1].split("</div>")[0]
    for bad in ("<script", "onerror", "<img", "javascript:"):
        assert bad not in note_html
    if "{{" in body:
        assert "{{7*7}}" in note_html and "49" not in note_html
        assert "{{7*7}}" in _pdf(client, world)
    if "<b>" in body:
        assert "<b>Fed</b>" in note_html  # safe formatting is kept


def test_the_pdf_renderer_fetches_nothing_a_note_points_at(client, db, world, monkeypatch):
    from app import pdf

    fetched: list[str] = []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    login(client, world.user(Role.COUNSELLOR))
    _note(client, world, '<img src="file:///etc/passwd"><p>Se vedhæftet</p>')
    # Even markup that got into the database some other way is never fetched.
    note = db.session.execute(select(CaseNote).order_by(CaseNote.id.desc())).scalar()
    note.body += (
        '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://evil.test/x.css">'
    )
    db.session.commit()
    text = _pdf(client, world)
    assert "Sevedhæftet" in text
    assert all(url.startswith("https://elevsag.invalid/static/") for url in fetched), fetched
    assert not any("passwd" in url or "evil" in url for url in fetched)


def test_filters_and_search(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    _note(client, world, "Samtale om fremmøde og motivation")
    notes_only = _case_file(client, world, "?kind=notes")
    assert 'data-kind="note_written"' in notes_only
    assert 'data-kind="handover_written"' not in notes_only
    found = _case_file(client, world, "?q=MOTIVATION")
    assert "Samtale om fremmøde og motivation" in found
    assert "1 resultat" in found
    assert "Samtale om" not in _case_file(client, world, "?q=ingen-saadan-tekst")
    school = _case_file(client, world, f"?organisation={world.a.school.id}")
    assert "Samtale om fremmøde" in school
    municipality = _case_file(client, world, f"?organisation={world.a.municipality.id}")
    assert "Samtale om fremmøde" not in municipality


@pytest.mark.parametrize("query", ["?kind=secret", "?period=abc", "?organisation=999999"])
def test_bad_filters_show_an_error_not_a_500(client, world, query):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get(f"/students/{world.a.student.id}/case-file{query}")
    assert response.status_code == 200 and "form-error-message" in response.text


def test_a_note_can_be_corrected_by_its_author_for_a_while(app, client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    _note(client, world, "Første udgave")
    note = db.session.execute(
        select(CaseNote).where(CaseNote.body.contains("Første udgave"))
    ).scalar_one()
    url = f"/students/{world.a.student.id}/notes/{note.id}/edit"
    form = {"category": "general", "visibility": "shared", "body": "Rettet udgave"}
    assert post(client, url, {**form, "version": str(note.version_id)}).status_code == 302
    assert "Rettet udgave" in _case_file(client, world)
    history = (
        db.session.execute(
            select(CaseEvent.kind).where(CaseEvent.note_id == note.id).order_by(CaseEvent.id)
        )
        .scalars()
        .all()
    )
    assert history == [CaseEventKind.NOTE_WRITTEN, CaseEventKind.NOTE_CHANGED]

    db.session.refresh(note)
    note.created_at = utcnow() - timedelta(minutes=app.config["NOTE_EDIT_MINUTES"] + 1)
    db.session.commit()
    response = post(client, url, {**form, "body": "For sent", "version": str(note.version_id)})
    assert response.status_code == 403
    db.session.refresh(note)
    assert note.body == "Rettet udgave"
    post(client, "/logout")
    login(client, world.user(Role.TEACHER))
    assert client.get(url).status_code == 403  # someone else's note
    post(client, "/logout")
    login(client, world.user(Role.COUNSELLOR, "b"))
    assert client.get(url).status_code == 404


def test_a_note_form_refuses_bad_input_and_keeps_the_text(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    before = db.session.execute(select(func.count(CaseNote.id))).scalar_one()
    for data, field in (
        ({"body": "", "category": "general", "visibility": "shared"}, "body"),
        ({"body": "x" * 10001, "category": "general", "visibility": "shared"}, "body"),
        ({"body": "Bevar mig", "category": "gossip", "visibility": "shared"}, "category"),
        ({"body": "Bevar mig", "category": "general", "visibility": "everyone"}, "visibility"),
        ({"body": "<script>x</script>", "category": "general", "visibility": "shared"}, "body"),
    ):
        response = post(client, f"/students/{world.a.student.id}/notes/new", data)
        assert response.status_code == 200
        assert f'data-testid="error-{field}"' in response.text
        if data["body"] == "Bevar mig":
            assert "Bevar mig" in response.text
    assert db.session.execute(select(func.count(CaseNote.id))).scalar_one() == before


def test_the_error_summary_links_each_error_to_its_field(client, db, world):
    """DKFDS's error summary: focusable, found by its JavaScript, and each error a link to the
    field's id with the field's label; required fields say so visibly in their label."""
    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client,
        f"/students/{world.a.student.id}/notes/new",
        {"body": "", "category": "gossip", "visibility": "shared"},
    )
    assert response.status_code == 200
    page = response.text
    start = page.index('data-testid="error-summary"')
    summary = page[page.rindex("<div", 0, start) : page.index("</ul>", start)]
    assert 'data-module="error-summary"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#body" class="function-link">Bemærkning: Udfyld feltet.</a>' in summary
    assert '<a href="#category" class="function-link">Kategori: ' in summary
    assert 'href="#visibility"' not in summary  # no error there
    assert summary.index('href="#category"') < summary.index('href="#body"')  # form order
    assert 'id="body"' in page and 'data-testid="error-body"' in page
    assert '<span class="weight-normal" data-testid="required-body"> (*skal udfyldes)</span>' in (
        page
    )


def _bulk_history(db, world, n: int) -> None:
    start = utcnow() - timedelta(days=n)
    db.session.execute(
        insert(CaseEvent),
        [
            {
                "student_id": world.a.student.id,
                "user_id": world.user(Role.TEACHER).id,
                "organisation_id": world.a.school.id,
                "kind": CaseEventKind.PERIOD_CHANGED,
                "details": {"period": f"Periode {i}"},
                "at": start + timedelta(hours=i),
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def test_a_case_file_of_2000_lines_pages_fast_with_a_fixed_number_of_queries(
    client, db, world, count_queries
):
    login(client, world.user(Role.TRAINING_COORDINATOR))
    url = f"/students/{world.a.student.id}/case-file"
    with count_queries() as few:
        client.get(url)
    _bulk_history(db, world, 2000)
    with count_queries() as many:
        started = time.perf_counter()
        page = client.get(url).text
        elapsed = time.perf_counter() - started
    assert "Periode 1999" in page and "Periode 1974" not in page  # the newest page only
    assert many.count == few.count
    assert elapsed < 2.0

    # The PDF holds the newest 500 lines (about 15 pages); the filters reach older ones.
    started = time.perf_counter()
    text = pdf_text(client.get(f"{url}.pdf"))
    assert time.perf_counter() - started < 20
    assert "Periode1999" in text and "Periode1500" in text and "Periode1499" not in text
    older = pdf_text(client.get(f"{url}.pdf?q=Periode%201499"))
    assert "Periode1499" in older


def _shown(client, world) -> str:
    """The newest note as the case file shows it."""
    return _case_file(client, world).split('data-testid="note-')[1].split("</div>")[0]


def test_markers_format_a_note_and_links_are_safe(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    body = (
        "**Vigtigt**: aftalt i dag\n- mødetid kl. 8\n- madpakke\n\n1. ring\n2. skriv\n\n"
        "Se [vejledningen](https://example.org/vejledning?a=1&b=2) og "
        "[dette](javascript:alert(1))"
    )
    assert _note(client, world, body).status_code == 302
    stored = db.session.execute(select(CaseNote.body).order_by(CaseNote.id.desc())).scalar()
    assert stored == body  # what was typed is kept, markers and all, to edit again
    shown = _shown(client, world)
    assert "<strong>Vigtigt</strong>" in shown
    assert "<ul>\n<li>mødetid kl. 8</li>\n<li>madpakke</li>\n</ul>" in shown
    assert "<ol>\n<li>ring</li>\n<li>skriv</li>\n</ol>" in shown
    assert (
        '<a href="https://example.org/vejledning?a=1&amp;b=2" '
        'rel="noopener noreferrer nofollow">vejledningen</a>'
    ) in shown
    assert "javascript:" not in shown.replace("[dette](javascript:alert(1))", "")
    assert 'href="javascript' not in shown
    assert "Vigtigt" in _pdf(client, world)


def test_notes_written_as_html_before_the_markers_still_render_cleaned(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    _note(client, world, "ny")
    note = db.session.execute(select(CaseNote).order_by(CaseNote.id.desc())).scalar()
    note.body = "<p><b>Gammel</b> note</p>\n<ul><li>punkt</li></ul><script>alert(1)</script>"
    db.session.commit()
    shown = _shown(client, world)
    assert "<p><b>Gammel</b> note</p>" in shown and "<li>punkt</li>" in shown
    assert "<script" not in shown


def test_a_new_note_is_kept_to_the_own_organisation_by_default(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    form = client.get(f"/students/{world.a.student.id}/notes/new").text
    assert '<option selected value="own">' in form
    assert '<option selected value="shared">' not in form
    # Without JavaScript the buttons stay hidden and the hint explains the markers.
    assert "data-format-toolbar" in form and 'data-link-text="tekst" hidden>' in form
    assert "**fed**" in form and "[tekst](https://…)" in form


def test_every_kind_of_history_line_can_be_found_by_the_kind_filter():
    """A new kind of line (a leave, an import) must land in one filter group, or filtering the
    case file by its kind would hide it: each kind is in exactly one group."""
    from app.casefile.routes import KIND_GROUPS
    from app.models import CaseEventKind

    grouped = [kind for kinds in KIND_GROUPS.values() for kind in kinds]
    assert sorted(grouped) == sorted(CaseEventKind)
