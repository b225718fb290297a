"""The case file: every line of a student's history that the viewer may see, with filters,
search, notes and a PDF.

What a viewer sees is decided by the access module: the student must be visible, lines about
support need the student's consent, and lines kept to one organisation (notes) are shown to its
staff only. The same query serves the page and the PDF.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, cast, func, or_, select, update

from app import access, audit, editing, labels
from app.access import case_roles_required
from app.access.twofactor import step_up_required
from app.attachments.queries import attachments_of, attachments_of_targets
from app.casefile.forms import CaseFileFilter, NoteForm
from app.casefile.sanitize import clean_note, plain_text
from app.extensions import db
from app.history import case_history, log, targets_of
from app.models import (
    AuditAction,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    ConsentCategory,
    NoteCategory,
    NoteVisibility,
    Organisation,
    OrganisationKind,
    Period,
    Student,
)
from app.models.base import today, utcnow
from app.pagination import paginate
from app.pdf import pdf_download, render_pdf

from . import bp

K = CaseEventKind
# The kinds of line a person can filter the case file by.
KIND_GROUPS: dict[str, tuple[CaseEventKind, ...]] = {
    "notes": (K.NOTE_WRITTEN, K.NOTE_CHANGED),
    "plan": (
        K.STUDENT_CREATED,
        K.PLAN_CREATED,
        K.PERIOD_ADDED,
        K.PERIOD_CHANGED,
        K.PERIOD_EXTENDED,
        K.WORKPLACE_CHANGED,
        K.PERIOD_STATUS_CHANGED,
        K.PERIOD_DELETED,
        K.DROPPED_OUT,
        K.READMITTED,
        K.AGREEMENT_CREATED,
        K.AGREEMENT_CHANGED,
        K.STUDENT_RECORD_CHANGED,
        K.STUDENT_IMPORTED,
        K.STUDENT_UPDATED,
        K.ENROLMENT_COMPLETED,
        K.BASIC_COURSE_QUALIFIED,
        K.BASIC_COURSE_NOT_QUALIFIED,
        K.ENROLLED,
        K.LEAVE_STARTED,
        K.LEAVE_ENDED,
        K.LEAVE_ENDED_PLAN_MOVED,
        K.TRANSFERRED,
        K.EMPLOYER_CHANGED,
        K.LEGAL_HOLD_SET,
        K.LEGAL_HOLD_LIFTED,
    ),
    "handovers": (K.HANDOVER_WRITTEN, K.HANDOVER_CHANGED, K.HANDOVER_ACKNOWLEDGED),
    "support": (
        K.SUPPORT_NEED_FLAGGED,
        K.SUPPORT_NEED_CHANGED,
        K.SUPPORT_NEED_RESOLVED,
        K.MEASURE_ADDED,
        K.MEASURE_CHANGED,
        K.SPS_STEP,
        K.CONSENT_GIVEN,
        K.CONSENT_WITHDRAWN,
        K.SUPPORT_CARRIED_OVER,
        K.SUPPORT_NOT_CARRIED_OVER,
        K.MEASURE_ENDED,
        K.CONSENT_ENDED,
        K.WORKPLACE_SUPPORT_ADDED,
        K.WORKPLACE_SUPPORT_CHANGED,
    ),
    "training": (
        K.GOALS_ASSESSED,
        K.EXPERIENCE_RECORDED,
        K.EXPERIENCE_CHANGED,
        K.LEARNING_AGREEMENT_SAVED,
        K.MID_EVALUATION_SIGNED,
        K.MID_EVALUATION_ACKNOWLEDGED,
        K.WARNING_GIVEN,
        K.WARNING_FOLLOWED_UP,
        K.DECLARATION_SAVED,
        K.DECLARATION_ISSUED,
        K.ABSENCE_RECORDED,
        K.WARNING_READ,
        K.WARNING_COMMENTED,
        K.DECLARATION_CONFIRMED,
        K.REFLECTION_WRITTEN,
    ),
    # The student's own part (app.me): their access, and their requests for a conversation.
    "student": (
        K.STUDENT_ACCOUNT_INVITED,
        K.CONVERSATION_REQUESTED,
        K.CONVERSATION_HANDLED,
        K.PLACE_EVALUATED,
    ),
    "attachments": (K.ATTACHMENT_ADDED, K.ATTACHMENT_REMOVED),
    # The workplace asks the school for a case review or a conversation (app.support.help).
    "help": (K.HELP_REQUESTED, K.HELP_SCHEDULED, K.HELP_DECLINED),
    "reviews": (
        K.REVIEW_SCHEDULED,
        K.REVIEW_CHANGED,
        K.REVIEW_HELD,
        K.ACTION_ITEM_ADDED,
        K.ACTION_ITEM_CHANGED,
    ),
}
KIND_LABELS = {
    "notes": _l("Notes"),
    "plan": _l("Plan and agreements"),
    "handovers": _l("Handover notes"),
    "support": _l("Support and consent"),
    "training": _l("Training"),
    "reviews": _l("Case reviews"),
    "attachments": _l("Attachments"),
    "help": _l("Requests for help"),
    "student": _l("The student's own part"),
}
CASE_FILE_PDF_MAX = 500  # lines in one PDF (about 30 pages); the filters reach older ones


def _filters(student: Student) -> tuple[CaseFileFilter, list]:
    """The filter form with its choices, and the SQL conditions of a valid filter."""
    form = CaseFileFilter(request.args)
    form.kind.choices = [("", _("All kinds")), *KIND_LABELS.items()]
    periods = db.session.execute(
        select(Period).where(Period.student_id == student.id).order_by(Period.start_date)
    ).scalars()
    form.period.choices = [("", _("All periods"))] + [
        (str(p.id), f"{p.title or labels.PERIOD_KIND[p.kind]} ({p.start_date:%d.%m.%Y})")
        for p in periods
    ]
    organisations = {student.school} | {a.employer for a in student.agreements}
    form.organisation.choices = [("", _("All organisations"))] + [
        (str(o.id), o.name) for o in sorted(organisations, key=lambda o: o.name)
    ]
    if not form.validate():
        return form, [False]
    conditions = []
    if form.kind.data:
        conditions.append(CaseEvent.kind.in_(KIND_GROUPS[form.kind.data]))
    if form.period.data:
        conditions.append(CaseEvent.period_id == int(form.period.data))
    if form.organisation.data:
        conditions.append(CaseEvent.organisation_id == int(form.organisation.data))
    if form.q.data:
        text = form.q.data.lower()
        conditions.append(
            or_(
                func.lower(CaseNote.body).contains(text, autoescape=True),
                func.lower(cast(CaseEvent.details, String)).contains(text, autoescape=True),
            )
        )
    return form, conditions


def case_file_query(student: Student, conditions: list, view: access.SupportView):
    return case_history(student, current_user, view, conditions)


def _filtered_case_file(student_id: int):
    """The student, the filter form as sent, the case file's query with those filters, and
    what the user sees of the student's support: what the page and its PDF both show."""
    student = access.get_case_student_or_404(student_id)
    form, conditions = _filters(student)
    view = access.support_view(current_user, student)
    return student, form, case_file_query(student, conditions, view), view


