from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
)

from app import labels
from app.forms import (
    BaseForm,
    VersionedForm,
    date_field,
    enum_field,
    int_field,
    text_field,
)


class PeriodForm(VersionedForm):
    title = text_field(_l("Title"), required=True, max_chars=120, plain=True)
    kind = enum_field(_l("Kind"), labels.PERIOD_KIND)
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"))
    workplace = SelectField(_l("Workplace"), coerce=str, default="")
    responsible = SelectField(_l("Responsible teacher or supervisor"), coerce=str, default="")
    status = enum_field(_l("Status"), labels.PERIOD_STATUS)


class ExtendForm(VersionedForm):
    new_end_date = date_field(_l("New end date"))
    shift_following = BooleanField(
        _l("Move the later periods by the same number of days"), default=True
    )


class PlanForm(BaseForm):
    start_date = date_field(_l("Start date of the first period"))


class DropoutForm(VersionedForm):
    date = date_field(_l("Date of dropout"))
    reason = enum_field(
        _l("Reason"),
        labels.DROPOUT_REASON,
        blank=_l("Choose a reason"),
        message=_l("Please choose a reason."),
    )
    note = text_field(_l("More about the reason"), max_chars=2000, multiline=True)


class ReadmitForm(VersionedForm):
    date = date_field(_l("Date of re-admission"))


_TEXT = 4000


class HandoverForm(VersionedForm):
    strengths = text_field(_l("Strengths"), required=True, max_chars=_TEXT, multiline=True)
    challenges = text_field(_l("Challenges"), max_chars=_TEXT, multiline=True)
    agreed_support = text_field(_l("Agreed support"), max_chars=_TEXT, multiline=True)
    first_weeks = text_field(
        _l("What to do in the first weeks"), required=True, max_chars=_TEXT, multiline=True
    )
    contact_person = text_field(_l("Contact person"), required=True, max_chars=200, plain=True)


class AcknowledgeForm(VersionedForm):
    pass


class AgreementForm(VersionedForm):
    employer = SelectField(_l("Employer"), coerce=str)
    kind = enum_field(_l("Kind"), labels.AGREEMENT_KIND)
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"), optional=True)


class UpcomingForm(BaseForm):
    class Meta:
        csrf = False

    weeks = int_field(
        _l("Weeks ahead"),
        1,
        26,
        range_message=_l("Choose between %(min)s and %(max)s weeks."),
        default=4,
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


# --- enrolments and statuses (app/journey/enrolments.py) ------------------------------------


class CompleteForm(VersionedForm):
    date = date_field(_l("Date of completion"))
    result = text_field(_l("Result"), required=True, max_chars=200, plain=True)
    qualified = SelectField(
        _l("Qualified for the main programme"),
        choices=[("", _l("Choose")), ("yes", _l("Yes")), ("no", _l("No"))],
        default="",
    )

    def qualified_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.qualified.data)


class EnrolForm(VersionedForm):
    programme = SelectField(_l("Programme"), coerce=str)
    school = SelectField(_l("School"), coerce=str)
    start_date = date_field(_l("Start date"))
    class_team = SelectField(_l("Class team"), coerce=str, default="")
    create_plan = BooleanField(_l("Create the plan from the programme template"), default=True)
    # The school and start date the shown preview of what carries over was made for.
    previewed = HiddenField()


class LeaveForm(VersionedForm):
    start_date = date_field(_l("First day of leave"))
    end_date = date_field(_l("Last day of leave"))
    reason = text_field(_l("Reason"), max_chars=2000, multiline=True)


class EndLeaveForm(VersionedForm):
    date = date_field(_l("Date of return"))


class TransferForm(VersionedForm):
    date = date_field(_l("Last day at this school"))
    destination = text_field(_l("New school"), required=True, max_chars=200, plain=True)
