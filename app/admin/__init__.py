from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import api_clients, goals, outbox, programmes, routes, sso  # noqa: E402,F401
