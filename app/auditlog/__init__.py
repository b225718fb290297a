"""The access-log review (docs/access-log.md): an organisation's admins and its
data-protection adviser read, filter and export the access log of their organisation, and see
flags for unusual reading (app.auditlog.flags). Who sees which rows: app.access.auditlog."""

from flask import Blueprint

bp = Blueprint("auditlog", __name__)

from app.auditlog import routes  # noqa: E402,F401
