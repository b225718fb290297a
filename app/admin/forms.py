from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, Length, Optional, Regexp, ValidationError

from app import labels
from app.extensions import db
from app.forms import BaseForm, max_length, plain_text, required, strip
from app.models import Organisation, User, Workplace

MIN_PASSWORD = 12


class SearchForm(BaseForm):
    """Filter bar of the admin lists (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[max_length(100), plain_text])
    kind = SelectField(_l("Kind"), default="", validate_choice=True)
    organisation = SelectField(_l("Organisation"), default="")


class _Unique:
    """validate_<field> helper: refuse a value another row of `model` already has."""

    def __init__(self, model, column: str, message) -> None:
        self.model, self.column, self.message = model, column, message

    def __call__(self, form, field) -> None:
        column = getattr(self.model, self.column)
        query = select(self.model.id).where(func.lower(column) == (field.data or "").lower())
        if form.obj_id is not None:
            query = query.where(self.model.id != form.obj_id)
        if db.session.execute(query).first():
            raise ValidationError(self.message)


class OrganisationForm(BaseForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            required(),
            max_length(120),
            plain_text,
            _Unique(Organisation, "name", _l("An organisation with this name already exists.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=labels.choices(labels.ORGANISATION_KIND))
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            required(),
            max_length(20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and - only.")),
            _Unique(Organisation, "code", _l("An organisation with this code already exists.")),
        ],
    )
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, obj_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.obj_id = obj_id


class WorkplaceForm(BaseForm):
    organisation = SelectField(_l("Municipality or region"))
    name = StringField(
        _l("Name"), filters=[strip], validators=[required(), max_length(120), plain_text]
    )
    kind = SelectField(_l("Kind"), choices=labels.choices(labels.WORKPLACE_KIND))
    address = StringField(
        _l("Address"), filters=[strip], validators=[Optional(), max_length(200), plain_text]
    )
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, obj_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.obj_id = obj_id

    def validate_name(self, field) -> None:
        if self.organisation.data not in {value for value, _label in self.organisation.choices}:
            return  # the organisation field reports its own error
        query = select(Workplace.id).where(
            Workplace.organisation_id == int(self.organisation.data),
            func.lower(Workplace.name) == field.data.lower(),
        )
        if self.obj_id is not None:
            query = query.where(Workplace.id != self.obj_id)
        if db.session.execute(query).first():
            raise ValidationError(_l("The organisation already has a workplace with this name."))


class MembershipFields(BaseForm):
    role = SelectField(_l("Role"))
    organisation = SelectField(_l("Organisation"), default="")
    workplace = SelectField(_l("Workplace (practice supervisors only)"), default="")


def _password_fields(required_: bool):
    first = [
        Length(
            min=MIN_PASSWORD,
            max=200,
            message=_l(
                "The password must be %(min)d to %(max)d characters.", min=MIN_PASSWORD, max=200
            ),
        )
    ]
    first.insert(0, required() if required_ else Optional())
    return (
        PasswordField(_l("Password"), validators=first, render_kw={"autocomplete": "new-password"}),
        PasswordField(
            _l("Repeat the password"),
            validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class _UserFields(BaseForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[required(), max_length(120), plain_text]
    )
    email = StringField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            required(),
            max_length(254),
            Email(message=_l("Not a valid e-mail address.")),
            _Unique(User, "email", _l("A user with this e-mail already exists.")),
        ],
    )

    def __init__(self, *args, obj_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.obj_id = obj_id


class NewUserForm(_UserFields, MembershipFields):
    password, confirm = _password_fields(required_=True)


class EditUserForm(_UserFields):
    active = BooleanField(_l("Active (may log in)"))
    password, confirm = _password_fields(required_=False)
