"""Forms and labels for case reviews, action items and group review meetings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired

from app import labels
from app.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    date_field,
    enum_field,
    not_cpr,
    strip,
    text_field,
    time_field,
)

_TEXT = 10000


def _location():
    return text_field(_l("Location"), max_chars=200, plain=True, default="")


def _participants():
    return MultiCheckboxField(_l("Participants"), coerce=int, default=[])


class ReviewForm(BaseForm):
    on_date = date_field(_l("Date"))
    at_time = time_field()
    location = _location()
    participants = _participants()
    agenda = text_field(_l("Agenda"), max_chars=_TEXT, multiline=True)


class MinutesForm(VersionedForm):
    agenda = text_field(_l("Agenda"), max_chars=_TEXT, multiline=True)
    minutes = text_field(_l("Minutes"), max_chars=_TEXT, multiline=True)
    decisions = text_field(_l("Decisions"), max_chars=_TEXT, multiline=True)
    outcome = enum_field(
        _l("Outcome"), labels.REVIEW_OUTCOME, blank=_l("No outcome yet"), default=""
    )
    cancelled = BooleanField(_l("The review was cancelled"))


class ActionItemForm(BaseForm):
    text = text_field(_l("Action"), required=True, max_chars=1000, plain=True)
    owner = SelectField(
        _l("Owner"),
        coerce=str,
        validators=[InputRequired(message=_l("Please choose who does it."))],
    )
    due_date = date_field(_l("Due date"))


class ActionStatusForm(VersionedForm):
    status = enum_field(_l("Status"), labels.ACTION_ITEM_STATUS)


class MeetingForm(BaseForm):
    title = text_field(_l("Title"), required=True, max_chars=200, plain=True)
    on_date = date_field(_l("Date"))
    at_time = time_field()
    location = _location()
    participants = _participants()
    pseudonymised = BooleanField(
        _l("Show the cases pseudonymised (initials only, no student number)"), default=True
    )


class MeetingCaseSearchForm(BaseForm):
    """Search among one's students for a case to add. Sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = text_field(_l("Name or student number"), not_cpr(), max_chars=100, plain=True)


class MeetingCaseForm(BaseForm):
    """The student chosen (by id) from the list of the user's students; checked again on the
    server against who the user may see."""

    student = StringField(
        _l("Student"),
        filters=[strip],
        validators=[InputRequired(message=_l("Choose one of your students."))],
    )
