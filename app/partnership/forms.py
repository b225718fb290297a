"""Forms of the partnership area: an initiative, a progress note, a new action plan, and the
system administrator's partnership form."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from app import labels
from app.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    date_field,
    enum_field,
    int_field,
    text_field,
)
from app.models import MAX_AGREED, Organisation, PlaceKind

_TEXT = 5000
_NUMBER = re.compile(r"-?\d{1,10}([.,]\d{1,2})?")


def owner_fields():
    """The owner organisation (a member), and the responsible person: a user picked, or a name
    typed in; an initiative and a meeting's follow-up both have them."""
    return (
        SelectField(
            _l("Owner organisation"),
            validators=[InputRequired(message=_l("Please choose the organisation that owns it."))],
        ),
        SelectField(_l("Responsible person"), default=""),
        text_field(_l("Or the responsible person's name"), Optional(), max_chars=120, plain=True),
    )


class NumberField(StringField):
    """A number as Danes write it (12,5 or 12.5; at most two decimals); `data` is a Decimal
    (None if empty). What was typed is shown again when it is not a number."""

    def process_formdata(self, valuelist):
        self.data = None
        text = ((valuelist[0] if valuelist else "") or "").strip().replace(" ", "")
        if not text:
            return
        if not _NUMBER.fullmatch(text):
            raise ValueError(_l("Enter a number, for example 12,5."))
        try:
            self.data = Decimal(text.replace(",", "."))
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
            raise ValueError(_l("Enter a number, for example 12,5.")) from error

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data.normalize():f}".replace(".", ",")


def _number(label):
    return NumberField(
        label, validators=[Optional()], filters=[], render_kw={"inputmode": "decimal"}
    )


class InitiativeForm(VersionedForm):
    theme = text_field(_l("Theme"), required=True, max_chars=120, plain=True)
    title = text_field(_l("Initiative"), required=True, max_chars=200, plain=True)
    description = text_field(
        _l("Description"), Optional(), max_chars=_TEXT, multiline=True, render_kw={"rows": 4}
    )
    owner, responsible_user, responsible_name = owner_fields()
    deadline = date_field(_l("Deadline"), optional=True)
    status = enum_field(
        _l("Status"), labels.INITIATIVE_STATUS, message=_l("Please choose a status.")
    )
    indicator = enum_field(
        _l("Indicator it should move"), labels.INDICATOR, blank=_l("No indicator")
    )
    baseline = _number(_l("Baseline"))
    target = _number(_l("Target"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            self.baseline.data is not None or self.target.data is not None
        ) and self.indicator.data is None:
            self.indicator.errors = [
                *self.indicator.errors,
                _l("Choose the indicator that the baseline and target are figures of."),
            ]
            valid = False
        return valid


class NoteForm(BaseForm):
    text = text_field(
        _l("Progress note"), required=True, max_chars=_TEXT, multiline=True, render_kw={"rows": 3}
    )
    noted_on = date_field(_l("Date"))


def _year_field(label, required: bool = True) -> IntegerField:
    """A year from 2000 to 2100 (a plan's, a partnership's first or last)."""
    return int_field(
        label,
        2000,
        2100,
        required_message=_l("Please enter the year.") if required else None,
        range_message=_l("Enter a year between 2000 and 2100."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class PlanForm(BaseForm):
    year = _year_field(_l("Year"))


class PartnershipForm(BaseForm):
    name = text_field(_l("Name"), required=True, max_chars=120, plain=True)
    start_year = _year_field(_l("First year"))
    end_year = _year_field(_l("Last year (optional)"), required=False)
    members = MultiCheckboxField(
        _l("Members"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose the member organisations."))],
    )
    anchor = SelectField(
        _l("Anchor municipality"),
        validators=[InputRequired(message=_l("Please choose the anchor municipality."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            self.end_year.data is not None
            and self.start_year.data is not None
            and self.end_year.data < self.start_year.data
        ):
            self.end_year.errors = [
                *self.end_year.errors,
                _l("The last year cannot be before the first year."),
            ]
            valid = False
        anchor = str(self.anchor.data or "")
        if (
            anchor.isdigit()
            and self.members.data is not None
            and int(anchor) not in self.members.data
        ):
            self.anchor.errors = [
                *self.anchor.errors,
                _l("The anchor municipality must be one of the members."),
            ]
            valid = False
        return valid


class PlanFilterForm(BaseForm):
    """The filter bar on the action plan. Sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    status = enum_field(
        _l("Status"), labels.INITIATIVE_STATUS, blank=_l("All statuses"), default=""
    )
    owner = SelectField(_l("Owner organisation"), default="")


# --- the dimensioning: agreed places per member employer and year -------------------------------

_WHOLE = re.compile(r"[0-9]{1,5}")


class PlacesField(StringField):
    """A number of places: a whole number from 0 to MAX_AGREED; empty means none agreed (None).
    What was typed is shown again when it is refused."""

    def process_formdata(self, valuelist):
        self.data = None
        text = ((valuelist[0] if valuelist else "") or "").strip().replace(" ", "")
        if not text:
            return
        if not _WHOLE.fullmatch(text) or int(text) > MAX_AGREED:
            raise ValueError(_l("Enter a whole number from 0 to %(max)s.", max=MAX_AGREED))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0].replace("\x00", "")
        return "" if self.data is None else str(self.data)


def places_field_name(organisation_id: int, kind: PlaceKind) -> str:
    return f"{kind.value.lower()}_{organisation_id}"


def agreed_places_form(employers: list[Organisation], **kwargs) -> BaseForm:
    """One year's agreed numbers: an SSA and an SSH field per member employer, labelled with
    the employer and the programme (the table shows them as rows and columns), and the
    fingerprint of the numbers stored when it was opened."""

    class AgreedPlacesForm(BaseForm):
        # The stored numbers when the form was opened (a fingerprint): a save made after
        # someone else changed them is refused (app.editing.StaleEdit).
        seen = HiddenField()

    for organisation in employers:
        for kind in PlaceKind:
            field = PlacesField(
                f"{organisation.name}, {kind.value}",
                filters=[],
                render_kw={"inputmode": "numeric", "autocomplete": "off"},
            )
            setattr(AgreedPlacesForm, places_field_name(organisation.id, kind), field)
    return AgreedPlacesForm(**kwargs)
