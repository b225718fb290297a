from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import preferences, routes, sso_routes, twofactor_routes  # noqa: E402,F401
