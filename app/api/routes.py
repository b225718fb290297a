"""The API's routes: read the client's own students, their plans, agreements and upcoming
transitions; create and change students and training agreements.

Every route loads through `app.access` as the pages do (another organisation's student
answers 404), checks a change with the page's own form and makes it with the page's own
service (the same rules, case history and access log), and logs every read in the access log.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from app import access, audit
from app.api import schemas
from app.api.auth import authenticate, rate_limit, rate_limit_key
from app.editing import RuleError, StaleEdit
from app.errors import PROBLEM_TYPE as PROBLEM
from app.extensions import db, limiter
from app.history import log
from app.journey import enrolments as enrolment_services
from app.journey import handovers, services
from app.journey.forms import AgreementForm, EnrolForm
from app.models import (
    AuditAction,
    CaseEventKind,
    ClassTeam,
    Membership,
    Organisation,
    OrganisationKind,
    Programme,
    Role,
    Student,
    User,
)
from app.models.base import today
from app.models.student import new_student
from app.students.forms import NewStudentForm, StudentRecordForm
from app.students.services import StudentRecord, update_record

blp = Blueprint(
    "api",
    __name__,
    description="Students, plans, training agreements and transitions of the client's own "
    "organisation.",
)
blp.before_request(authenticate)
limiter.limit(rate_limit, key_func=rate_limit_key)(blp)


def _problem(description: str) -> dict:
    return {"description": description, "schema": schemas.ProblemSchema, "content_type": PROBLEM}


NOT_FOUND = _problem("Not found, or another organisation's")
STALE = _problem("Changed meanwhile: fetch it again and send its new version")


# --- helpers ------------------------------------------------------------------------------


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"s{last_id}".encode()).decode().rstrip("=")


def _after(cursor: str | None) -> int:
    """The id the page starts after; a cursor this API did not make answers 400."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("s") or not text[1:].isdigit():
            raise ValueError
        return min(int(text[1:]), schemas.MAX_ID)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        abort(400, message=_("The cursor is not one this API gave."))


# API field names of the form fields where they differ.
_FIELD_NAMES = {"contact_teacher": "contact_teacher_id", "counsellor": "counsellor_id"}
_FIELD_NAMES |= {"employer": "employer_id", "school": "school_id", "class_team": "class_team_id"}


def _invalid(errors: dict) -> None:
    abort(
        422,
        errors={
            _FIELD_NAMES.get(name, name): [str(m) for m in messages]
            for name, messages in errors.items()
        },
    )


def _form(form_class, values: dict):
    """The page's form, filled from the JSON values (as the strings a browser would post)."""
    data = MultiDict()
    for name, value in values.items():
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return form_class(formdata=data, meta={"csrf": False})


def _save(change) -> None:
    """Run a change and commit; a broken rule answers 422 at its field, an edit of an older
    version 409."""
    try:
        change()
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        abort(409)
    except RuleError as error:
        db.session.rollback()
        _invalid({error.field or "_schema": [error.message]})


def _student(student_id: int) -> Student:
    student = access.get_case_student_or_404(student_id)
    return student


def _read_student(student_id: int, part: str = "") -> Student:
    """The student, for a read: the access log says the client viewed them (`part`, what of
    the student was read, e.g. "plan")."""
    student = _student(student_id)
    audit.record(
        AuditAction.VIEW, student=student, criterion=f"api: {part}" if part else "", commit=True
    )
    return student


# --- students -----------------------------------------------------------------------------


@blp.route("/students", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.StudentPageSchema)
def list_students(args):
    """The students the client sees, by id, a page at a time."""
    limit = args["limit"]
    rows = list(
        db.session.execute(
            access.visible_students(current_user)
            .where(Student.id > _after(args["cursor"]))
            .options(joinedload(Student.programme))
            .order_by(Student.id)
            .limit(limit + 1)
        ).scalars()
    )
    audit.record_search({"api": "students", "cursor": args["cursor"] or ""})
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": _cursor(rows[-1].id) if more else None}


@blp.route("/students/<int:student_id>", methods=["GET"])
@blp.response(200, schemas.StudentSchema)
@blp.alt_response(404, **NOT_FOUND)
def get_student(student_id: int):
    """One student."""
    return _read_student(student_id)


def _staff(student: Student, role: Role, current_id: int | None) -> list[tuple[str, str]]:
    """The choices of contact teacher or counsellor the page offers: active users with `role`
    at the student's school, and whoever holds the post now."""
    ids = set(
        db.session.execute(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == student.school_id,
                Membership.role == role,
                User.active.is_(True),
            )
        ).scalars()
    )
    if current_id is not None:
        ids.add(current_id)
    return [("", "")] + [(str(i), str(i)) for i in sorted(ids)]


