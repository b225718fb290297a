from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import goals, outbox, programmes, routes, sso  # noqa: E402,F401
