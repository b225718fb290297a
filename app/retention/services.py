"""The retention engine, legal holds and changes to the rules.

A run (`flask retention run`, nightly) handles each kind of record in turn (rules.SPECS), in
one transaction per kind: it selects what is due relative to `today()`, leaves out students
under a legal hold in force, and deletes (or, for a student who has left, anonymises) with
set-based statements, never a Python loop per row. It logs each kind's count (RetentionRun,
and an access-log row per kind), never content. A dry run counts the same rows with the same
conditions and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased, joinedload

from app import audit, history
from app.attachments import services as attachment_services
from app.editing import RuleError
from app.extensions import db
from app.models import (
    SPS_TYPES,
    Absence,
    ActionItem,
    Attachment,
    AttachmentParent,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    CaseReview,
    Consent,
    ConversationRequest,
    Declaration,
    Enrolment,
    GoalAssessment,
    HandoverNote,
    LearningAgreement,
    Leave,
    LegalHold,
    Membership,
    MidEvaluation,
    Notification,
    OutboxMessage,
    Period,
    Reflection,
    RetentionKind,
    RetentionRule,
    RetentionRun,
    RetentionRunCount,
    Role,
    SpsStep,
    Student,
    StudentSearchTerm,
    StudentStatus,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    TrainingExperience,
    TrainingWarning,
    User,
)
from app.models.base import today, utcnow
from app.retention.rules import SPECS, cutoff, ensure_rules

LEFT = (StudentStatus.COMPLETED, StudentStatus.DROPPED_OUT, StudentStatus.TRANSFERRED)
# The student number an anonymised student gets: an underscore, which no real number has
# (letters, digits and - only), so it never meets one, and the id keeps it unique.
ANONYMOUS_NUMBER_PREFIX = "ANON_"


# The attachments' records, by the name of the table a step deletes them from.
ATTACHMENT_PARENTS = {
    "support_need": AttachmentParent.NEED,
    "support_measure": AttachmentParent.MEASURE,
    "sps_step": AttachmentParent.SPS_STEP,
    "case_note": AttachmentParent.NOTE,
    "case_review": AttachmentParent.REVIEW,
    "declaration": AttachmentParent.DECLARATION,
}


def _attachments_of(parent: str, ids: Select) -> ColumnElement[bool]:
    """The attachments of the records `ids` of table `parent` ("student": everything of
    the students `ids`)."""
    if parent == "student":
        return Attachment.student_id.in_(ids)
    return and_(Attachment.parent_kind == ATTACHMENT_PARENTS[parent], Attachment.parent_id.in_(ids))


# --- what is due ----------------------------------------------------------------------------


def not_held(student_id: ColumnElement) -> ColumnElement[bool]:
    """No legal hold in force on the student."""
    return ~exists().where(LegalHold.student_id == student_id, LegalHold.lifted_at.is_(None))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@dataclass
class Cutoffs:
    """The first day that is kept, per kind: a record whose clock started before it is due."""

    by_kind: dict[RetentionKind, date]

    def __getitem__(self, kind: RetentionKind) -> date:
        return self.by_kind[kind]


def _kept_measure(cut: Cutoffs) -> ColumnElement[bool]:
    """A support measure that no rule deletes now (still running, or ended too recently)."""
    return or_(
        SupportMeasure.end_date.is_(None),
        and_(
            SupportMeasure.type.in_(SPS_TYPES),
            SupportMeasure.end_date >= cut[RetentionKind.SPS_MATERIAL],
        ),
        and_(
            SupportMeasure.type.not_in(SPS_TYPES),
            SupportMeasure.end_date >= cut[RetentionKind.OTHER_SUPPORT],
        ),
    )


def sps_measures(cut: Cutoffs) -> Select:
    """SPS measures that ended before the cut-off."""
    return select(SupportMeasure.id).where(
        SupportMeasure.type.in_(SPS_TYPES),
        SupportMeasure.end_date < cut[RetentionKind.SPS_MATERIAL],
        not_held(SupportMeasure.student_id),
    )


def other_measures(cut: Cutoffs) -> Select:
    return select(SupportMeasure.id).where(
        SupportMeasure.type.not_in(SPS_TYPES),
        SupportMeasure.end_date < cut[RetentionKind.OTHER_SUPPORT],
        not_held(SupportMeasure.student_id),
    )


def resolved_needs(cut: Cutoffs) -> Select:
    """Needs resolved before the cut-off that no kept measure answers (an SPS measure's
    documentation stays as long as the measure)."""
    kept = (
        select(SupportMeasure.id)
        .where(SupportMeasure.need_id == SupportNeed.id, _kept_measure(cut))
        .exists()
    )
    return select(SupportNeed.id).where(
        SupportNeed.status == SupportNeedStatus.RESOLVED,
        SupportNeed.resolved_on < cut[RetentionKind.OTHER_SUPPORT],
        ~kept,
        not_held(SupportNeed.student_id),
    )


def ended_consents(cut: Cutoffs) -> Select:
    day = cut[RetentionKind.OTHER_SUPPORT]
    return select(Consent.id).where(
        or_(Consent.valid_to < day, Consent.withdrawn_at < _midnight(day)),
        not_held(Consent.student_id),
    )


def students_who_left(cut: Cutoffs) -> Select:
    """Students not yet anonymised whose every enrolment ended before the cut-off (completed,
    dropped out or transferred), under no legal hold, and with no SPS material still kept (an
    SPS measure without an end date counts as ended when the student left)."""
    day, sps_day = cut[RetentionKind.CASE_CONTENT], cut[RetentionKind.SPS_MATERIAL]
    enrolment = select(Enrolment.id).where(Enrolment.student_id == Student.id)
    sps = select(SupportMeasure.id).where(
        SupportMeasure.student_id == Student.id,
        SupportMeasure.type.in_(SPS_TYPES),
        or_(
            SupportMeasure.end_date >= sps_day,
            and_(
                SupportMeasure.end_date.is_(None),
                enrolment.where(Enrolment.end_date >= sps_day).exists(),
            ),
        ),
    )
    return select(Student.id).where(
        Student.anonymised_at.is_(None),
        Student.status.in_(LEFT),
        enrolment.exists(),
        ~enrolment.where(or_(Enrolment.end_date.is_(None), Enrolment.end_date >= day)).exists(),
        ~sps.exists(),
        not_held(Student.id),
    )


# --- the steps of each kind -------------------------------------------------------------------


@dataclass
class Step:
    """One statement of a kind: delete the rows of `model` where `where`, or (with `values`)
    update them. `name` is the table, as the run's log names it."""

    name: str
    model: type
    where: ColumnElement[bool]
    values: dict | None = None
    attachments: Select | None = None  # the ids whose attachments go first

    def count(self) -> int:
        query = select(func.count()).select_from(self.model).where(self.where)
        return db.session.execute(query).scalar_one()

    def apply(self) -> int:
        if self.values is None:
            statement = delete(self.model).where(self.where)
        else:
            statement = update(self.model).where(self.where).values(self.values)
        return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