@blp.route("/students", methods=["POST"], endpoint="create_student")
@blp.arguments(schemas.StudentCreateSchema)
@blp.response(201, schemas.StudentSchema)
@blp.alt_response(403, **_problem("The client's role does not create students"))
def create_student(args):
    """Register a new student at the client's school (as "New student" does), with the plan
    copied from the programme's template unless create_plan is false."""
    access.roles.permitted(
        current_user, sees=True, may=access.students.can_create_student(current_user)
    )
    schools = current_user.organisation_ids(*access.roles.STUDENT_CREATOR_ROLES)
    programmes = {
        p.code.lower(): p
        for p in db.session.execute(select(Programme).where(Programme.active.is_(True))).scalars()
    }
    programme = programmes.get(args["programme"].strip().lower())
    values = {**args, "programme": programme.id if programme else args["programme"]}
    values["school"] = min(schools)
    values["create_plan"] = "y" if args["create_plan"] else None
    form = _form(NewStudentForm, values)
    form.school.choices = [(str(i), str(i)) for i in sorted(schools)]
    form.programme.choices = [(str(p.id), p.code) for p in programmes.values()]
    if not form.validate():
        _invalid(form.errors)
    student = new_student(
        student_number=form.student_number.data,
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data or "",
        phone=form.phone.data or "",
        birth_year=form.birth_year.data,
        school_id=int(form.school.data),
        programme_id=int(form.programme.data),
        start_date=form.start_date.data,
    )

    def make():
        db.session.add(student)
        db.session.flush()
        log(student, CaseEventKind.STUDENT_CREATED, current_user)
        if form.create_plan.data:
            services.generate_plan(student, form.start_date.data, today())

    _save(make)
    return student


@blp.route("/students/<int:student_id>", methods=["PATCH"], endpoint="update_student")
@blp.arguments(schemas.StudentUpdateSchema)
@blp.response(200, schemas.StudentSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **STALE)
def update_student(args, student_id: int):
    """Correct the student record (as "Edit student" does): only the fields sent change."""
    student = access.students.get_record_student_or_404(student_id)
    values = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "student_number": student.student_number,
        "email": student.email,
        "phone": student.phone,
        "birth_year": student.birth_year,
        "contact_teacher": student.contact_teacher_id,
        "counsellor": student.counsellor_id,
    }
    for name, value in args.items():
        values[{v: k for k, v in _FIELD_NAMES.items()}.get(name, name)] = value
    form = _form(StudentRecordForm, values)
    form.editing_id = student.id
    form.contact_teacher.choices = _staff(student, Role.TEACHER, student.contact_teacher_id)
    form.counsellor.choices = _staff(student, Role.COUNSELLOR, student.counsellor_id)
    if not form.validate():
        _invalid(form.errors)

    def person(field):
        return db.session.get(User, int(field.data)) if field.data else None

    record = StudentRecord(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        student_number=form.student_number.data,
        email=form.email.data or "",
        phone=form.phone.data or "",
        birth_year=form.birth_year.data,
        contact_teacher=person(form.contact_teacher),
        counsellor=person(form.counsellor),
    )
    _save(lambda: update_record(student, record, current_user, form.seen_version()))
    return student


# --- the plan -----------------------------------------------------------------------------


@blp.route("/students/<int:student_id>/periods", methods=["GET"])
@blp.response(200, schemas.PeriodSchema(many=True))
@blp.alt_response(404, **NOT_FOUND)
def list_periods(student_id: int):
    """The student's plan: school and training periods in date order."""
    return services.plan_of(_read_student(student_id, "plan"))


# --- training agreements ------------------------------------------------------------------


@blp.route("/students/<int:student_id>/agreements", methods=["GET"])
@blp.response(200, schemas.AgreementSchema(many=True))
@blp.alt_response(404, **NOT_FOUND)
def list_agreements(student_id: int):
    """The student's training agreements."""
    return _read_student(student_id, "agreements").agreements


def _employer_choices(student: Student) -> list[tuple[str, str]]:
    """The employers the page offers: every active municipality and region to the school,
    the client's own organisation to an employer."""
    query = select(Organisation.id).where(
        Organisation.kind.in_([OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]),
        Organisation.active.is_(True),
    )
    if not access.is_school_staff_for(current_user, student):
        query = query.where(
            Organisation.id.in_(current_user.organisation_ids(*access.EMPLOYER_STAFF_ROLES))
        )
    return [(str(i), str(i)) for i in db.session.execute(query).scalars()]


def _save_agreement(student: Student, agreement, values: dict, version: int | None):
    form = _form(AgreementForm, {**values, "version": version})
    form.employer.choices = _employer_choices(student)
    if not form.validate():
        _invalid(form.errors)
    employer = db.session.get(Organisation, int(form.employer.data))
    made = []
    _save(
        lambda: made.append(
            services.save_agreement(
                student,
                agreement,
                employer,
                form.kind.data,
                form.start_date.data,
                form.end_date.data,
                form.seen_version() if version is not None else None,
            )
        )
    )
    return made[0]


def _agreement_values(args: dict) -> dict:
    values = {("employer" if k == "employer_id" else k): v for k, v in args.items()}
    if "kind" in values and values["kind"] is not None:
        values["kind"] = values["kind"].value
    values.pop("version", None)
    return values


