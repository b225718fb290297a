"""The student's access request (indsigtsanmodning): everything held about one student."""

from flask import Blueprint

bp = Blueprint("export", __name__)

from app.export import routes  # noqa: E402, F401
