"""The form of the declaration on training (oplæringserklæring): one row per active goal of the
student's programme, and the workplace's view of the student's needs for the next periods."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, HiddenField, SelectField

from app import labels
from app.forms import BaseForm, VersionedForm, enum_field, max_length, text_field

APPROVED = "approved"
NOT_APPROVED = "not_approved"

DECISIONS = {APPROVED: _l("Approved"), NOT_APPROVED: _l("Not approved")}


class DeclarationRow(BaseForm):
    """One goal. `goal_id` is checked against the programme's active goals by the view."""

    class Meta:
        csrf = False  # a row inside the declaration form, which carries the token

    goal_id = HiddenField()
    level = enum_field(_l("Level reached"), labels.GOAL_LEVEL, default="", blank=_l("Not assessed"))
    approved = SelectField(
        _l("Decision"),
        default="",
        choices=[("", _l("Not decided")), *DECISIONS.items()],
    )

    def decision(self) -> bool | None:
        if self.approved.data == APPROVED:
            return True
        if self.approved.data == NOT_APPROVED:
            return False
        return None


class DeclarationForm(VersionedForm):
    lines = FieldList(FormField(DeclarationRow), min_entries=0)
    needs_next_periods = text_field(
        _l("The workplace's view of the student's needs for the next periods"),
        max_length(4000),
        multiline=True,
    )
    # Issuing locks the declaration for good: the issue step asks for this to be ticked.
    confirm_issue = BooleanField(
        _l(
            "I confirm that the declaration is correct. It is locked when issued and can "
            "never be changed."
        )
    )
