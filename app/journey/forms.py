from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from app import labels
from app.forms import (
    BaseForm,
    VersionedForm,
    date_field,
    max_length,
    plain_text,
    required,
    text_field,
)


class PeriodForm(VersionedForm):
    title = text_field(_l("Title"), required(), max_length(120), plain_text)
    kind = SelectField(_l("Kind"), choices=labels.choices(labels.PERIOD_KIND))
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"))
    workplace = SelectField(_l("Workplace"), coerce=str, default="")
    responsible = SelectField(_l("Responsible teacher or supervisor"), coerce=str, default="")
    status = SelectField(_l("Status"), choices=labels.choices(labels.PERIOD_STATUS))


class ExtendForm(VersionedForm):
    new_end_date = date_field(_l("New end date"))
    shift_following = BooleanField(
        _l("Move the later periods by the same number of days"), default=True
    )


class PlanForm(BaseForm):
    start_date = date_field(_l("Start date of the first period"))


class DropoutForm(VersionedForm):
    date = date_field(_l("Date of dropout"))
    reason = SelectField(
        _l("Reason"),
        choices=[("", _l("Choose a reason")), *labels.choices(labels.DROPOUT_REASON)],
        validators=[InputRequired(message=_l("Please choose a reason."))],
    )


class ReadmitForm(VersionedForm):
    date = date_field(_l("Date of re-admission"))


_TEXT = 4000


class HandoverForm(VersionedForm):
    strengths = text_field(_l("Strengths"), required(), max_length(_TEXT), multiline=True)
    challenges = text_field(_l("Challenges"), max_length(_TEXT), multiline=True)
    agreed_support = text_field(_l("Agreed support"), max_length(_TEXT), multiline=True)
    first_weeks = text_field(
        _l("What to do in the first weeks"), required(), max_length(_TEXT), multiline=True
    )
    contact_person = text_field(_l("Contact person"), required(), max_length(200), plain_text)


class AcknowledgeForm(VersionedForm):
    pass


class AgreementForm(VersionedForm):
    employer = SelectField(_l("Employer"), coerce=str)
    kind = SelectField(_l("Kind"), choices=labels.choices(labels.AGREEMENT_KIND))
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"), optional=True)


class UpcomingForm(BaseForm):
    class Meta:
        csrf = False

    weeks = IntegerField(
        _l("Weeks ahead"),
        default=4,
        validators=[
            Optional(),
            NumberRange(min=1, max=26, message=_l("Choose between %(min)s and %(max)s weeks.")),
        ],
    )
    status = SelectField(
        _l("Handover"),
        default="",
        choices=[
            ("", _l("All")),
            ("missing", _l("Missing")),
            ("written", _l("Written")),
            ("acknowledged", _l("Acknowledged")),
        ],
    )
