"""Gather everything held about one student for their access request (indsigtsanmodning).

The student has the right to see all their own data, whatever they consented to share with
whom, so nothing here is filtered by consent or visibility. What is left out is the staff:
no user ids, names or e-mail addresses of the people who wrote, assessed, signed or read
anything (DOMAIN.md: "the access log ... without staff names by default").

The result is plain data (dicts, lists, dates, enum members), never ORM objects, so the PDF
template can show only what was collected here. `to_json` turns it into JSON-ready values.
Each kind of record is loaded with one query (or two, for a kind with child rows), whatever
the number of rows.
"""

from __future__ import annotations

import enum
import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import nh3
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import labels
from app.access import acting_organisation_id
from app.extensions import db
from app.models import (
    Absence,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseNote,
    CaseReview,
    Consent,
    Declaration,
    DeclarationLine,
    GoalAssessment,
    HandoverNote,
    LearningAgreement,
    Membership,
    MidEvaluation,
    Organisation,
    Period,
    SupportMeasure,
    SupportNeed,
    TrainingExperience,
    TrainingWarning,
    User,
    Workplace,
)
from app.models import Student as StudentModel

Data = dict[str, Any]

# The sections of the export, in the order of the JSON file and the PDF.
SECTIONS = (
    "agreements",
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
    "notes",
    "reviews",
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
}

_BREAKS = re.compile(r"<br\s*/?>|</p>|</li>|</h\d>|</div>", re.IGNORECASE)


def plain_text(body: str | None) -> str:
    """A note's sanitised HTML as plain text: line breaks kept, every tag and entity gone."""
    if not body:
        return ""
    text = _BREAKS.sub("\n", body)
    text = html.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


def _by_student(model, student_id: int):
    return select(model).where(model.student_id == student_id)


def _by_period(model, period_ids: list[int]):
    return select(model).where(model.period_id.in_(period_ids))


