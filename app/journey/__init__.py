"""The student's journey: plan, periods, transitions and handover notes."""

from flask import Blueprint

bp = Blueprint("journey", __name__)

from app.journey import routes  # noqa: E402,F401
