from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, RadioField, SelectField
from wtforms.validators import AnyOf, EqualTo, InputRequired, ValidationError

from app.auth.passwords import password_problems
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


class ForgotPasswordForm(BaseForm):
    email = email_field(
        _l("E-mail"),
        required(_l("Please enter your e-mail address.")),
        autocomplete="username",
    )


class NewPasswordForm(BaseForm):
    """Choosing a password through an invitation or reset link. `email` is the account's
    address: the password may not contain it."""

    password = PasswordField(
        _l("New password"),
        validators=[required(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_password(self, field) -> None:
        if field.errors:
            return
        problems = password_problems(field.data, self.email)
        if problems:
            raise ValidationError(" ".join(str(problem) for problem in problems))