class Files(Step):
    """The attachments of the records `ids` of table `parent`: counted and deleted like the
    rows of any table, in the kind's transaction; their stored files are removed once it is
    committed (app.attachments.services), so a rolled-back run keeps them."""

    def __init__(self, parent: str, ids: Select) -> None:
        super().__init__("attachment", Attachment, _attachments_of(parent, ids))

    def apply(self) -> int:
        return attachment_services.remove_where(self.where)


def with_files(steps: list[Step]) -> list[Step]:
    """Each step whose records may carry attachments, preceded by their removal."""
    return [
        part
        for step in steps
        for part in ([Files(step.name, step.attachments)] if step.attachments is not None else [])
        + [step]
    ]


def steps_of(measures: Select) -> Select:
    return select(SpsStep.id).where(SpsStep.measure_id.in_(measures))


def _has_content_or_link() -> ColumnElement[bool]:
    return or_(
        SupportMeasure.description != "",
        SupportMeasure.evaluation != "",
        SupportMeasure.owner_id.is_not(None),
        SupportMeasure.created_by_id.is_not(None),
        SupportMeasure.need_id.is_not(None),
        SupportMeasure.next_follow_up.is_not(None),
    )


def _support_steps(measures: Select) -> list[Step]:
    return [
        Step("sps_step", SpsStep, SpsStep.measure_id.in_(measures), None, steps_of(measures)),
        Step("support_measure", SupportMeasure, SupportMeasure.id.in_(measures), None, measures),
    ]


