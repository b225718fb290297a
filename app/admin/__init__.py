from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import goals, programmes, routes  # noqa: E402,F401
