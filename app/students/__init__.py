from flask import Blueprint

bp = Blueprint("students", __name__)

from app.students import conversations, routes  # noqa: E402,F401
