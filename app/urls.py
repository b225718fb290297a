"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link to `endpoint` for an e-mail.

    With PUBLIC_BASE_URL set (e.g. https://elevsag.example.dk) the link starts with it. Only
    without it is the request's own host used: a request's Host header is chosen by whoever
    sends it, so a production site sets PUBLIC_BASE_URL and a password-reset link can never
    point at a host an attacker named.
    """
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
