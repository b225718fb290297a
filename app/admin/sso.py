"""Single sign-on settings of an organisation (app.auth.sso): its OpenID Connect provider.

The client secret is stored but never shown back: the field is empty in the form, and left
empty it keeps the saved secret.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, PasswordField
from wtforms.validators import ValidationError

from app import access, audit
from app.access.roles import any_admin
from app.admin import bp
from app.extensions import db
from app.forms import BaseForm, max_length, strip, text_field
from app.models import AuditAction, Organisation, OrganisationSso
from app.models.sso import DEFAULT_SCOPES
from app.urls import external_url

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SCOPE = re.compile(r"^[A-Za-z0-9_:./-]+$")


class SsoForm(BaseForm):
    enabled = BooleanField(_l("Staff can log in through this service"), default=True)
    provider_name = text_field(
        _l("Name of the sign-in service"), required=True, max_chars=80, plain=True
    )
    issuer = text_field(_l("Issuer"), required=True, max_chars=300, plain=True)
    client_id = text_field(_l("Client ID"), required=True, max_chars=200, plain=True)
    client_secret = PasswordField(
        _l("Client secret"),
        filters=[strip],
        validators=[max_length(500)],
        render_kw={"autocomplete": "new-password"},  # never the admin's own password
    )
    scopes = text_field(
        _l("Scopes"), required=True, max_chars=200, plain=True, default=DEFAULT_SCOPES
    )
    required = BooleanField(_l("Staff must log in this way (their password login is refused)"))
    provider_mfa = BooleanField(
        _l("The service asks for a second factor itself (MitID Erhverv always does)"),
        default=True,
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret

    def validate_issuer(self, field) -> None:
        if field.errors:
            return
        try:
            parts = urlsplit(field.data)
            host = parts.hostname or ""
        except ValueError:
            host, parts = "", None
        loopback_http = (
            parts is not None
            and parts.scheme == "http"
            and host in _LOOPBACK
            and current_app.config["SSO_ALLOW_LOOPBACK_HTTP"]
        )
        if parts is None or not host or not (parts.scheme == "https" or loopback_http):
            raise ValidationError(
                _l(
                    "Write the issuer's address starting with https://, e.g. %(example)s.",
                    example="https://login.microsoftonline.com/<tenant-id>/v2.0",
                )
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValidationError(
                _l("The issuer's address has no ?, # or user name: copy it from the service.")
            )

    def validate_client_secret(self, field) -> None:
        if not field.errors and not field.data and not self.has_secret:
            raise ValidationError(_l("Please fill in this field."))

    def validate_scopes(self, field) -> None:
        if field.errors:
            return
        scopes = field.data.split()
        if not all(_SCOPE.match(s) for s in scopes):
            raise ValidationError(_l("Separate the scopes with spaces; letters and digits only."))
        if "openid" not in scopes or "email" not in scopes:
            raise ValidationError(_l("The scopes must include openid and email."))


@bp.route("/organisations/<int:organisation_id>/sso", methods=["GET", "POST"])
@any_admin
def sso_settings(organisation_id: int):
    organisation = access.sso.get_sso_organisation_or_404(organisation_id, current_user)
    config = db.session.execute(
        select(OrganisationSso).where(OrganisationSso.organisation_id == organisation.id)
    ).scalar_one_or_none()
    form = SsoForm(obj=config, has_secret=config is not None and bool(config.client_secret))
    form.client_secret.data = "" if not form.is_submitted() else form.client_secret.data
    if form.validate_on_submit():
        created = config is None
        if created:
            config = OrganisationSso(organisation_id=organisation.id)
            db.session.add(config)
        config.enabled = form.enabled.data
        config.provider_name = form.provider_name.data
        config.issuer = form.issuer.data.rstrip("/")
        config.client_id = form.client_id.data
        if form.client_secret.data:
            config.client_secret = form.client_secret.data
        config.scopes = " ".join(form.scopes.data.split())
        config.required = form.required.data
        config.provider_mfa = form.provider_mfa.data
        db.session.flush()
        audit.record(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=config,
            criterion=f"single sign-on of {organisation.name}",
        )
        db.session.commit()
        flash(_("The single sign-on settings were saved."), "success")
        return redirect(url_for("admin.sso_settings", organisation_id=organisation.id))
    return render_template(
        "admin/sso.html",
        form=form,
        organisation=organisation,
        sso=config,
        redirect_uri=external_url("auth.sso_callback", organisation_id=organisation.id),
        logout_uri=external_url("auth.login"),
    )


def organisations_with_sso_pages() -> list[Organisation]:
    """For the admin start page: an organisation admin's own organisations."""
    query = access.sso.sso_organisations_listed(current_user)
    if query is None:
        return []
    return list(db.session.execute(query.order_by(None).order_by(Organisation.name)).scalars())
