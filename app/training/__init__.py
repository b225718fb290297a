"""Training periods at the workplace: goals and assessments, experiences, learning agreements,
mid-period evaluations, warnings, declarations and absence."""

from flask import Blueprint

bp = Blueprint("training", __name__)

from app.training import declarations, progress, reflections, routes  # noqa: E402, F401
