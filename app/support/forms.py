from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from app import labels
from app.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    consent_categories_field,
    date_field,
    enum_field,
    text_field,
)
from app.models import DECLINE_REASON_MAX, HELP_REASON_MAX

_TEXT = 4000


def _hours(label) -> DecimalField:
    return DecimalField(
        label,
        places=1,
        validators=[
            Optional(),
            NumberRange(min=0, max=10000, message=_l("Enter a number of hours from 0 to 10000.")),
        ],
    )


class NeedForm(VersionedForm):
    category = SelectField(
        _l("Category"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose a category."))],
    )
    description = text_field(_l("Description"), required=True, max_chars=_TEXT, multiline=True)
    documentation_kind = enum_field(_l("Documentation"), labels.DOCUMENTATION_KIND)
    documentation_date = date_field(_l("Date of the documentation"), optional=True)
    status = enum_field(_l("Status"), labels.SUPPORT_NEED_STATUS)


class _FollowedUpForm(VersionedForm):
    """What every support measure has, the school's and the workplace's: when, who follows
    it up and when next, the effect, and its status."""

    start_date = date_field(_l("From"))
    end_date = date_field(_l("To"), optional=True)
    owner = SelectField(
        _l("Owner"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose who follows up."))],
    )
    next_follow_up = date_field(_l("Next follow-up"), optional=True)
    evaluation = text_field(_l("Evaluation of the effect"), max_chars=_TEXT, multiline=True)
    status = enum_field(_l("Status"), labels.MEASURE_STATUS)


class MeasureForm(_FollowedUpForm):
    type = enum_field(
        _l("Type of support"),
        labels.SCHOOL_MEASURE_TYPE,
        blank=_l("Choose a type"),
        message=_l("Please choose a type of support."),
    )
    provider = enum_field(_l("Provided by"), labels.MEASURE_PROVIDER)
    need = SelectField(_l("Support need it answers"), coerce=str, default="")
    description = text_field(_l("What is agreed"), max_chars=_TEXT, multiline=True)
    periods = MultiCheckboxField(_l("Periods it covers"), coerce=str, default=[])
    hours_granted = _hours(_l("Hours granted"))
    hours_used = _hours(_l("Hours used"))


class ArrangementForm(_FollowedUpForm):
    """Support arranged at the workplace, recorded by the employer's supervisors and training
    coordinators."""

    type = enum_field(
        _l("What the workplace does"),
        labels.WORKPLACE_MEASURE_TYPE,
        blank=_l("Choose a type"),
        message=_l("Please choose a type of support."),
    )
    period = SelectField(
        _l("Training period"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose the training period."))],
    )
    description = text_field(_l("What is agreed"), required=True, max_chars=_TEXT, multiline=True)
    health_related = BooleanField(_l("It concerns the student's health"))


class HelpRequestForm(BaseForm):
    kind = enum_field(
        _l("What do you ask for?"),
        labels.HELP_KIND,
        blank=_l("Choose what you ask for"),
        message=_l("Please choose what you ask for."),
    )
    reason = text_field(
        _l("Why do you ask?"), required=True, max_chars=HELP_REASON_MAX, multiline=True
    )


class DeclineHelpForm(VersionedForm):
    reason = text_field(
        _l("Why is it declined?"), required=True, max_chars=DECLINE_REASON_MAX, multiline=True
    )


class SpsStepForm(VersionedForm):
    stage = SelectField(_l("Step"), coerce=str)
    date = date_field(_l("Date"))
    note = text_field(_l("Note"), Optional(), max_chars=500, plain=True)
    equipment_returned = SelectField(
        _l("Equipment returned"),
        default="",
        choices=[("", _l("Not relevant")), ("yes", _l("Yes")), ("no", _l("No"))],
    )


class ConsentForm(BaseForm):
    # One consent per ticked category, all to the same organisation and for the same period.
    category = consent_categories_field()
    recipient = SelectField(
        _l("With"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose the organisation."))],
    )
    valid_from = date_field(_l("From"))
    valid_to = date_field(_l("To"), optional=True)
    note = text_field(
        _l("Note (e.g. how the consent was given)"), Optional(), max_chars=500, plain=True
    )
    confirmed = BooleanField(
        _l("The student has given this consent"),
        validators=[InputRequired(message=_l("Confirm that the student has given the consent."))],
    )
