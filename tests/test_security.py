"""Headers, cookies and configuration that protect every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from app.models import Role
from config import Config, TestConfig
from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_pages_send_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/elevsag.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = login(client, world.user(Role.TEACHER))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookie_is_secure_and_sends_hsts(monkeypatch):
    class Production(Config):
        SECRET_KEY = "x" * 40
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI
        SINGLE_PROCESS = True  # memory storage for the login limiter is then allowed
        PUBLIC_BASE_URL = "https://elevsag.example"

    app = create_app(Production)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_client() as c:
        response = c.get("/login", base_url="https://elevsag.example")
        assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    class Production(Config):
        SECRET_KEY = secret

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_templates_have_no_inline_script_or_style_that_the_csp_would_block():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: inline event handler")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


def test_error_pages_are_danish_and_leak_nothing(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.text
    assert "Traceback" not in response.text