@bp.route("/students/<int:student_id>/case-file")
@case_roles_required
def case_file(student_id: int):
    student, form, query, view = _filtered_case_file(student_id)
    page = paginate(query, current_app.config["CASE_FILE_PER_PAGE"], entities=True)
    audit.record(
        AuditAction.SEARCH if form.q.data else AuditAction.VIEW,
        student=student,
        criterion="case-file" + (f"; q={form.q.data}" if form.q.data else ""),
        commit=True,
    )
    targets = targets_of(page.items, student, current_user, view)
    return render_template(
        "casefile/case_file.html",
        student=student,
        form=form,
        page=page,
        targets=targets,
        files=attachments_of_targets(_first_mentions(page.items, targets)),
        editable=_editable_note_ids(page.items),
    )


def _editable_note_ids(events) -> set[int]:
    window = timedelta(minutes=current_app.config["NOTE_EDIT_MINUTES"])
    now = utcnow()
    return {
        e.note.id
        for e in events
        if e.note is not None
        and access.casefile.can_edit_note(current_user, e.note)
        and now - e.note.created_at <= window
    }


@bp.route("/students/<int:student_id>/case-file.pdf")
@case_roles_required
@step_up_required
def case_file_pdf(student_id: int):
    student, form, query, view = _filtered_case_file(student_id)
    events = db.session.execute(query.limit(CASE_FILE_PDF_MAX)).unique().scalars().all()
    audit.record(AuditAction.EXPORT, student=student, criterion="case-file", commit=True)
    contents = _first_mentions(events, targets_of(events, student, current_user, view, True))
    pdf = render_pdf(
        "pdf/case_file.html",
        student=student,
        events=events,
        contents=contents,
        files=attachments_of_targets(contents),
        truncated=len(events) == CASE_FILE_PDF_MAX,
        filters=form,
        printed_by=current_user,
        today=today(),
    )
    return pdf_download(pdf, f"sagsmappe-{student.student_number}.pdf")


