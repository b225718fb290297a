"""Forms of the partnership's meetings: the meeting, an agenda item, the minutes, a decision,
a follow-up and the invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional

from app import labels
from app.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    date_field,
    enum_field,
    not_cpr,
    text_field,
    time_field,
)
from app.partnership.forms import owner_fields

_TEXT = 20000


class MeetingForm(VersionedForm):
    on_date = date_field(_l("Date"))
    at_time = time_field()
    place = text_field(_l("Place or online link"), Optional(), max_chars=300, plain=True)
    title = text_field(_l("Title"), Optional(), max_chars=200, plain=True)


_NO_NAME = not_cpr(_l("Must not contain a CPR number."))


class AgendaItemForm(BaseForm):
    # The meeting page holds three forms: their fields' ids say which form they belong to.
    kind = enum_field(
        _l("Kind of item"),
        labels.AGENDA_ITEM_KIND_WRITTEN,
        message=_l("Please choose the kind of item."),
        id="item_kind",
    )
    title = text_field(
        _l("Item"), _NO_NAME, required=True, max_chars=300, plain=True, id="item_title"
    )
    text = text_field(
        _l("Details (optional)"),
        Optional(),
        max_chars=_TEXT,
        multiline=True,
        render_kw={"rows": 2},
        id="item_text",
    )


class MinutesForm(VersionedForm):
    minutes = text_field(
        _l("Minutes"), Optional(), max_chars=_TEXT, multiline=True, render_kw={"rows": 10}
    )


class DecisionForm(BaseForm):
    text = text_field(
        _l("Decision"),
        required=True,
        max_chars=5000,
        multiline=True,
        render_kw={"rows": 3},
        id="decision_text",
    )
    initiative = SelectField(_l("Initiative (optional)"), default="", id="decision_initiative")
    new_status = enum_field(
        _l("New status of the initiative"),
        labels.INITIATIVE_STATUS,
        blank=_l("Unchanged"),
        default="",
        id="decision_new_status",
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.new_status.data is not None and not self.initiative.data:
            self.new_status.errors = [
                *self.new_status.errors,
                _l("Choose the initiative whose status the decision sets."),
            ]
            valid = False
        return valid


class FollowUpForm(BaseForm):
    text = text_field(
        _l("Follow-up"),
        required=True,
        max_chars=5000,
        multiline=True,
        render_kw={"rows": 2},
        id="follow_up_text",
    )
    owner, responsible_user, responsible_name = owner_fields()
    deadline = date_field(_l("Deadline"))


class InvitationForm(BaseForm):
    invitees = MultiCheckboxField(
        _l("Invite"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose at least one person to invite."))],
    )
