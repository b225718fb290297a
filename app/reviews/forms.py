"""Forms and labels for case reviews, action items and group review meetings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app import labels
from app.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    date_field,
    max_length,
    not_cpr,
    plain_text,
    required,
    strip,
)

_TEXT = 10000


def _location():
    return StringField(
        _l("Location"), filters=[strip], validators=[max_length(200), plain_text], default=""
    )


def _participants():
    return MultiCheckboxField(_l("Participants"), coerce=int, default=[])


class ReviewForm(BaseForm):
    on_date = date_field(_l("Date"))
    location = _location()
    participants = _participants()
    agenda = TextAreaField(_l("Agenda"), filters=[strip], validators=[max_length(_TEXT)])


class MinutesForm(VersionedForm):
    agenda = TextAreaField(_l("Agenda"), filters=[strip], validators=[max_length(_TEXT)])
    minutes = TextAreaField(_l("Minutes"), filters=[strip], validators=[max_length(_TEXT)])
    decisions = TextAreaField(_l("Decisions"), filters=[strip], validators=[max_length(_TEXT)])
    outcome = SelectField(
        _l("Outcome"),
        choices=[("", _l("No outcome yet")), *labels.choices(labels.REVIEW_OUTCOME)],
        default="",
    )
    cancelled = BooleanField(_l("The review was cancelled"))


class ActionItemForm(BaseForm):
    text = StringField(
        _l("Action"), filters=[strip], validators=[required(), max_length(1000), plain_text]
    )
    owner = SelectField(
        _l("Owner"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose who does it."))],
    )
    due_date = date_field(_l("Due date"))


class ActionStatusForm(VersionedForm):
    status = SelectField(_l("Status"), choices=labels.choices(labels.ACTION_ITEM_STATUS))


class MeetingForm(BaseForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[required(), max_length(200), plain_text]
    )
    on_date = date_field(_l("Date"))
    location = _location()
    participants = _participants()
    pseudonymised = BooleanField(
        _l("Show the cases pseudonymised (initials only, no student number)"), default=True
    )


class MeetingCaseForm(BaseForm):
    student_number = StringField(
        _l("Student number"),
        filters=[strip],
        validators=[required(), max_length(20), plain_text, not_cpr()],
    )