def _first_mentions(events, targets) -> dict:
    """The things the lines record, each under its newest line only (the PDF prints each
    handover note, measure, review, ... once): {event id: Target}."""
    seen, first = set(), {}
    for e in events:
        target = targets.get(e.id)
        if target is not None and (target.kind, target.row.id) not in seen:
            seen.add((target.kind, target.row.id))
            first[e.id] = target
    return first


# --- notes ------------------------------------------------------------------------------------


def _note_event(student, note: CaseNote, kind: CaseEventKind, organisation: Organisation):
    # Health-related notes from the school reach the workplace side only under the student's
    # consent; a note kept to the author's organisation is shown to its staff only. The note's
    # earlier lines follow a change of category or visibility.
    health = note.category == NoteCategory.HEALTH and organisation.kind == OrganisationKind.SCHOOL
    data_category = ConsentCategory.HEALTH.value if health else None
    restricted_to_id = organisation.id if note.visibility == NoteVisibility.OWN else None
    db.session.execute(
        update(CaseEvent)
        .where(CaseEvent.note_id == note.id)
        .values(data_category=data_category, restricted_to_id=restricted_to_id)
    )
    log(
        student,
        kind,
        current_user,
        data_category=data_category,
        note_id=note.id,
        restricted_to_id=restricted_to_id,
        category=note.category.value,
    )


@bp.route("/students/<int:student_id>/notes/new", methods=["GET", "POST"])
@case_roles_required
def new_note(student_id: int):
    student = access.get_case_student_or_404(student_id)
    organisation = access.casefile.get_note_organisation_or_403(student)
    form = NoteForm()
    if form.validate_on_submit():

        def write(body: str):
            note = CaseNote(
                student_id=student.id,
                author_id=current_user.id,
                organisation_id=organisation.id,
                visibility=form.visibility.data,
                category=form.category.data,
                body=body,
            )
            db.session.add(note)
            db.session.flush()
            _note_event(student, note, CaseEventKind.NOTE_WRITTEN, organisation)

        response = _save_note(form, write, student, _("The note was added to the case file."))
        if response:
            return response
    return render_template(
        "casefile/note_form.html", student=student, form=form, note=None, organisation=organisation
    )


@bp.route("/students/<int:student_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit_note(student_id: int, note_id: int):
    student = access.get_case_student_or_404(student_id)
    note = access.casefile.get_own_note_or_404(student, note_id)
    window = timedelta(minutes=current_app.config["NOTE_EDIT_MINUTES"])
    if utcnow() - note.created_at > window:
        editing_closed = _(
            "A note can be changed for %(minutes)s minutes after it was written. Add a new "
            "note instead.",
            minutes=current_app.config["NOTE_EDIT_MINUTES"],
        )
        return render_template(
            "casefile/note_form.html",
            student=student,
            form=None,
            note=note,
            closed=editing_closed,
            organisation=note.organisation,
            attachments=attachments_of([("note", note.id)]),
        ), 403
    form = NoteForm(obj=note if request.method == "GET" else None)
    if form.validate_on_submit():

        def change(body: str):
            editing.check_version(note, form.seen_version())
            note.body = body
            note.category = form.category.data
            note.visibility = form.visibility.data
            _note_event(student, note, CaseEventKind.NOTE_CHANGED, note.organisation)

        response = _save_note(form, change, student, _("The note was changed."))
        if response:
            return response
    return render_template(
        "casefile/note_form.html",
        student=student,
        form=form,
        note=note,
        organisation=note.organisation,
        attachments=attachments_of([("note", note.id)]),
    )


def _save_note(form, change, student: Student, done: str):
    """Clean the note's text, save it with `change(body)` and go back to the case file. None:
    show the form again (also when no text is left once the formatting is removed)."""
    body = clean_note(form.body.data)
    if not plain_text(body):
        form.body.errors.append(_("The note has no text left after removing formatting."))
        return None
    return editing.save(
        form,
        lambda: change(body),
        stale_url=request.url,
        done=done,
        redirect_to=redirect(url_for("casefile.case_file", student_id=student.id)),
    )
