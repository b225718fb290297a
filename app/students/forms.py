from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import Optional, Regexp, ValidationError

from app import labels
from app.forms import (
    BaseForm,
    VersionedForm,
    date_field,
    email_field,
    enum_field,
    not_cpr,
    text_field,
)
from app.models.base import today


class StudentSearchForm(BaseForm):
    """The filter bar on "my students". Sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = text_field(_l("Name or student number"), not_cpr(), max_chars=100, plain=True)
    programme = SelectField(_l("Programme"), default="")
    status = enum_field(_l("Status"), labels.STUDENT_STATUS, blank=_l("All statuses"), default="")


_PHONE = r"^\+?[0-9 ]{8,20}$"


def _birth_year_range() -> tuple[int, int]:
    """A student is at least 14 and at most 80 at the start of the course."""
    this_year = today().year
    return this_year - 80, this_year - 14


def _check_birth_year(form, field) -> None:
    if field.data is None:
        return
    first, last = _birth_year_range()
    if not first <= field.data <= last:
        raise ValidationError(
            _l("Enter a year of birth between %(first)d and %(last)d.", first=first, last=last)
        )


class StudentRecordFields(BaseForm):
    """The student's own details: name, number, contact details and year of birth."""

    first_name = text_field(_l("First name"), required=True, max_chars=80, plain=True)
    last_name = text_field(_l("Last name"), required=True, max_chars=80, plain=True)
    student_number = text_field(
        _l("Student number"),
        not_cpr(),
        Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and - only.")),
        required=True,
        max_chars=20,
        plain=True,
    )
    email = email_field(_l("E-mail"), Optional())
    phone = text_field(
        _l("Phone"),
        Optional(),
        Regexp(_PHONE, message=_l("Use 8 to 20 digits, spaces and an optional +.")),
    )
    birth_year = IntegerField(
        _l("Year of birth (optional)"),
        validators=[Optional(), _check_birth_year],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    # The student being edited (None for a new one): their own number is not a duplicate.
    editing_id: int | None = None

    def validate_student_number(self, field) -> None:
        from app.extensions import db
        from app.models import Student

        exists = db.session.execute(
            select(Student.id).where(
                func.lower(Student.student_number) == field.data.lower(),
                Student.id != (self.editing_id or 0),
            )
        ).first()
        if exists:
            raise ValidationError(_l("A student with this number already exists."))


class NewStudentForm(StudentRecordFields):
    school = SelectField(_l("School"))
    programme = SelectField(_l("Programme"))
    start_date = date_field(_l("Start date"))
    create_plan = BooleanField(_l("Create the plan from the programme's template"), default=True)


class StudentRecordForm(StudentRecordFields, VersionedForm):
    """Corrections to the student record, with the contact teacher and counsellor."""

    contact_teacher = SelectField(_l("Contact teacher"), default="")
    counsellor = SelectField(_l("Counsellor"), default="")


class PlanForm(BaseForm):
    """ "Create plan from the template" on the student page. It posts to journey.generate_plan,
    which reads it with the journey's own PlanForm (the same field): areas own their forms."""

    start_date = date_field(_l("Start date of the first period"))
