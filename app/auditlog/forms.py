"""The filters of the access-log review and of its flags page. Sent by GET: no CSRF token."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.export.collect import AUDIT_ACTION
from app.forms import BaseForm, date_field, enum_field, text_field

# The longest period the flags page judges at once: its queries read every view in the period
# and the weeks before it.
FLAG_PERIOD_MAX_DAYS = 92


class _Period:
    """From and to dates: the from date not after the to date."""

    def validate_date_to(self, field) -> None:
        start, end = self.date_from.data, field.data
        if start is not None and end is not None and start > end:
            raise ValidationError(_l("The end date must not be before the start date."))


class LogFilterForm(_Period, BaseForm):
    class Meta:
        csrf = False

    user = SelectField(_l("User"), default="", choices=[])
    student = text_field(_l("Student (name or student number)"), Optional(), max_chars=100)
    action = enum_field(_l("Action"), AUDIT_ACTION, default="", blank=_l("All actions"))
    date_from = date_field(_l("From"), optional=True)
    date_to = date_field(_l("To"), optional=True)

    def user_id(self) -> int | None:
        return int(self.user.data) if self.user.data else None

    def criteria(self) -> dict[str, object]:
        """The filters as the access log records them (field names and values)."""
        return {
            "user": self.user.data,
            "student": self.student.data,
            "action": self.action.data.value if self.action.data else None,
            "from": self.date_from.data,
            "to": self.date_to.data,
        }


class FlagPeriodForm(_Period, BaseForm):
    class Meta:
        csrf = False

    date_from = date_field(_l("From"))
    date_to = date_field(_l("To"))

    def validate_date_from(self, field) -> None:
        end = self.date_to.data
        if (
            field.data is not None
            and end is not None
            and (end - field.data).days + 1 > FLAG_PERIOD_MAX_DAYS
        ):
            raise ValidationError(
                _l("Choose a period of at most %(days)d days.", days=FLAG_PERIOD_MAX_DAYS)
            )

    def period(self) -> tuple[date, date]:
        return self.date_from.data, self.date_to.data
