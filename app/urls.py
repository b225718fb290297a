"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request


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

    With PUBLIC_BASE_URL set (e.g. https://elevsag.example.dk) the link starts with it; a
    production site must set it (Config.validate): a request's Host header is chosen by whoever
    sends it, so a password-reset link can never point at a host an attacker named, and a daily
    command has no request at all. Without it (development, tests) the request's own host is
    used, and a command without a request links to localhost, with a warning in the log (once).
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    if not base:
        if not current_app.extensions.get("public_base_url_warned"):  # once, not per mail
            current_app.logger.warning("PUBLIC_BASE_URL is not set: mail links go to localhost")
            current_app.extensions["public_base_url_warned"] = True
        base = "http://localhost:5000"
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
