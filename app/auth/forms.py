from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, RadioField, SelectField
from wtforms.validators import AnyOf, InputRequired

from app.forms import BaseForm, email_field, max_length, required
from app.mail.notices import CHOICE_NAME, KIND_NAME, KINDS


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


class MailPreferencesForm(BaseForm):
    """One choice per kind of notice (app.mail.notices): immediately, daily summary, off.
    Its fields are named by the kinds' values."""

    def choice_fields(self) -> list:
        return [self[kind.value] for kind in KINDS]


for _kind in KINDS:
    setattr(
        MailPreferencesForm,
        _kind.value,
        RadioField(
            KIND_NAME[_kind],
            choices=[(choice.value, name) for choice, name in CHOICE_NAME.items()],
            validators=[InputRequired(_l("Choose how you want to hear about this."))],
        ),
    )
del _kind


class LanguageForm(BaseForm):
    language = SelectField(
        _l("Language"),
        choices=[("da", "Dansk"), ("en", "English")],
        validators=[AnyOf(["da", "en"])],
    )
    next = HiddenField()
