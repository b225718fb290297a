from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from app import labels
from app.forms import BaseForm, max_length, plain_text, strip


class StudentSearchForm(BaseForm):
    """The filter bar on "my students". Sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name or student number"), filters=[strip], validators=[max_length(100), plain_text]
    )
    programme = SelectField(_l("Programme"), default="")
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses")), *labels.choices(labels.STUDENT_STATUS)],
        default="",
    )
