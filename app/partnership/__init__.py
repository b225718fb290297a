"""The partnership between schools, municipalities and the region: its members and anchor
municipality, and the annual action plan with its initiatives and progress notes
(docs/domain.md, "How the app applies the partnership"). Access: app.access.partnership."""

from flask import Blueprint

bp = Blueprint("partnership", __name__)

from app.partnership import dimensioning_routes, evaluations, meetings, routes  # noqa: E402,F401
