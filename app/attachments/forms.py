from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.forms import BaseForm


class AttachmentForm(BaseForm):
    """One file to attach to a record."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
