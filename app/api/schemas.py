"""The API's marshmallow schemas: what each call takes and answers, and its OpenAPI description.

They check types and shapes only. The rules of a change (lengths, formats, duplicate numbers,
overlapping agreements, ...) are the pages' own: the request is run through the same form and
service (app.api.routes), so the API and the pages cannot disagree.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.models import AgreementKind, PeriodKind, PeriodStatus, StudentStatus

MAX_ID = 2**31 - 1
_id = {"validate": validate.Range(min=1, max=MAX_ID), "strict": True}


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Not Found"})
    status = fields.Integer(required=True, metadata={"example": 404})
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For 422: the messages per field."},
    )


class PageArgs(Strict):
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100), strict=False)
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "next_cursor of the previous page; omit for the first page."},
    )


class TransitionArgs(Strict):
    days = fields.Integer(
        load_default=28,
        validate=validate.Range(min=1, max=183),
        strict=False,
        metadata={"description": "How many days ahead (1-183)."},
    )


class StudentSchema(ma.Schema):
    id = fields.Integer(required=True)
    student_number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    birth_year = fields.Integer(allow_none=True, required=True)
    status = fields.Enum(StudentStatus, by_value=True, required=True)
    school_id = fields.Integer(required=True)
    programme = fields.Function(lambda s: s.programme.code, required=True)
    start_date = fields.Date(required=True)
    contact_teacher_id = fields.Integer(allow_none=True, required=True)
    counsellor_id = fields.Integer(allow_none=True, required=True)
    version = fields.Integer(
        attribute="version_id",
        required=True,
        metadata={"description": "Send it back when you change the student."},
    )


class StudentPageSchema(ma.Schema):
    items = fields.List(fields.Nested(StudentSchema), required=True)
    next_cursor = fields.String(
        allow_none=True, required=True, metadata={"description": "null on the last page"}
    )


_name = {"validate": validate.Length(max=200)}


class StudentCreateSchema(Strict):
    first_name = fields.String(required=True, **_name)
    last_name = fields.String(required=True, **_name)
    student_number = fields.String(required=True, **_name)
    email = fields.String(load_default="", **_name)
    phone = fields.String(load_default="", **_name)
    birth_year = fields.Integer(load_default=None, allow_none=True, strict=True)
    programme = fields.String(
        required=True, metadata={"description": "The programme's code, e.g. SSA"}, **_name
    )
    start_date = fields.Date(required=True)
    create_plan = fields.Boolean(
        load_default=True, metadata={"description": "Copy the plan from the template"}
    )


class StudentUpdateSchema(Strict):
    """Only the fields sent are changed."""

    first_name = fields.String(**_name)
    last_name = fields.String(**_name)
    student_number = fields.String(**_name)
    email = fields.String(**_name)
    phone = fields.String(**_name)
    birth_year = fields.Integer(allow_none=True, strict=True)
    contact_teacher_id = fields.Integer(allow_none=True, **_id)
    counsellor_id = fields.Integer(allow_none=True, **_id)
    version = fields.Integer(required=True, **_id)


class PeriodSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(PeriodKind, by_value=True, required=True)
    title = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    status = fields.Enum(PeriodStatus, by_value=True, required=True)
    workplace = fields.Function(
        lambda p: p.workplace.name if p.workplace else None, allow_none=True, required=True
    )
    workplace_id = fields.Integer(allow_none=True, required=True)


class AgreementSchema(ma.Schema):
    id = fields.Integer(required=True)
    student_id = fields.Integer(required=True)
    employer_id = fields.Integer(required=True)
    employer = fields.Function(lambda a: a.employer.name, required=True)
    kind = fields.Enum(AgreementKind, by_value=True, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    version = fields.Integer(attribute="version_id", required=True)


class AgreementCreateSchema(Strict):
    employer_id = fields.Integer(required=True, **_id)
    kind = fields.Enum(AgreementKind, by_value=True, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(load_default=None, allow_none=True)


class AgreementUpdateSchema(Strict):
    """Only the fields sent are changed."""

    employer_id = fields.Integer(**_id)
    kind = fields.Enum(AgreementKind, by_value=True)
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    version = fields.Integer(required=True, **_id)


class EnrolmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    programme = fields.Function(lambda e: e.programme.code, required=True)
    school_id = fields.Integer(required=True)
    class_team_id = fields.Integer(allow_none=True, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    status = fields.Enum(StudentStatus, by_value=True, required=True)


class EnrolmentCreateSchema(Strict):
    """A new enrolment after a completion, dropout or transfer."""

    programme = fields.String(
        required=True, metadata={"description": "The programme's code, e.g. SSA"}, **_name
    )
    school_id = fields.Integer(metadata={"description": "Default: the student's school"}, **_id)
    start_date = fields.Date(required=True)
    class_team_id = fields.Integer(allow_none=True, load_default=None, **_id)
    create_plan = fields.Boolean(
        load_default=True, metadata={"description": "Copy the plan from the template"}
    )
    version = fields.Integer(
        required=True, metadata={"description": "The student's version"}, **_id
    )


class TransitionSchema(ma.Schema):
    student_id = fields.Integer(required=True)
    from_period_id = fields.Integer(required=True)
    to_period_id = fields.Integer(required=True)
    start_date = fields.Date(required=True)
    from_kind = fields.Enum(PeriodKind, by_value=True, required=True)
    to_kind = fields.Enum(PeriodKind, by_value=True, required=True)
    to_workplace = fields.String(allow_none=True, required=True)
    handover = fields.String(
        required=True, metadata={"description": "missing, written or acknowledged"}
    )


class TransitionListSchema(ma.Schema):
    items = fields.List(fields.Nested(TransitionSchema), required=True)
