"""Imports: students and class teams from the school administration system's file, training
agreements from an employer's file, and the plans of a whole class team in one step
(docs/import.md)."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from app.imports import routes  # noqa: E402,F401
