from flask import render_template

from app.access import ORG_ADMIN_ROLES, roles_required
from app.admin import bp
from app.models import Role


@bp.route("/")
@roles_required(Role.SYSTEM_ADMIN, *ORG_ADMIN_ROLES)
def index():
    return render_template("admin/index.html")
