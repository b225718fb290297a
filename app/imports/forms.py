from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from app.forms import BaseForm, date_field


class UploadForm(BaseForm):
    """A CSV file and the organisation it is imported for."""

    organisation = SelectField(_l("Import for"))
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])


class TeamPlanForm(BaseForm):
    team = SelectField(_l("Class team"))
    start_date = date_field(_l("Start date of the first period"))
