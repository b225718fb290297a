"""Early signs that a student is at risk (docs/risk.md): the rules (`rules`), their wording
(`texts`), the list "Elever med risikotegn" and the rules' admin page (`routes`), and the
nightly refresh of the flags (`services`, `flask risk refresh`)."""

from flask import Blueprint

bp = Blueprint("risk", __name__)

from app.risk import routes  # noqa: E402,F401
