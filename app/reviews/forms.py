"""Forms and labels for case reviews, action items and group review meetings."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

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
)

_TEXT = 10000


def _location():
    return text_field(_l("Location"), max_chars=200, plain=True, default="")


# A time of day as Danes write it, 13.30, or with a colon, 13:30 (hours 0-23, two-digit minutes).
_TIME = re.compile(r"([01]?\d|2[0-3])[.:]([0-5]\d)")


class TimeOfDayField(StringField):
    """A time of day typed as HH.MM or HH:MM; `data` is a datetime.time (None if empty). What
    was typed is shown again when it is not a time."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "") or ""
        text = text.strip()
        if not text:
            return
        match = _TIME.fullmatch(text)
        if match is None:
            raise ValueError(_l("Enter the time as HH.MM, for example 13.30."))
        self.data = time(int(match[1]), int(match[2]))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H.%M") if isinstance(self.data, time) else ""


def _time():
    return TimeOfDayField(
        _l("Time"),
        validators=[Optional()],
        render_kw={"placeholder": "tt.mm", "inputmode": "decimal"},
    )


def _participants():
    return MultiCheckboxField(_l("Participants"), coerce=int, default=[])


class ReviewForm(BaseForm):
    on_date = date_field(_l("Date"))
    at_time = _time()
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
    at_time = _time()
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
