"""Support needs, support measures with the SPS application, and the student's consent."""

from flask import Blueprint

bp = Blueprint("support", __name__)

from app.support import routes  # noqa: E402, F401
