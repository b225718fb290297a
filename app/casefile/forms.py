from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from app import labels
from app.forms import BaseForm, VersionedForm, enum_field, text_field

NOTE_MAX = 10000


class NoteForm(VersionedForm):
    category = enum_field(_l("Category"), labels.NOTE_CATEGORY)
    visibility = enum_field(_l("Who may read it"), labels.NOTE_VISIBILITY, default="own")
    body = text_field(_l("Note"), required=True, max_chars=NOTE_MAX, multiline=True)


class CaseFileFilter(BaseForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), default="", choices=[])
    period = SelectField(_l("Period"), default="", choices=[], coerce=str)
    organisation = SelectField(_l("Organisation"), default="", choices=[], coerce=str)
    q = text_field(_l("Search in the case file"), Optional(), max_chars=100)
