"""The student's own warnings and declarations (docs/domain.md, "The student").

A warning (varsling) is addressed to the student: the goals concerned, what must improve, by
when, who gave it and whom to talk to. The student acknowledges reading it (once) and may
comment on it until it is followed up; the school sees both on its pages. The issued
declaration on training is the student's to read, download and confirm having seen; a draft is
not shown. Access is decided in app.access.me; every change has its case-history line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, editing
from app.access.me import (
    can_comment_on_warning,
    can_confirm_declaration,
    get_own_declaration_or_404,
    get_own_student_or_404,
    get_own_warning_or_404,
    student_only,
)
from app.editing import RuleError
from app.extensions import db
from app.history import log
from app.me import bp
from app.me.training_forms import WarningCommentForm
from app.models import (
    AuditAction,
    CaseEventKind,
    Declaration,
    Period,
    Student,
    TrainingWarning,
    User,
)
from app.models.base import today, utcnow
from app.pdf import pdf_download, render_pdf
from app.training.common import (
    declaration_pdf_context,
    history_title,
    period_title,
    render_declaration_pdf,
)

# --- what "My plan" shows ----------------------------------------------------------------------


@dataclass
class TrainingSummary:
    """The student's warnings and issued declarations (newest first), each with its period;
    the declarations not yet confirmed are marked."""

    warnings: list[TrainingWarning] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(w.read_at is None for w in self.warnings)

    @property
    def to_confirm(self) -> int:
        return sum(d.student_confirmed_at is None for d in self.declarations)


def training_summary(student: Student) -> TrainingSummary:
    """Two statements, however many warnings and declarations the student has."""
    warnings = db.session.execute(
        select(TrainingWarning)
        .where(TrainingWarning.student_id == student.id)
        .options(joinedload(TrainingWarning.period).joinedload(Period.workplace))
        .order_by(TrainingWarning.issued_at.desc(), TrainingWarning.id.desc())
    ).scalars()
    declarations = db.session.execute(
        select(Declaration)
        .join(Period, Period.id == Declaration.period_id)
        .where(
            Period.student_id == student.id,
            Declaration.issued_at.is_not(None),
        )
        .options(joinedload(Declaration.period))
        .order_by(Declaration.issued_at.desc())
    ).scalars()
    return TrainingSummary(list(warnings), list(declarations))


# --- changes -----------------------------------------------------------------------------------


def _mark(obj: TrainingWarning | Declaration, **values) -> None:
    """Write the student's own marks (read, comment, confirmed) without raising the row's
    version: they change nothing the staff edit, so a follow-up form a school contact has open
    is not refused as "changed meanwhile"."""
    model = type(obj)
    db.session.execute(
        update(model).where(model.id == obj.id).values(**values),
        execution_options={"synchronize_session": False},
    )
    for name, value in values.items():
        set_committed_value(obj, name, value)


def mark_read(student: Student, warning: TrainingWarning, user: User) -> bool:
    """The student has read the warning: the first time only (False when already read). The
    caller commits."""
    if warning.read_at is not None:
        return False
    _mark(warning, read_at=utcnow())
    log(
        student,
        CaseEventKind.WARNING_READ,
        user,
        period=history_title(warning.period),
        target=warning,
    )
    return True


def save_comment(student: Student, warning: TrainingWarning, text: str, user: User) -> None:
    """The student's comment on the warning (replacing an earlier one), until the warning is
    followed up. The history line holds no text of it. The caller commits."""
    if not can_comment_on_warning(warning):
        raise RuleError(
            _("The warning has been followed up; the comment can no longer be changed.")
        )
    _mark(warning, student_comment=text, commented_at=utcnow())
    log(
        student,
        CaseEventKind.WARNING_COMMENTED,
        user,
        period=history_title(warning.period),
        target=warning,
    )


def confirm_declaration(
    student: Student, period: Period, declaration: Declaration, user: User
) -> bool:
    """The student confirms having seen the issued declaration, once (False when already
    confirmed). The caller commits."""
    if not can_confirm_declaration(declaration):
        return False
    _mark(declaration, student_confirmed_at=utcnow())
    log(
        student,
        CaseEventKind.DECLARATION_CONFIRMED,
        user,
        period=period_title(period),
        target=declaration,
    )
    return True


# --- the warning ---------------------------------------------------------------------------------


def _student() -> Student:
    return get_own_student_or_404(
        joinedload(Student.programme),
        joinedload(Student.contact_teacher),
        joinedload(Student.counsellor),
    )


def _own_warning(warning_id: int) -> tuple[Student, TrainingWarning]:
    student = _student()
    return student, get_own_warning_or_404(student, warning_id)


def _own_declaration(period_id: int) -> tuple[Student, Period, Declaration]:
    student = _student()
    return student, *get_own_declaration_or_404(student, period_id)


def _warning_url(warning: TrainingWarning) -> str:
    return url_for("me.warning", warning_id=warning.id)


def _show_warning(student: Student, warning: TrainingWarning, form: WarningCommentForm):
    return render_template(
        "me/warning.html",
        student=student,
        warning=warning,
        period=warning.period,
        form=form,
        can_comment=can_comment_on_warning(warning),
        today=today(),
    )


@bp.route("/warnings/<int:warning_id>")
@student_only
def warning(warning_id: int):
    student, found = _own_warning(warning_id)
    audit.record(AuditAction.VIEW, student=student, obj=found, commit=True)
    form = WarningCommentForm(data={"comment": found.student_comment})
    return _show_warning(student, found, form)


@bp.route("/warnings/<int:warning_id>/read", methods=["POST"])
@student_only
def read_warning(warning_id: int):
    student, found = _own_warning(warning_id)
    if mark_read(student, found, current_user):
        db.session.commit()
        flash(
            _("Thank you. The school and the workplace can see that you have read it."), "success"
        )
    return redirect(_warning_url(found))


@bp.route("/warnings/<int:warning_id>/comment", methods=["POST"])
@student_only
def comment_warning(warning_id: int):
    student, found = _own_warning(warning_id)
    form = WarningCommentForm()
    response = editing.submit(
        form,
        lambda: save_comment(student, found, form.comment.data, current_user),
        stale_url=_warning_url(found),
        done=_("Your comment was saved."),
        redirect_to=redirect(_warning_url(found) + "#your-comment"),
    )
    return response or _show_warning(student, found, form)


@bp.route("/warnings/<int:warning_id>/letter.pdf")
@student_only
def warning_letter(warning_id: int):
    student, found = _own_warning(warning_id)
    audit.record(AuditAction.EXPORT, student=student, obj=found, commit=True)
    pdf = render_pdf(
        "pdf/warning_letter.html",
        student=student,
        warning=found,
        period=found.period,
        today=today(),
    )
    return pdf_download(pdf, f"varsling-{found.id}.pdf")


# --- the declaration -----------------------------------------------------------------------------


@bp.route("/declarations/<int:period_id>")
@student_only
def declaration(period_id: int):
    student, period, found = _own_declaration(period_id)
    audit.record(AuditAction.VIEW, student=student, obj=found, commit=True)
    return render_template(
        "me/declaration.html",
        can_confirm=can_confirm_declaration(found),
        **declaration_pdf_context(student, period, found),
    )


@bp.route("/declarations/<int:period_id>/confirm", methods=["POST"], endpoint="confirm_declaration")
@student_only
def confirm_declaration_view(period_id: int):
    student, period, found = _own_declaration(period_id)
    if confirm_declaration(student, period, found, current_user):
        db.session.commit()
        flash(_("Thank you. You have confirmed that you have seen the declaration."), "success")
    return redirect(url_for("me.declaration", period_id=period.id))


@bp.route("/declarations/<int:period_id>/declaration.pdf")
@student_only
def declaration_pdf(period_id: int):
    """The same PDF as the staff's (templates/pdf/declaration.html)."""
    student, period, found = _own_declaration(period_id)
    audit.record(AuditAction.EXPORT, student=student, obj=found, commit=True)
    pdf = render_declaration_pdf(student, period, found)
    return pdf_download(pdf, f"oplaeringserklaering-{student.student_number}-{period.id}.pdf")
