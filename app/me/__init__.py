"""The student's own part: their plan, consents, warnings, reflections (docs/domain.md, "The
student"). Every page is the logged-in student's own; access is decided in app.access.me."""

from flask import Blueprint

bp = Blueprint("me", __name__)

from app.me import consents, evaluation, insight, routes, training  # noqa: E402,F401
