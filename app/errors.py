"""Error pages. A 500 rolls back the session so a half-done change is never committed."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from app.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("No access"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action cannot be done in that way.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("An error occurred. Nothing was saved. Try again.")),
}


def _render(code: int, message=None):
    title, text = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


def register(app: Flask) -> None:
    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, lambda error, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return _render(
            400,
            _l("The form had expired or was sent from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return _render(500)
