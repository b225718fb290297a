"""Retention (docs/retention.md): the rules per kind of record, legal holds on students, and
the engine that deletes or anonymises what is due (`flask retention run`, nightly)."""

from flask import Blueprint

bp = Blueprint("retention", __name__)

from app.retention import routes  # noqa: E402,F401
