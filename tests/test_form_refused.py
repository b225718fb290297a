"""A form refused for a stale or forged CSRF token, or posted after the idle logout, is never
saved and never loses what was typed (app/errors.py, app/forms.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select, update

from app.models import CaseNote, LoginSession, Role, SupportNeed
from app.models.base import utcnow
from tests.conftest import csrf_token, login, post
from tests.support.test_records import _need_form

FORGED = {"csrf_token": "IjAwMDAi.forged.token"}
MESSAGE = "Din session var udløbet eller formularen var for gammel."
TEXT = "Eleven mødte op til samtalen og fortalte om sin praktik – æøå."


def _saved(db, column) -> int:
    """How many rows hold the typed text."""
    return db.session.execute(select(func.count()).where(column == TEXT)).scalar_one()


def _summary_links(page: str) -> list[str]:
    summary = page.split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def test_a_note_with_a_forged_token_comes_back_filled_with_a_message(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/notes/new"
    response = client.post(
        url, data={**FORGED, "category": "wellbeing", "visibility": "own", "body": TEXT}
    )
    assert response.status_code == 400
    page = unescape(response.text)
    assert _saved(db, CaseNote.body) == 0  # never saved on a bad token
    assert MESSAGE in page
    assert _summary_links(page) == ["body"]  # the summary links to the typed field
    assert f"{TEXT}</textarea>" in page
    assert '<option selected value="wellbeing">' in page
    assert '<option selected value="own">' in page
    assert "forged.token" not in page  # a fresh token to send it again with
    # Pressing save again (with the page's fresh token) saves it.
    again = post(client, url, {"category": "wellbeing", "visibility": "own", "body": TEXT})
    assert again.status_code == 302
    assert _saved(db, CaseNote.body) == 1


def test_a_support_need_with_a_forged_token_keeps_the_text_and_saves_nothing(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/support/needs/new"
    data = {**_need_form(world), **FORGED, "description": TEXT}
    response = client.post(url, data=data)
    assert response.status_code == 400
    page = unescape(response.text)
    assert _saved(db, SupportNeed.description) == 0
    assert MESSAGE in page and TEXT in page
    assert _summary_links(page) == ["description"]


def test_a_forged_form_from_another_site_is_refused_without_showing_its_text(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/notes/new"
    response = client.post(
        url,
        data={**FORGED, "category": "wellbeing", "visibility": "own", "body": TEXT},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert response.status_code == 400
    assert TEXT not in unescape(response.text)
    assert _saved(db, CaseNote.body) == 0


def test_a_form_without_a_get_page_keeps_the_text_on_a_page_of_its_own(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    response = client.post(
        f"/students/{world.a.student.id}/plan", data={**FORGED, "plan": "Plan om praktik\nlinje 2"}
    )
    assert response.status_code == 400
    page = unescape(response.text)
    assert "Plan om praktik\nlinje 2" in page and "Send igen" in page


def test_a_note_posted_after_the_idle_logout_is_kept_and_asks_to_log_in_again(
    app, client, db, world
):
    login(client, world.user(Role.COUNSELLOR))
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - idle))
    db.session.commit()
    url = f"/students/{world.a.student.id}/notes/new"
    response = post(client, url, {"category": "wellbeing", "visibility": "shared", "body": TEXT})
    assert response.status_code == 401
    page = unescape(response.text)
    assert _saved(db, CaseNote.body) == 0
    assert "Du er blevet logget ud" in page and TEXT in page
    assert 'data-testid="login-again"' in page


def test_a_logged_out_post_with_a_stale_token_keeps_the_text(client, db, world):
    url = f"/students/{world.a.student.id}/notes/new"
    response = client.post(url, data={**FORGED, "body": TEXT, "category": "wellbeing"})
    assert response.status_code == 400
    page = unescape(response.text)
    assert "Du er blevet logget ud" in page and TEXT in page
    assert _saved(db, CaseNote.body) == 0


def test_a_forged_login_keeps_the_email_and_starts_no_session(client, db, world):
    user = world.user(Role.COUNSELLOR)
    response = client.post("/login", data={**FORGED, "email": user.email, "password": "x"})
    assert response.status_code == 400
    page = unescape(response.text)
    assert f'value="{user.email}"' in page and MESSAGE in page
    assert db.session.execute(select(func.count(LoginSession.id))).scalar_one() == 0


# --- the idle-logout warning and its "Stay logged in" ---------------------------------------


def test_pages_tell_the_warning_script_how_long_the_session_lasts(app, client, world):
    login(client, world.user(Role.COUNSELLOR))
    page = client.get("/students/").text
    left = int(re.search(r'data-session-left="(\d+)"', page).group(1))
    assert (
        app.config["SESSION_IDLE_MINUTES"] * 60 - 120
        < left
        <= app.config["SESSION_IDLE_MINUTES"] * 60
    )
    assert f'data-session-warn="{app.config["SESSION_WARN_MINUTES"] * 60}"' in page
    assert 'src="/static/js/session-timeout.js"' in page
    assert 'data-testid="session-extend"' in page and "Bliv logget ind" in page


def test_the_login_page_has_no_idle_warning(client):
    page = client.get("/login").text
    assert "data-session-left" not in page and "session-timeout.js" not in page


def test_stay_logged_in_starts_the_idle_time_again(app, client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    almost = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - almost))
    db.session.commit()
    response = client.post("/session/keep-alive", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200
    assert response.json["seconds_left"] > (app.config["SESSION_IDLE_MINUTES"] - 1) * 60
    row = db.session.execute(select(LoginSession)).scalar_one()
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_stay_logged_in_needs_the_token_and_a_login(client, world):
    assert client.post("/session/keep-alive").status_code in (302, 400)
    login(client, world.user(Role.COUNSELLOR))
    assert client.post("/session/keep-alive").status_code == 400  # no CSRF token
