from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField
from wtforms.validators import AnyOf

from app.forms import BaseForm, email_field, max_length, required


class LoginForm(BaseForm):
    email = email_field(
        _l("E-mail"),
        required(_l("Please enter your e-mail address.")),
        check=False,  # any text is tried: a wrong address is just a failed login
        autocomplete="username",
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