def collect(student: StudentModel, generated_at: datetime | None = None) -> Data:
    """Everything about `student`. The student must have been loaded with its school,
    programme and agreements (with their employers); see routes.load_student."""
    sid = student.id
    scalars = db.session.scalars

    periods = list(
        scalars(
            _by_student(Period, sid)
            .options(joinedload(Period.workplace).joinedload(Workplace.organisation))
            .order_by(Period.start_date, Period.id)
        )
    )
    period_ids = [p.id for p in periods]
    today = date.today()

    data: Data = {
        "generated_at": generated_at or datetime.now(UTC),
        "student": {
            "student_number": student.student_number,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "phone": student.phone,
            "status": student.status,
            "start_date": student.start_date,
            "dropout_date": student.dropout_date,
            "dropout_reason": student.dropout_reason,
            "created_at": student.created_at,
            "updated_at": student.updated_at,
            "programme": {
                "code": student.programme.code,
                "name": student.programme.name,
                "level": student.programme.level,
            },
            "school": {"name": student.school.name, "code": student.school.code},
        },
        "agreements": [
            {
                "kind": a.kind,
                "employer": _name(a.employer),
                "start_date": a.start_date,
                "end_date": a.end_date,
            }
            for a in student.agreements
        ],
        "periods": [
            {
                "id": p.id,
                "kind": p.kind,
                "title": p.title,
                "training_area": p.training_area,
                "training_number": p.training_number,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "original_end_date": p.original_end_date,
                "workplace": _name(p.workplace),
                "employer": _name(p.workplace.organisation) if p.workplace else None,
                "status": p.status_on(today),
            }
            for p in periods
        ],
    }

    events = scalars(
        _by_student(CaseEvent, sid)
        .options(joinedload(CaseEvent.organisation))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    data["case_history"] = [
        {
            "at": e.at,
            "kind": e.kind,
            "organisation": _name(e.organisation),
            "period_id": e.period_id,
            "text": _describe(e),
        }
        for e in events
    ]

    handovers = scalars(
        _by_student(HandoverNote, sid)
        .options(joinedload(HandoverNote.author_organisation))
        .order_by(HandoverNote.written_at, HandoverNote.id)
    )
    data["handover_notes"] = [
        {
            "from_period_id": h.from_period_id,
            "to_period_id": h.to_period_id,
            "organisation": _name(h.author_organisation),
            "written_at": h.written_at,
            "updated_at": h.updated_at,
            "acknowledged_at": h.acknowledged_at,
            "strengths": h.strengths,
            "challenges": h.challenges,
            "agreed_support": h.agreed_support,
            "first_weeks": h.first_weeks,
            "contact_person": h.contact_person,
        }
        for h in handovers
    ]

    needs = scalars(
        _by_student(SupportNeed, sid)
        .options(joinedload(SupportNeed.category))
        .order_by(SupportNeed.flagged_at, SupportNeed.id)
    )
    data["support_needs"] = [
        {
            "id": n.id,
            "category": n.category.name,
            "category_en": n.category.name_en,
            "health_data": n.category.health_data,
            "description": n.description,
            "documentation_kind": n.documentation_kind,
            "documentation_date": n.documentation_date,
            "status": n.status,
            "flagged_at": n.flagged_at,
            "resolved_on": n.resolved_on,
        }
        for n in needs
    ]

    measures = scalars(
        _by_student(SupportMeasure, sid)
        .options(selectinload(SupportMeasure.steps), selectinload(SupportMeasure.periods))
        .order_by(SupportMeasure.start_date, SupportMeasure.id)
    )
    data["support_measures"] = [
        {
            "id": m.id,
            "need_id": m.need_id,
            "type": m.type,
            "sps": m.is_sps,
            "provider": m.provider,
            "description": m.description,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "hours_granted": m.hours_granted,
            "hours_used": m.hours_used,
            "next_follow_up": m.next_follow_up,
            "evaluation": m.evaluation,
            "status": m.status,
            "sps_stage": m.sps_stage,
            "period_ids": [p.id for p in m.periods],
            "created_at": m.created_at,
            "sps_steps": [
                {
                    "stage": s.stage,
                    "on_date": s.on_date,
                    "note": s.note,
                    "equipment_returned": s.equipment_returned,
                    "recorded_at": s.recorded_at,
                }
                for s in m.steps
            ],
        }
        for m in measures
    ]

    consents = scalars(
        _by_student(Consent, sid)
        .options(joinedload(Consent.recipient))
        .order_by(Consent.valid_from, Consent.id)
    )
    data["consents"] = [
        {
            "category": c.category,
            "recipient": _name(c.recipient),
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "note": c.note,
            "recorded_at": c.recorded_at,
            "withdrawn_at": c.withdrawn_at,
            "in_force": c.in_force(today),
        }
        for c in consents
    ]

    assessments = scalars(
        _by_period(GoalAssessment, period_ids)
        .options(joinedload(GoalAssessment.goal))
        .order_by(GoalAssessment.assessed_on, GoalAssessment.id)
    )
    data["goal_assessments"] = [
        {
            "period_id": g.period_id,
            "goal_number": g.goal.number,
            "goal": g.goal.text,
            "level": g.level,
            "assessed_on": g.assessed_on,
            "comment": g.comment,
        }
        for g in assessments
    ]

    experiences = scalars(
        _by_student(TrainingExperience, sid).order_by(
            TrainingExperience.on_date, TrainingExperience.id
        )
    )
    data["training_experiences"] = [
        {
            "period_id": e.period_id,
            "on_date": e.on_date,
            "category": e.category,
            "what_happened": e.what_happened,
            "learned": e.learned,
            "work_on": e.work_on,
            "concern": e.concern,
            "created_at": e.created_at,
        }
        for e in experiences
    ]

    agreements = scalars(_by_period(LearningAgreement, period_ids).order_by(LearningAgreement.id))
    data["learning_agreements"] = [
        {
            "period_id": la.period_id,
            "goals_for_period": la.goals_for_period,
            "agreed_support": la.agreed_support,
            "meetings": la.meetings,
            "updated_at": la.updated_at,
        }
        for la in agreements
    ]

    evaluations = scalars(
        _by_period(MidEvaluation, period_ids).order_by(MidEvaluation.evaluated_on)
    )
    data["mid_evaluations"] = [
        {
            "period_id": m.period_id,
            "evaluated_on": m.evaluated_on,
            "on_track": m.on_track,
            "comment": m.comment,
            "next_steps": m.next_steps,
            "signed_at": m.signed_at,
            "acknowledged_at": m.acknowledged_at,
        }
        for m in evaluations
    ]

    warnings = scalars(
        _by_student(TrainingWarning, sid)
        .options(selectinload(TrainingWarning.goals))
        .order_by(TrainingWarning.issued_at, TrainingWarning.id)
    )
    data["warnings"] = [
        {
            "period_id": w.period_id,
            "issued_at": w.issued_at,
            "goal_numbers": [g.number for g in w.goals],
            "reason": w.reason,
            "agreed_actions": w.agreed_actions,
            "deadline": w.deadline,
            "followed_up_at": w.followed_up_at,
            "follow_up_note": w.follow_up_note,
        }
        for w in warnings
    ]

    declarations = scalars(
        _by_period(Declaration, period_ids)
        .options(selectinload(Declaration.lines).joinedload(DeclarationLine.goal))
        .order_by(Declaration.id)
    )
    data["declarations"] = [
        {
            "period_id": d.period_id,
            "approved": d.approved,
            "needs_next_periods": d.needs_next_periods,
            "issued_at": d.issued_at,
            "updated_at": d.updated_at,
            "lines": [
                {"goal_number": line.goal.number, "level": line.level, "approved": line.approved}
                for line in sorted(d.lines, key=lambda line: line.goal.number)
            ],
        }
        for d in declarations
    ]

    absences = scalars(_by_period(Absence, period_ids).order_by(Absence.start_date, Absence.id))
    data["absences"] = [
        {
            "period_id": a.period_id,
            "start_date": a.start_date,
            "end_date": a.end_date,
            "days": a.days,
            "kind": a.kind,
            "note": a.note,
            "recorded_at": a.recorded_at,
        }
        for a in absences
    ]

    notes = scalars(
        _by_student(CaseNote, sid)
        .options(joinedload(CaseNote.organisation))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    data["notes"] = [
        {
            "created_at": n.created_at,
            "updated_at": n.updated_at,
            "organisation": _name(n.organisation),
            "category": n.category,
            "visibility": n.visibility,
            "text": plain_text(n.body),
        }
        for n in notes
    ]

    reviews = scalars(
        _by_student(CaseReview, sid)
        .options(joinedload(CaseReview.organisation), selectinload(CaseReview.action_items))
        .order_by(CaseReview.on_date, CaseReview.id)
    )
    data["reviews"] = [
        {
            "on_date": r.on_date,
            "location": r.location,
            "organisation": _name(r.organisation),
            "status": r.status,
            "agenda": r.agenda,
            "minutes": r.minutes,
            "decisions": r.decisions,
            "outcome": r.outcome,
            "action_items": [
                {"text": i.text, "due_date": i.due_date, "status": i.status, "done_at": i.done_at}
                for i in r.action_items
            ],
        }
        for r in reviews
    ]

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
    return [
        {
            "at": r.at,
            "action": r.action,
            "object_type": r.object_type,
            "organisation": r.name if r.name is not None else names.get(r.user_id),
        }
        for r in rows
    ]


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
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