def _sps_steps(cut: Cutoffs) -> list[Step]:
    return _support_steps(sps_measures(cut))


def _other_support_steps(cut: Cutoffs) -> list[Step]:
    needs = resolved_needs(cut)
    return [
        *_support_steps(other_measures(cut)),
        Step("support_need", SupportNeed, SupportNeed.id.in_(needs), None, needs),
        Step("consent", Consent, Consent.id.in_(ended_consents(cut))),
    ]


def _case_content_steps(cut: Cutoffs) -> list[Step]:
    """Anonymise the students who left: delete their case content, blank every free text
    that stays, and remove their name, number, contact details and account. The enrolments,
    periods, agreements and place evaluations stay (dates, kinds, statuses, programme,
    dropout reason, cohort, birth year), so the figures count them as before."""
    students = students_who_left(cut)
    periods = select(Period.id).where(Period.student_id.in_(students))
    # Support the SPS and other-support rules delete in the same run is theirs to count (so
    # a dry run, which deletes nothing in between, counts each row once, as the run does).
    due_measures = or_(
        SupportMeasure.id.in_(sps_measures(cut)), SupportMeasure.id.in_(other_measures(cut))
    )
    measures = select(SupportMeasure.id).where(
        SupportMeasure.student_id.in_(students), ~due_measures
    )
    # The student's own account goes, unless the person also holds another role: then only
    # the student membership goes.
    account = and_(Membership.role == Role.STUDENT, Membership.student_id.in_(students))
    other = aliased(Membership)
    other_role = (
        select(other.id)
        .where(other.user_id == Membership.user_id, other.role != Role.STUDENT)
        .exists()
    )
    accounts = select(Membership.user_id).where(account, ~other_role)
    own = lambda model: model.student_id.in_(students)  # noqa: E731
    needs = and_(own(SupportNeed), SupportNeed.id.not_in(resolved_needs(cut)))
    by_period = lambda model: model.period_id.in_(periods)  # noqa: E731
    return [
        Files("student", students),  # every attachment of the student's records
        Step("case_event", CaseEvent, own(CaseEvent)),
        Step("notification", Notification, own(Notification)),
        Step("action_item", ActionItem, own(ActionItem)),
        Step("case_review", CaseReview, own(CaseReview)),
        Step("case_note", CaseNote, own(CaseNote)),
        Step("handover_note", HandoverNote, own(HandoverNote)),
        Step("training_warning", TrainingWarning, own(TrainingWarning)),
        Step("declaration", Declaration, by_period(Declaration)),
        Step("goal_assessment", GoalAssessment, by_period(GoalAssessment)),
        Step("learning_agreement", LearningAgreement, by_period(LearningAgreement)),
        Step("mid_evaluation", MidEvaluation, by_period(MidEvaluation)),
        Step("absence", Absence, by_period(Absence)),
        Step("training_experience", TrainingExperience, own(TrainingExperience)),
        Step("reflection", Reflection, own(Reflection)),
        Step("conversation_request", ConversationRequest, own(ConversationRequest)),
        # The measures stay as figures (the support indicator counts them by kind, dates,
        # status and hours), without text, owner or need; their steps go. The SPS and other
        # support rules delete them later, by their end date.
        Step("sps_step", SpsStep, SpsStep.measure_id.in_(measures)),
        Step(
            "support_measure",
            SupportMeasure,
            and_(own(SupportMeasure), ~due_measures, _has_content_or_link()),
            {
                "description": "",
                "evaluation": "",
                "owner_id": None,
                "created_by_id": None,
                "need_id": None,
                "next_follow_up": None,
            },
        ),
        Step("support_need", SupportNeed, needs),
        Step("consent", Consent, and_(own(Consent), Consent.id.not_in(ended_consents(cut)))),
        Step("legal_hold", LegalHold, own(LegalHold)),  # lifted ones: none is in force
        Step("mail_outbox", OutboxMessage, OutboxMessage.user_id.in_(accounts)),
        Step("user_account", User, User.id.in_(accounts)),
        Step("membership", Membership, and_(account, other_role)),
        Step("student_search_term", StudentSearchTerm, own(StudentSearchTerm)),
        Step("student_leave", Leave, and_(own(Leave), Leave.reason != ""), {"reason": ""}),
        Step(
            "enrolment",
            Enrolment,
            and_(own(Enrolment), or_(Enrolment.result != "", Enrolment.dropout_note != "")),
            {"result": "", "dropout_note": ""},
        ),
        Step(
            "student",
            Student,
            Student.id.in_(students),
            {
                "first_name": "",
                "last_name": "",
                "email": "",
                "phone": "",
                "student_number": literal(ANONYMOUS_NUMBER_PREFIX) + cast(Student.id, String(12)),
                "contact_teacher_id": None,
                "counsellor_id": None,
                "anonymised_at": utcnow(),
                "version_id": Student.version_id + 1,
            },
        ),
    ]


