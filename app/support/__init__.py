"""Support needs, support measures with the SPS application, and the student's consent; support
arranged at the workplace, and asking the school for help (app.support.help)."""

from flask import Blueprint

bp = Blueprint("support", __name__)

from app.support import help, routes  # noqa: E402, F401
