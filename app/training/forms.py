from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, Optional

from app import labels
from app.forms import (
    BaseForm,
    VersionedForm,
    date_field,
    enum_field,
    text_field,
)

_TEXT = 4000


def _text(label, optional: bool = True):
    return text_field(label, required=not optional, max_chars=_TEXT, multiline=True)


class AssessmentRow(BaseForm):
    """One goal in the assessment form. `goal` is checked against the programme's goals."""

    class Meta:
        csrf = False  # part of AssessmentForm, which carries the token

    goal = HiddenField()
    level = enum_field(_l("Level reached"), labels.GOAL_LEVEL, default="", blank=_l("Not assessed"))
    comment = text_field(_l("Comment"), Optional(), max_chars=1000)


class AssessmentForm(BaseForm):
    assessed_on = date_field(_l("Date of the assessment"))
    rows = FieldList(FormField(AssessmentRow), min_entries=0)


class ExperienceForm(VersionedForm):
    on_date = date_field(_l("Date"))
    category = enum_field(_l("Category"), labels.EXPERIENCE_CATEGORY)
    what_happened = _text(_l("What happened"), optional=False)
    learned = _text(_l("What the student learned"))
    work_on = _text(_l("What to work on"))
    concern = BooleanField(_l("This is a concern the school should know about"))


class LearningAgreementForm(VersionedForm):
    goals_for_period = _text(_l("Goals for the period"), optional=False)
    agreed_support = _text(_l("Agreed support"))
    meeting_1 = date_field(_l("Start meeting"), optional=True)
    meeting_2 = date_field(_l("Mid-period meeting"), optional=True)
    meeting_3 = date_field(_l("End meeting"), optional=True)
    meeting_4 = date_field(_l("Other meeting"), optional=True)


class MidEvaluationForm(VersionedForm):
    evaluated_on = date_field(_l("Date of the evaluation"))
    on_track = SelectField(
        _l("Are the goals on track?"),
        choices=[("", _l("Choose")), ("yes", _l("Yes, on track")), ("no", _l("No, not on track"))],
        validators=[InputRequired(message=_l("Please say whether the goals are on track."))],
    )
    comment = _text(_l("Comment"), optional=False)
    next_steps = _text(_l("Next steps"))
    signed = BooleanField(
        _l("I sign this evaluation"),
        validators=[InputRequired(message=_l("Sign the evaluation to save it."))],
    )


class WarningForm(BaseForm):
    reason = _text(_l("Why a required level may not be reached"), optional=False)
    goals = SelectMultipleField(_l("Goals concerned"), coerce=str, default=[])
    agreed_actions = _text(_l("Agreed actions"), optional=False)
    deadline = date_field(_l("Deadline"))


class AcknowledgeForm(VersionedForm):
    """The school contact's acknowledgement: only the version that was read."""


class FollowUpForm(VersionedForm):
    note = text_field(_l("How it was followed up"), required=True, max_chars=500, plain=True)


class AbsenceForm(BaseForm):
    start_date = date_field(_l("From"))
    end_date = date_field(_l("To"), optional=True)
    kind = enum_field(_l("Kind of absence"), labels.ABSENCE_KIND)
    note = text_field(_l("Note"), Optional(), max_chars=500, plain=True)
