"""Gather everything held about one student for their access request (indsigtsanmodning).

The student has the right to see all their own data, whatever they consented to share with
whom, so nothing here is filtered by consent or visibility. What is left out is the staff:
no user ids, names or e-mail addresses of the people who wrote, assessed, signed or read
anything (docs/domain.md: "the access log ... without staff names by default").

The result is plain data (dicts, lists, dates, enum members), never ORM objects, so the PDF
template can show only what was collected here. `to_json` turns it into JSON-ready values.
Each kind of record is loaded with one query (or two, for a kind with child rows), whatever
the number of rows.
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import nh3
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import labels
from app.access import acting_organisation_id
from app.casefile.sanitize import render_note
from app.extensions import db
from app.models import (
    Absence,
    Attachment,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseNote,
    CaseReview,
    Consent,
    ConversationRequest,
    Declaration,
    DeclarationLine,
    Enrolment,
    GoalAssessment,
    HandoverNote,
    HelpRequest,
    LearningAgreement,
    Leave,
    LegalHold,
    Membership,
    MidEvaluation,
    Organisation,
    Period,
    PlaceEvaluation,
    Reflection,
    RiskFlag,
    SupportMeasure,
    SupportNeed,
    TrainingExperience,
    TrainingWarning,
    User,
    Workplace,
)
from app.models import Student as StudentModel
from app.models.base import today
from app.risk.rules import from_stored
from app.risk.texts import explain

Data = dict[str, Any]

# The sections of the export, in the order of the JSON file and the PDF.
SECTIONS = (
    "agreements",
    "enrolments",
    "leaves",
    "periods",
    "case_history",
    "handover_notes",
    "support_needs",
    "support_measures",
    "consents",
    "goal_assessments",
    "training_experiences",
    "learning_agreements",
    "mid_evaluations",
    "warnings",
    "declarations",
    "absences",
    "reflections",
    "place_evaluations",
    "conversation_requests",
    "notes",
    "reviews",
    "help_requests",
    "risk_signs",
    "legal_holds",
    "attachments",
    "access_log",
)

# How the access log reads in the PDF (app/labels.py has no names for these).
AUDIT_ACTION = {
    AuditAction.VIEW: _l("Viewed"),
    AuditAction.SEARCH: _l("Searched"),
    AuditAction.CREATE: _l("Created"),
    AuditAction.UPDATE: _l("Changed"),
    AuditAction.DELETE: _l("Deleted"),
    AuditAction.EXPORT: _l("Exported"),
    AuditAction.LOGIN: _l("Logged in"),
    AuditAction.LOGIN_FAILED: _l("Failed login"),
    AuditAction.LOGOUT: _l("Logged out"),
}

# The kinds of object in the access log (table names); others are shown as stored.
OBJECT_TYPE = {
    "student": _l("Student"),
    "period": _l("Period"),
    "training_agreement": _l("Training agreement"),
    "handover_note": _l("Handover note"),
    "support_need": _l("Support need"),
    "support_measure": _l("Support measure"),
    "consent": _l("Consent"),
    "case_note": _l("Note"),
    "case_review": _l("Case review"),
    "action_item": _l("Action item"),
    "training_experience": _l("Training experience"),
    "training_warning": _l("Warning"),
    "mid_evaluation": _l("Mid-period evaluation"),
    "learning_agreement": _l("Learning agreement"),
    "declaration": _l("Declaration on training"),
    "absence": _l("Absence"),
    "goal_assessment": _l("Goal assessment"),
    "attachment": _l("Attachment"),
    "enrolment": _l("Enrolment"),
    "student_leave": _l("Leave"),
    "reflection": _l("Reflection"),
    "conversation_request": _l("Request for a conversation"),
    "place_evaluation": _l("Evaluation of the training place"),
    "help_request": _l("Request for help"),
    "legal_hold": _l("Legal hold"),
    "access_log": _l("Access log"),  # the access-log review (app.auditlog)
}

_BREAKS = re.compile(r"<br\s*/?>|</p>|</li>|</h\d>|</div>", re.IGNORECASE)


def plain_text(body: str | None) -> str:
    """A note as plain text: its formatting (Markdown markers, or the HTML of an older note)
    rendered and cleaned as on the page, then line breaks kept and every tag and entity gone."""
    if not body:
        return ""
    text = _BREAKS.sub("\n", render_note(body).replace(">\n<", "><"))
    text = html.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


def _by_student(model, student_id: int):
    return select(model).where(model.student_id == student_id)


def _by_period(model, period_ids: list[int]):
    return select(model).where(model.period_id.in_(period_ids))


# --- what each record becomes -------------------------------------------------------------------
#
# A record is a dict of `fields`: a name copies the attribute of that name; (key, fn) puts
# fn(row) under key.

Fields = tuple[str | tuple[str, Callable[[Any], Any]], ...]


def _record(row, fields: Fields) -> Data:
    # The keys come in the order of `fields`: the order of the JSON file.
    record = {}
    for field in fields:
        if isinstance(field, str):
            record[field] = getattr(row, field)
        else:
            key, value = field
            record[key] = value(row)
    return record


def _records(rows, fields: Fields) -> list[Data]:
    return [_record(row, fields) for row in rows]


def _name_of(attribute: str) -> tuple[str, Callable[[Any], Any]]:
    """The field `attribute` as the name of the organisation (or workplace) it points to."""
    return attribute, lambda row: _name(getattr(row, attribute))


STUDENT_FIELDS: Fields = (
    "student_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "status",
    "start_date",
    "dropout_date",
    "dropout_reason",
    "created_at",
    "updated_at",
    ("programme", lambda s: _record(s.programme, ("code", "short_name", "name", "level"))),
    ("school", lambda s: _record(s.school, ("name", "code"))),
)
AGREEMENT_FIELDS: Fields = ("kind", _name_of("employer"), "start_date", "end_date")
PERIOD_FIELDS: Fields = (
    "id",
    "kind",
    "title",
    "training_area",
    "training_number",
    "start_date",
    "end_date",
    "original_end_date",
    _name_of("workplace"),
    ("employer", lambda p: _name(p.workplace.organisation) if p.workplace else None),
    ("status", lambda p: p.status_on(today())),
)


@dataclass(frozen=True)
class Section:
    """A section of the export read from the database with one query (and its eager `load`s):
    the rows of `model` that belong to the student, or with `by_period` to one of their
    periods, in `order`; and what each row becomes (`fields`)."""

    name: str
    model: Any
    order: tuple[Any, ...]
    fields: Fields
    load: tuple[Any, ...] = ()
    by_period: bool = False
    where: Any = None  # a further condition on the rows, if any

    def query(self, student_id: int, period_ids: list[int]) -> Select:
        if self.by_period:
            rows = _by_period(self.model, period_ids)
        else:
            rows = _by_student(self.model, student_id)
        if self.where is not None:
            rows = rows.where(self.where)
        return rows.options(*self.load).order_by(*self.order)


SECTION_TABLE: tuple[Section, ...] = (
    # Each programme the student was enrolled in, and the leaves (orlov) they had.
    Section(
        "enrolments",
        Enrolment,
        (Enrolment.start_date, Enrolment.id),
        (
            ("programme", lambda e: _record(e.programme, ("code", "short_name", "name", "level"))),
            ("school", lambda e: _name(e.school)),
            ("class_team", lambda e: e.class_team.code if e.class_team else None),
            "start_date",
            "end_date",
            "status",
            "result",
            "qualified",
            "dropout_reason",
            "dropout_note",
            "dropout_at_transition",
            "created_at",
        ),
        load=(
            joinedload(Enrolment.programme),
            joinedload(Enrolment.school),
            joinedload(Enrolment.class_team),
        ),
    ),
    Section(
        "leaves",
        Leave,
        (Leave.start_date, Leave.id),
        ("start_date", "end_date", "ended_on", "reason", "created_at"),
    ),
    Section(
        "case_history",
        CaseEvent,
        (CaseEvent.at, CaseEvent.id),
        ("at", "kind", _name_of("organisation"), "period_id", ("text", lambda e: _describe(e))),
        load=(joinedload(CaseEvent.organisation),),
    ),
    Section(
        "handover_notes",
        HandoverNote,
        (HandoverNote.written_at, HandoverNote.id),
        (
            "from_period_id",
            "to_period_id",
            ("organisation", lambda h: _name(h.author_organisation)),
            "written_at",
            "updated_at",
            "acknowledged_at",
            "strengths",
            "challenges",
            "agreed_support",
            "first_weeks",
            "contact_person",
        ),
        load=(joinedload(HandoverNote.author_organisation),),
        # A draft is unfinished work kept to the writing organisation; the note is the student's
        # once it is sent.
        where=HandoverNote.is_draft.is_(False),
    ),
    Section(
        "support_needs",
        SupportNeed,
        (SupportNeed.flagged_at, SupportNeed.id),
        (
            "id",
            ("category", lambda n: n.category.name),
            ("category_en", lambda n: n.category.name_en),
            ("health_data", lambda n: n.category.health_data),
            "description",
            "documentation_kind",
            "documentation_date",
            "status",
            "flagged_at",
            "resolved_on",
        ),
        load=(joinedload(SupportNeed.category),),
    ),
    Section(
        "support_measures",
        SupportMeasure,
        (SupportMeasure.start_date, SupportMeasure.id),
        (
            "id",
            "need_id",
            "type",
            ("sps", lambda m: m.is_sps),
            "provider",
            # Support arranged at the workplace: the employer whose record it is.
            ("employer", lambda m: _name(m.organisation)),
            "health_related",
            "description",
            "start_date",
            "end_date",
            "hours_granted",
            "hours_used",
            "next_follow_up",
            "evaluation",
            "status",
            "sps_stage",
            ("period_ids", lambda m: [p.id for p in m.periods]),
            "created_at",
            (
                "sps_steps",
                lambda m: _records(
                    m.steps, ("stage", "on_date", "note", "equipment_returned", "recorded_at")
                ),
            ),
        ),
        load=(
            selectinload(SupportMeasure.steps),
            selectinload(SupportMeasure.periods),
            joinedload(SupportMeasure.organisation),
        ),
    ),
    Section(
        "consents",
        Consent,
        (Consent.valid_from, Consent.id),
        (
            "category",
            _name_of("recipient"),
            "valid_from",
            "valid_to",
            "note",
            "channel",
            "text_version",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_channel",
            ("in_force", lambda c: c.in_force(today())),
        ),
        load=(joinedload(Consent.recipient),),
    ),
    Section(
        "goal_assessments",
        GoalAssessment,
        (GoalAssessment.assessed_on, GoalAssessment.id),
        (
            "period_id",
            ("goal_number", lambda g: g.goal.number),
            ("goal", lambda g: g.goal.text),
            "level",
            "assessed_on",
            "comment",
        ),
        load=(joinedload(GoalAssessment.goal),),
        by_period=True,
    ),
    Section(
        "training_experiences",
        TrainingExperience,
        (TrainingExperience.on_date, TrainingExperience.id),
        (
            "period_id",
            "on_date",
            "category",
            "what_happened",
            "learned",
            "work_on",
            "concern",
            "created_at",
        ),
    ),
    Section(
        "learning_agreements",
        LearningAgreement,
        (LearningAgreement.id,),
        ("period_id", "goals_for_period", "agreed_support", "meetings", "updated_at"),
        by_period=True,
    ),
    Section(
        "mid_evaluations",
        MidEvaluation,
        (MidEvaluation.evaluated_on,),
        (
            "period_id",
            "evaluated_on",
            "on_track",
            "comment",
            "next_steps",
            "signed_at",
            "acknowledged_at",
        ),
        by_period=True,
    ),
    Section(
        "warnings",
        TrainingWarning,
        (TrainingWarning.issued_at, TrainingWarning.id),
        (
            "period_id",
            "issued_at",
            ("goal_numbers", lambda w: [g.number for g in w.goals]),
            "reason",
            "agreed_actions",
            "deadline",
            "followed_up_at",
            "follow_up_note",
            "read_at",
            "student_comment",
            "commented_at",
        ),
        load=(selectinload(TrainingWarning.goals),),
    ),
    Section(
        "declarations",
        Declaration,
        (Declaration.id,),
        (
            "period_id",
            "approved",
            "needs_next_periods",
            "issued_at",
            "updated_at",
            "student_confirmed_at",
            (
                "lines",
                lambda d: _records(
                    sorted(d.lines, key=lambda line: line.goal.number),
                    (("goal_number", lambda line: line.goal.number), "level", "approved"),
                ),
            ),
        ),
        load=(selectinload(Declaration.lines).joinedload(DeclarationLine.goal),),
        by_period=True,
    ),
    Section(
        "absences",
        Absence,
        (Absence.start_date, Absence.id),
        ("period_id", "start_date", "end_date", "days", "kind", "note", "recorded_at"),
        by_period=True,
    ),
    # The student's own words: their learning log in training, their evaluations of the
    # training places and their requests for a conversation.
    Section(
        "reflections",
        Reflection,
        (Reflection.created_at, Reflection.id),
        ("period_id", "created_at", "text"),
    ),
    Section(
        "place_evaluations",
        PlaceEvaluation,
        (PlaceEvaluation.answered_on, PlaceEvaluation.id),
        # The period names the workplace and its employer.
        ("period_id", "answered_on", "welcomed", "supervision", "learning", "heard"),
    ),
    Section(
        "conversation_requests",
        ConversationRequest,
        (ConversationRequest.created_at, ConversationRequest.id),
        ("with_whom", "topic", "asked_on", "created_at", "handled_at"),
    ),
    Section(
        "notes",
        CaseNote,
        (CaseNote.created_at, CaseNote.id),
        (
            "created_at",
            "updated_at",
            _name_of("organisation"),
            "category",
            "visibility",
            ("text", lambda n: plain_text(n.body)),
        ),
        load=(joinedload(CaseNote.organisation),),
    ),
    Section(
        "reviews",
        CaseReview,
        (CaseReview.on_date, CaseReview.id),
        (
            "on_date",
            "at_time",
            "location",
            _name_of("organisation"),
            "status",
            "agenda",
            "minutes",
            "decisions",
            "outcome",
            (
                "action_items",
                lambda r: _records(r.action_items, ("text", "due_date", "status", "done_at")),
            ),
        ),
        load=(joinedload(CaseReview.organisation), selectinload(CaseReview.action_items)),
    ),
    # A workplace asking the school for a case review or a conversation (app.support.help).
    Section(
        "help_requests",
        HelpRequest,
        (HelpRequest.requested_at, HelpRequest.id),
        (
            "kind",
            _name_of("organisation"),
            "period_id",
            "reason",
            "requested_at",
            "status",
            "answered_at",
            "decline_reason",
        ),
        load=(joinedload(HelpRequest.organisation),),
    ),
    # The signs of risk found for the student (app.risk): each run of days with at least one
    # sign, and the signs it had at the last evaluation, worded as the staff read them.
    Section(
        "risk_signs",
        RiskFlag,
        (RiskFlag.first_flagged_on, RiskFlag.id),
        (
            "first_flagged_on",
            "last_seen_on",
            "cleared_on",
            ("signs", lambda f: [explain(signal) for signal in from_stored(f.signals or [])]),
        ),
    ),
    # Holds that keep the case from being deleted when its retention time is up.
    Section(
        "legal_holds",
        LegalHold,
        (LegalHold.set_at, LegalHold.id),
        ("reason", "set_at", "lifted_at"),
    ),
    # The files on the student's records (app.attachments): what each is and which record it
    # belongs to. The files themselves are handed over on request (docs/attachments.md).
    Section(
        "attachments",
        Attachment,
        (Attachment.uploaded_at, Attachment.id),
        (
            "id",  # the file in the ZIP of attached files is named "<id>-<filename>"
            "filename",
            "content_type",
            "size",
            "uploaded_at",
            ("record", lambda a: a.parent_kind),
            ("record_id", lambda a: a.parent_id),
            _name_of("organisation"),
            "sha256",
        ),
        load=(joinedload(Attachment.organisation),),
    ),
)


def collect(student: StudentModel, generated_at: datetime | None = None) -> Data:
    """Everything about `student`. The student must have been loaded with its school,
    programme and agreements (with their employers); see routes.load_student."""
    periods = list(
        db.session.scalars(
            _by_student(Period, student.id)
            .options(joinedload(Period.workplace).joinedload(Workplace.organisation))
            .order_by(Period.start_date, Period.id)
        )
    )
    period_ids = [p.id for p in periods]
    data: Data = {
        "generated_at": generated_at or datetime.now(UTC),
        "student": _record(student, STUDENT_FIELDS),
        "agreements": _records(student.agreements, AGREEMENT_FIELDS),
        "periods": _records(periods, PERIOD_FIELDS),
    }
    for section in SECTION_TABLE:
        rows = db.session.scalars(section.query(student.id, period_ids))
        data[section.name] = _records(rows, section.fields)
    data["access_log"] = _access_log(student)
    return data


def _access_log(student: StudentModel) -> list[Data]:
    """When, what kind of access, to what kind of information, and by which organisation;
    never who (the user) or what was searched. Rows written before the organisation was
    recorded take it from the user's memberships now: the organisation the user acts for in
    this student's case (empty if the user has been deleted). Two queries at most."""
    organisation = aliased(Organisation)
    rows = db.session.execute(
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.user_id,
            organisation.name,
        )
        .outerjoin(organisation, organisation.id == AuditEvent.organisation_id)
        .where(AuditEvent.student_id == student.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    names = acting_organisation_names(student, rows)
    return [
        {
            "at": r.at,
            "action": r.action,
            "object_type": r.object_type,
            "organisation": r.name if r.name is not None else names.get(r.user_id),
        }
        for r in rows
    ]


def acting_organisation_names(student: StudentModel, rows) -> dict[int, str | None]:
    """For access-log `rows` (with `user_id` and the recorded organisation's `name`) that
    have no organisation recorded: the name of the organisation each user acts for in this
    student's case now, by user id. No query if every row has its organisation; else two."""
    unknown = {r.user_id for r in rows if r.name is None and r.user_id is not None}
    names: dict[int, str | None] = {}
    if unknown:
        users = db.session.scalars(
            select(User)
            .where(User.id.in_(unknown))
            .options(selectinload(User.memberships).joinedload(Membership.organisation))
        )
        for user in users:
            acting = acting_organisation_id(user, student)
            names[user.id] = next(
                (m.organisation.name for m in user.memberships if m.organisation_id == acting),
                None,
            )
    return names


def _describe(event: CaseEvent) -> str:
    if event.kind not in labels.CASE_EVENT:
        return event.kind.value
    return labels.describe(event)


def period_names(data: Data) -> dict[int, str]:
    """A readable name for each period of the export, in the current language."""
    from flask_babel import format_date

    names = {}
    for p in data["periods"]:
        title = p["title"] or str(labels.PERIOD_KIND[p["kind"]])
        names[p["id"]] = f"{title} ({format_date(p['start_date'])} – {format_date(p['end_date'])})"
    return names


def to_json(value: Any) -> Any:
    """JSON-ready values: ISO dates and times, enums by their value, decimals as numbers."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