@blp.route("/students/<int:student_id>/agreements", methods=["POST"], endpoint="create_agreement")
@blp.arguments(schemas.AgreementCreateSchema)
@blp.response(201, schemas.AgreementSchema)
@blp.alt_response(404, **NOT_FOUND)
def create_agreement(args, student_id: int):
    """Add a training agreement (as "New agreement" does)."""
    student = access.journey.get_plan_student_or_404(student_id, edit=True)
    return _save_agreement(student, None, _agreement_values(args), None)


@blp.route(
    "/students/<int:student_id>/agreements/<int:agreement_id>",
    methods=["PATCH"],
    endpoint="update_agreement",
)
@blp.arguments(schemas.AgreementUpdateSchema)
@blp.response(200, schemas.AgreementSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **STALE)
def update_agreement(args, student_id: int, agreement_id: int):
    """Change a training agreement: only the fields sent change."""
    student = access.journey.get_plan_student_or_404(student_id, edit=True)
    agreement = access.journey.get_agreement_or_404(student, agreement_id)
    values = {
        "employer": agreement.employer_id,
        "kind": agreement.kind.value,
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
    }
    values.update(_agreement_values(args))
    return _save_agreement(student, agreement, values, args["version"])


# --- enrolments ----------------------------------------------------------------------------


@blp.route("/students/<int:student_id>/enrolments", methods=["GET"])
@blp.response(200, schemas.EnrolmentSchema(many=True))
@blp.alt_response(404, **NOT_FOUND)
def list_enrolments(student_id: int):
    """The student's enrolments, the first first."""
    student = _read_student(student_id, "enrolments")
    return sorted(student.enrolments, key=lambda e: (e.start_date, e.id))


@blp.route("/students/<int:student_id>/enrolments", methods=["POST"], endpoint="create_enrolment")
@blp.arguments(schemas.EnrolmentCreateSchema)
@blp.response(201, schemas.EnrolmentSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **STALE)
def create_enrolment(args, student_id: int):
    """Enrol the student anew after a completion, dropout or transfer (as "New enrolment"
    does, confirmed): what carries over from the previous enrolment is decided by the same
    rules as on the page."""
    student = access.journey.get_status_student_or_404(student_id)
    schools = access.journey.enrolment_school_ids(current_user)
    programmes = {
        p.code.lower(): p
        for p in db.session.execute(select(Programme).where(Programme.active.is_(True))).scalars()
    }
    programme = programmes.get(args["programme"].strip().lower())
    values = {
        "programme": programme.id if programme else args["programme"],
        "school": args.get("school_id", student.school_id),
        "start_date": args["start_date"],
        "class_team": args["class_team_id"],
        "create_plan": "y" if args["create_plan"] else None,
        "version": args["version"],
    }
    form = _form(EnrolForm, values)
    form.programme.choices = [(str(p.id), p.code) for p in programmes.values()]
    form.school.choices = [
        (str(i), str(i))
        for i in db.session.execute(
            select(Organisation.id).where(
                Organisation.id.in_(schools), Organisation.kind == OrganisationKind.SCHOOL
            )
        ).scalars()
    ]
    form.class_team.choices = [("", "")] + [
        (str(i), str(i))
        for i in db.session.execute(
            select(ClassTeam.id).where(ClassTeam.school_id.in_(schools))
        ).scalars()
    ]
    if not form.validate():
        _invalid(form.errors)
    team = db.session.get(ClassTeam, int(form.class_team.data)) if form.class_team.data else None
    change = enrolment_services.EnrolmentChange(
        programme=db.session.get(Programme, int(form.programme.data)),
        school=db.session.get(Organisation, int(form.school.data)),
        start_date=form.start_date.data,
        class_team=team,
        create_plan=form.create_plan.data,
    )
    made = []

    def enrol():
        enrolment_services.check_enrolment(student, change, today())
        made.append(enrolment_services.enrol(student, change, form.seen_version()))

    _save(enrol)
    return made[0]


# --- upcoming transitions -----------------------------------------------------------------


@blp.route("/transitions", methods=["GET"])
@blp.arguments(schemas.TransitionArgs, location="query")
@blp.response(200, schemas.TransitionListSchema)
@blp.alt_response(403, **_problem("The client's role has no transition list"))
def list_transitions(args):
    """Transitions (from school to training, between workplaces, ...) in the next `days` days,
    with the state of their handover note, as the "Transitions" page lists them."""
    access.roles.permitted(
        current_user, sees=True, may=current_user.has_role(*access.PLAN_EDITOR_ROLES)
    )
    start = today()
    end = start + timedelta(days=args["days"])
    limit = current_app.config["API_TRANSITIONS_MAX"]
    rows = db.session.execute(
        handovers.upcoming_transitions(access.visible_students(current_user), start, end).limit(
            limit
        )
    ).all()
    audit.record_search({"api": "transitions", "days": args["days"]})
    items = [
        {
            "student_id": to_period.student_id,
            "from_period_id": previous.id,
            "to_period_id": to_period.id,
            "start_date": to_period.start_date,
            "from_kind": previous.kind,
            "to_kind": to_period.kind,
            "to_workplace": to_period.workplace.name if to_period.workplace else None,
            "handover": handovers.status_of(note).value,
        }
        for to_period, previous, note in rows
    ]
    return {"items": items}
