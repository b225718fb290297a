"""Forms of the administration area. Checks that need the database are `validate_<field>`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional, Regexp, ValidationError

from app import labels
from app.admin import services
from app.extensions import db
from app.forms import BaseForm, email_field, enum_field, not_cpr, required, text_field
from app.models import Organisation, OrganisationKind, SupportCategory, User, Workplace

# A code is an identifier: never a CPR number (see app/forms.py).
_CPR_CODE = _l("Must not be a CPR number.")


def _taken(column, value: str, *conditions) -> bool:
    """Does a row (other than the one being edited) already hold `value`, ignoring case?"""
    query = select(column).where(func.lower(column) == value.lower(), *conditions).limit(1)
    return db.session.execute(query).first() is not None


class _EditsOne(BaseForm):
    """A form that creates a row (obj_id None) or edits the row with id `obj_id`."""

    def __init__(self, *args, obj_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.obj_id = obj_id


class SearchForm(BaseForm):
    """Filter bar of the admin lists (GET, so no CSRF token); the user list has only this."""

    class Meta:
        csrf = False

    q = text_field(_l("Search"), max_chars=100, plain=True)


class OrganisationSearchForm(SearchForm):
    kind = enum_field(_l("Kind"), labels.ORGANISATION_KIND, default="", blank=_l("All kinds"))


class WorkplaceSearchForm(SearchForm):
    """`organisation.choices` (the administered municipalities and regions) come from the view."""

    kind = enum_field(_l("Kind"), labels.WORKPLACE_KIND, default="", blank=_l("All kinds"))
    organisation = SelectField(_l("Organisation"), default="")


class OrganisationForm(_EditsOne):
    name = text_field(_l("Name"), required=True, max_chars=120, plain=True)
    kind = enum_field(_l("Kind"), labels.ORGANISATION_KIND)
    code = text_field(
        _l("Code"),
        not_cpr(_CPR_CODE),
        Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and - only.")),
        required=True,
        max_chars=20,
        plain=True,
    )
    active = BooleanField(_l("Active"), default=True)

    def _others(self):
        return () if self.obj_id is None else (Organisation.id != self.obj_id,)

    def validate_name(self, field) -> None:
        if not field.errors and _taken(Organisation.name, field.data, *self._others()):
            raise ValidationError(_l("An organisation with this name already exists."))

    def validate_code(self, field) -> None:
        if not field.errors and _taken(Organisation.code, field.data, *self._others()):
            raise ValidationError(_l("An organisation with this code already exists."))

    def validate_kind(self, field) -> None:
        if field.errors or self.obj_id is None:
            return
        if services.kind_change_conflicts(self.obj_id, OrganisationKind(field.data)):
            raise ValidationError(
                _l(
                    "The kind cannot be changed: the organisation has roles, workplaces, "
                    "students or training agreements that fit only its current kind."
                )
            )


class WorkplaceForm(_EditsOne):
    """`organisation.choices` (the administered municipalities and regions) come from the view;
    an edit also passes `organisation_id`, the organisation the workplace belongs to now."""

    organisation = SelectField(_l("Municipality or region"))
    name = text_field(_l("Name"), required=True, max_chars=120, plain=True)
    kind = enum_field(_l("Kind"), labels.WORKPLACE_KIND)
    address = text_field(_l("Address"), Optional(), max_chars=200, plain=True)
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, organisation_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def validate_organisation(self, field) -> None:
        if field.errors or self.obj_id is None or int(field.data) == self.organisation_id:
            return
        if services.workplace_is_in_use(self.obj_id):
            raise ValidationError(
                _l(
                    "The workplace has practice supervisors or training periods, "
                    "so it cannot move to another organisation."
                )
            )

    def validate_name(self, field) -> None:
        if field.errors or self.organisation.errors:
            return  # the organisation field reports its own error
        if self.organisation.data not in {value for value, _label in self.organisation.choices}:
            return
        others = () if self.obj_id is None else (Workplace.id != self.obj_id,)
        in_same = Workplace.organisation_id == int(self.organisation.data)
        if _taken(Workplace.name, field.data, in_same, *others):
            raise ValidationError(_l("The organisation already has a workplace with this name."))


class MembershipFields(BaseForm):
    """A role in an organisation (and, for a practice supervisor, at one of its workplaces).

    The choices are set by the view; app/admin/services.check_membership checks the combination.
    """

    role = SelectField(_l("Role"))
    organisation = SelectField(_l("Organisation"), default="")
    workplace = SelectField(_l("Workplace (practice supervisors only)"), default="")


class _UserFields(_EditsOne):
    name = text_field(_l("Name"), required=True, max_chars=120, plain=True)
    email = email_field(_l("E-mail"), required())

    def validate_email(self, field) -> None:
        others = () if self.obj_id is None else (User.id != self.obj_id,)
        if not field.errors and _taken(User.email, field.data, *others):
            raise ValidationError(_l("A user with this e-mail already exists."))


class NewUserForm(_UserFields, MembershipFields):
    """No password: the new user gets an invitation mail and chooses their own."""


class EditUserForm(_UserFields):
    """No password either: an admin sends a new invitation link instead (send_invitation)."""

    active = BooleanField(_l("Active (may log in)"))


class SupportCategoryForm(_EditsOne):
    code = text_field(_l("Code"), not_cpr(_CPR_CODE), required=True, max_chars=40, plain=True)
    name = text_field(_l("Name (Danish)"), required=True, max_chars=120, plain=True)
    name_en = text_field(_l("Name (English)"), Optional(), max_chars=120, plain=True)
    health_data = BooleanField(_l("Health data (GDPR art. 9)"))
    active = BooleanField(_l("Active"), default=True)

    def validate_code(self, field) -> None:
        others = () if self.obj_id is None else (SupportCategory.id != self.obj_id,)
        if not field.errors and _taken(SupportCategory.code, field.data, *others):
            raise ValidationError(_l("A category with this code already exists."))


class ResetTwoFactorForm(BaseForm):
    """An administrator resets a user's two-factor login (a lost phone) only after checking
    who is asking: the check is confirmed and described, and both go into the access log."""

    identity_checked = BooleanField(
        _l("I have checked the person's identity"),
        validators=[required(_l("Confirm that you have checked the person's identity."))],
    )
    how = text_field(
        _l("How was the identity checked?"),
        max_chars=200,
        required=True,
        plain=True,
    )
