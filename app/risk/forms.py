"""The form of a risk rule's settings (system administrator)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from app.forms import (
    BaseForm,
    VersionedForm,
    int_field,
    max_length,
    plain_text,
    required,
    text_field,
)

MAX_THRESHOLD = 1000  # RiskRule's check constraint
MAX_WINDOW = 730


class RuleForm(VersionedForm):
    active = BooleanField(_l("Active (the rule is evaluated)"))
    threshold = int_field(
        _l("Threshold"),
        0,
        MAX_THRESHOLD,
        required_message=_l("Please enter a threshold."),
        range_message=_l("The threshold must be a whole number between %(min)s and %(max)s."),
    )
    window_days = int_field(
        _l("Window in days"),
        1,
        MAX_WINDOW,
        range_message=_l("The window must be a whole number of days between %(min)s and %(max)s."),
    )
    description = text_field(
        _l("Why the rule is there (shown with the rules)"),
        required(),
        max_length(500),
        plain_text,
        multiline=True,
        render_kw={"rows": 3},
    )

    def __init__(self, *args, needs_window: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.needs_window = needs_window

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        window = self.window_days
        if self.needs_window and window.data is None and not window.errors:
            window.errors = [*window.errors, str(_l("Please enter the window in days."))]
            return False
        return valid


class FilterForm(BaseForm):
    """The list's filter (GET): one reason, and only the viewer's own students."""

    class Meta:
        csrf = False

    reason = SelectField(_l("Reason"), choices=[], validate_choice=False)
    mine = BooleanField(_l("Only students I am contact teacher or counsellor for"))
