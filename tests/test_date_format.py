"""Dates and times look the same everywhere (docs/dates.md): "3. dec. 2026" and
"3. dec. 2026 kl. 14.05" in Danish, English in English, and never an ISO date on a page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from flask_babel import force_locale

from app import dates
from app.models import Role
from tests.conftest import login, post

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DANISH_DATE = re.compile(
    r"\b\d{1,2}\. (?:(?:jan|feb|mar|apr|jun|jul|aug|sep|okt|nov|dec)\.|maj) \d{4}\b"
)
DANISH_MOMENT = re.compile(DANISH_DATE.pattern + r" kl\. \d{2}\.\d{2}\b")


def visible_text(page: str) -> str:
    """The page's text as a person sees it: no tags, attributes (input values included),
    scripts or styles."""
    page = re.sub(r"<(script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<textarea\b.*?</textarea>", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_two_formats_in_danish_and_english(app):
    day = date(2026, 12, 3)
    moment = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)  # 14.05 in Copenhagen
    with app.test_request_context():
        assert dates.date_text(day) == "3. dec. 2026"
        assert dates.datetime_text(moment) == "3. dec. 2026 kl. 14.05"
        assert dates.date_text(None) == dates.datetime_text(None) == ""
        with force_locale("en"):
            assert dates.date_text(day) == "Dec 3, 2026"
            assert dates.datetime_text(moment).startswith("Dec 3, 2026 at 2:05")


def _pages(world) -> list[str]:
    student, period = world.a.student, world.a.training_period
    base = f"/students/{student.id}"
    return [
        "/students/",
        base,
        f"{base}/case-file",
        f"{base}/history",
        f"{base}/support",
        f"{base}/support/measures/{world.a.measure.id}",
        f"{base}/periods/{period.id}/training",
        f"{base}/handovers/{period.id}",
        "/transitions",
        "/starting-soon",
        "/follow-ups",
        "/notifications",
        "/from-training",
    ]


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TRAINING_COORDINATOR])
def test_main_pages_show_no_iso_date(client, world, role):
    login(client, world.user(role))
    problems = []
    for url in _pages(world):
        response = client.get(url)
        if response.status_code != 200:
            continue  # a page this role may not see
        found = ISO_DATE.findall(visible_text(response.text))
        if found:
            problems.append(f"{url}: {found}")
    assert problems == []


def test_pages_show_dates_and_times_in_the_danish_format(client, world):
    login(client, world.user(Role.COUNSELLOR))
    base = f"/students/{world.a.student.id}"
    note = {"category": "general", "visibility": "shared", "body": "Et notat.", "version": ""}
    assert post(client, f"{base}/notes/new", note).status_code == 302  # a case-history line
    show = visible_text(client.get(base).text)
    assert DANISH_DATE.search(show)  # the periods
    assert DANISH_MOMENT.search(show)  # the latest case-history lines
    assert DANISH_MOMENT.search(visible_text(client.get(f"{base}/history").text))
    assert DANISH_MOMENT.search(visible_text(client.get(f"{base}/case-file").text))
    assert DANISH_MOMENT.search(visible_text(client.get("/notifications").text))
    assert DANISH_DATE.search(visible_text(client.get(f"{base}/support").text))


def test_an_english_page_shows_english_dates(client, world):
    login(client, world.user(Role.COUNSELLOR))
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = visible_text(client.get("/notifications").text)
    assert re.search(
        r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4} at ", page
    )
    assert not DANISH_MOMENT.search(page)
