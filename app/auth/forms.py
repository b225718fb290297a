from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField
from wtforms.validators import AnyOf
from wtforms.widgets import EmailInput

from app.forms import BaseForm, max_length, required, text_field


class LoginForm(BaseForm):
    email = text_field(
        _l("E-mail"),
        required(_l("Please enter your e-mail address.")),
        max_length(254),
        widget=EmailInput(),
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(_l("Please enter your password.")), max_length(200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LanguageForm(BaseForm):
    language = SelectField(
        _l("Language"),
        choices=[("da", "Dansk"), ("en", "English")],
        validators=[AnyOf(["da", "en"])],
    )
    next = HiddenField()