def _access_log_steps(cut: Cutoffs) -> list[Step]:
    day = _midnight(cut[RetentionKind.ACCESS_LOG])
    kept = or_(AuditEvent.student_id.is_(None), not_held(AuditEvent.student_id))
    return [Step("audit_event", AuditEvent, and_(AuditEvent.at < day, kept))]


STEPS: dict[RetentionKind, Callable[[Cutoffs], list[Step]]] = {
    RetentionKind.SPS_MATERIAL: _sps_steps,
    RetentionKind.OTHER_SUPPORT: _other_support_steps,
    RetentionKind.CASE_CONTENT: _case_content_steps,
    RetentionKind.ACCESS_LOG: _access_log_steps,
}
# The step whose rows a kind's count is (the rest are in its detail).
HEADLINE = {
    RetentionKind.SPS_MATERIAL: "support_measure",
    RetentionKind.OTHER_SUPPORT: None,  # measures, needs and consents together
    RetentionKind.CASE_CONTENT: "student",  # students anonymised
    RetentionKind.ACCESS_LOG: "audit_event",
}


# --- a run ------------------------------------------------------------------------------------


@dataclass
class KindResult:
    kind: RetentionKind
    keep: int
    cutoff: date
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        headline = HEADLINE[self.kind]
        if headline is None:
            return sum(self.rows.get(n, 0) for n in ("support_measure", "support_need", "consent"))
        return self.rows.get(headline, 0)

    @property
    def detail(self) -> str:
        return ", ".join(f"{name}={n}" for name, n in self.rows.items() if n)[:500]


def cutoffs(rules: dict[RetentionKind, RetentionRule], day: date) -> Cutoffs:
    return Cutoffs({kind: cutoff(kind, rule.keep, day) for kind, rule in rules.items()})


# The access log first: the rows the run writes for the other kinds are then never among
# those it deletes.
ORDER = (
    RetentionKind.ACCESS_LOG,
    RetentionKind.SPS_MATERIAL,
    RetentionKind.OTHER_SUPPORT,
    RetentionKind.CASE_CONTENT,
)


