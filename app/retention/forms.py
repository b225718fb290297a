"""The forms of retention: a rule's keep value, and the reason for a legal hold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.forms import BaseForm, VersionedForm, int_field, text_field
from app.retention.rules import Spec

REASON_MAX = 1000


def rule_form(spec: Spec, *args, **kwargs) -> VersionedForm:
    """The form for one rule, its range that of the rule's kind."""
    unit = _l("days") if spec.in_days else _l("years")

    class RuleForm(VersionedForm):
        keep = int_field(
            _l("Keep for (%(unit)s)", unit=unit),
            spec.least,
            spec.most,
            required_message=_l("Enter a whole number."),
            range_message=_l("Must be between %(min)s and %(max)s."),
        )

    return RuleForm(*args, **kwargs)


class LegalHoldForm(BaseForm):
    reason = text_field(
        _l("Reason for the legal hold"),
        required=True,
        max_chars=REASON_MAX,
        multiline=True,
    )
