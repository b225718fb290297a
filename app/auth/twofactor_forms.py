"""Forms of two-factor login (app.auth.twofactor_routes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField

from app.forms import BaseForm, max_length, required, text_field


class EnrolForm(BaseForm):
    code = text_field(
        _l("Code from the app"),
        required(_l("Please enter the code.")),
        max_chars=40,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class CodeForm(BaseForm):
    """The code from the app, or one of the recovery codes."""

    code = text_field(
        _l("Code"),
        required(_l("Please enter the code.")),
        max_chars=40,
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
    )
    next = HiddenField()


class StepUpPasswordForm(BaseForm):
    password = PasswordField(
        _l("Password"),
        validators=[required(_l("Please enter your password.")), max_length(200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