def run(*, dry_run: bool, kinds: tuple[RetentionKind, ...] = ORDER) -> list[KindResult]:
    """Apply the rules of `kinds` (all by default) as of `today()`, committing once per kind;
    with `dry_run`, count what would go and change nothing (not even the log)."""
    rules = ensure_rules()
    if dry_run:
        db.session.rollback()  # rules added by ensure_rules are defaults; nothing is stored
    else:
        db.session.commit()
    cut = cutoffs(rules, today())
    results = []
    run_row = None
    for kind in kinds:
        result = KindResult(kind, rules[kind].keep, cut[kind])
        for step in with_files(STEPS[kind](cut)):
            done = step.count() if dry_run else step.apply()
            result.rows[step.name] = result.rows.get(step.name, 0) + done
        results.append(result)
        if dry_run:
            continue
        if run_row is None:
            run_row = RetentionRun()
            db.session.add(run_row)
            db.session.flush()
        db.session.add(
            RetentionRunCount(
                run_id=run_row.id, kind=kind, count=result.count, detail=result.detail
            )
        )
        audit.record(
            AuditAction.DELETE,
            obj=run_row,
            criterion=f"retention {kind.value}: {result.count} ({result.detail or 'none'})",
        )
        db.session.commit()
        # The statements went past the session: objects it holds are stale (the session
        # does not expire them on commit, app.extensions).
        db.session.expire_all()
    return results


def last_run() -> RetentionRun | None:
    return db.session.execute(
        select(RetentionRun).order_by(RetentionRun.at.desc(), RetentionRun.id.desc()).limit(1)
    ).scalar_one_or_none()


# --- the rules --------------------------------------------------------------------------------


def change_rule(rule: RetentionRule, keep: int, user: User) -> None:
    """The system admin sets how long a kind is kept (within the spec's range; the form
    checks it too)."""
    spec = SPECS[rule.kind]
    if not spec.least <= keep <= spec.most:
        raise RuleError(
            _("Must be between %(min)s and %(max)s.", min=spec.least, max=spec.most), "keep"
        )
    old = rule.keep
    rule.keep = keep
    rule.updated_by_id = user.id
    rule.updated_at = utcnow()
    audit.record(
        AuditAction.UPDATE, obj=rule, criterion=f"{rule.kind.value}: {old} -> {keep}", user=user
    )


# --- legal holds ------------------------------------------------------------------------------


def active_hold(student: Student) -> LegalHold | None:
    return db.session.execute(
        select(LegalHold).where(LegalHold.student_id == student.id, LegalHold.lifted_at.is_(None))
    ).scalar_one_or_none()


def holds_of(student: Student) -> list[LegalHold]:
    """Every hold on the student, newest first, with who set and lifted it (one statement)."""
    return list(
        db.session.execute(
            select(LegalHold)
            .where(LegalHold.student_id == student.id)
            .options(joinedload(LegalHold.set_by), joinedload(LegalHold.lifted_by))
            .order_by(LegalHold.set_at.desc(), LegalHold.id.desc())
        ).scalars()
    )


def set_hold(student: Student, reason: str, user: User) -> LegalHold:
    if active_hold(student) is not None:
        raise RuleError(_("A legal hold is already in force on this student."), "reason")
    hold = LegalHold(student_id=student.id, reason=reason, set_by_id=user.id)
    db.session.add(hold)
    history.log(student, CaseEventKind.LEGAL_HOLD_SET, user, restricted_to_id=student.school_id)
    return hold


def lift_hold(student: Student, user: User) -> bool:
    """Lift the hold in force; False when there is none."""
    hold = active_hold(student)
    if hold is None:
        return False
    hold.lifted_at = utcnow()
    hold.lifted_by_id = user.id
    history.log(student, CaseEventKind.LEGAL_HOLD_LIFTED, user, restricted_to_id=student.school_id)
    return True
