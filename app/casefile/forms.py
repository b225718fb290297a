from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from app import labels
from app.forms import BaseForm, VersionedForm, max_length, required, text_field

NOTE_MAX = 10000


class NoteForm(VersionedForm):
    category = SelectField(_l("Category"), choices=labels.choices(labels.NOTE_CATEGORY))
    visibility = SelectField(
        _l("Who may read it"), choices=labels.choices(labels.NOTE_VISIBILITY), default="own"
    )
    body = text_field(_l("Note"), required(), max_length(NOTE_MAX), multiline=True)


class CaseFileFilter(BaseForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), default="", choices=[])
    period = SelectField(_l("Period"), default="", choices=[], coerce=str)
    organisation = SelectField(_l("Organisation"), default="", choices=[], coerce=str)
    q = text_field(_l("Search in the case file"), Optional(), max_length(100))
