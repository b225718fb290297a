"""API clients (docs/api.md): the organisation's admins (and the system administrator) list
their organisation's clients, make one (its token is shown once, never again: only its hash
is kept) and revoke one. Which clients an admin manages is decided in app.access.api."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from app import access, labels
from app.access.roles import any_admin
from app.admin import bp
from app.api.clients import create_client, revoke_client
from app.extensions import db
from app.forms import BaseForm, MultiCheckboxField, text_field
from app.models import API_SCOPES, ApiClient, Organisation, Role

SCOPE_LABELS = {
    "read": _l("Read students, plans and agreements"),
    "write": _l("Create and change students and agreements"),
}


class ApiClientForm(BaseForm):
    name = text_field(_l("Name of the system"), required=True, max_chars=120, plain=True)
    organisation = SelectField(_l("Organisation"))
    role = SelectField(
        _l("Acts with the access of"),
        description=_l("The client sees and may do exactly what a person in this role sees."),
    )
    scopes = MultiCheckboxField(
        _l("What it may do"),
        choices=[(s, SCOPE_LABELS[s]) for s in API_SCOPES],
        validators=[InputRequired(message=_l("Choose at least one."))],
    )

    def validate_role(self, field) -> None:
        organisation = self.chosen_organisation()
        if organisation is not None and field.data not in {
            r.value for r in access.api.client_roles(organisation.kind)
        }:
            raise ValidationError(_l("This role does not fit the organisation's kind."))

    def chosen_organisation(self) -> Organisation | None:
        """The chosen organisation, if it is one of those offered (the admin's own)."""
        offered = {value for value, _label in self.organisation.choices or ()}
        if self.organisation.data not in offered:
            return None
        return db.session.get(Organisation, int(self.organisation.data))


def _organisations() -> list[Organisation]:
    return [
        o
        for o in db.session.execute(access.administered_organisations(current_user)).scalars()
        if access.api.client_roles(o.kind)
    ]


@bp.route("/api-clients")
@any_admin
def api_clients():
    clients = db.session.execute(
        access.api.administered_api_clients(current_user)
        .options(joinedload(ApiClient.organisation), joinedload(ApiClient.user))
        .order_by(ApiClient.revoked_at.is_not(None), ApiClient.created_at.desc())
    ).scalars()
    return render_template(
        "admin/api_clients.html", clients=list(clients), scope_labels=SCOPE_LABELS
    )


@bp.route("/api-clients/new", methods=["GET", "POST"])
@any_admin
def new_api_client():
    form = ApiClientForm()
    organisations = _organisations()
    form.organisation.choices = [(str(o.id), o.name) for o in organisations]
    roles = sorted({r for o in organisations for r in access.api.client_roles(o.kind)})
    form.role.choices = [(r.value, labels.ROLE[r]) for r in roles]
    if form.validate_on_submit():
        client, token = create_client(
            form.chosen_organisation(),
            form.name.data,
            Role(form.role.data),
            form.scopes.data,
            current_user,
        )
        db.session.commit()
        # The token is shown on this answer only; it is not stored and cannot be shown again.
        return render_template("admin/api_clients_token.html", client=client, token=token)
    return render_template("admin/api_clients_new.html", form=form)


@bp.route("/api-clients/<int:client_id>/revoke", methods=["POST"])
@any_admin
def revoke_api_client(client_id: int):
    client = access.api.get_administered_api_client_or_404(client_id, current_user)
    revoke_client(client, current_user)
    db.session.commit()
    flash(_("The API client was revoked: its token no longer works."), "success")
    return redirect(url_for("admin.api_clients"))
