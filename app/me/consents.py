"""The student's consents (docs/domain.md, "The student"): what each category means, and per
organisation that employs the student whether it is shared, with a button to give or withdraw.

Giving and withdrawing go through the same services as the counsellor's recording
(app.support.services.give_consents / withdraw_consent), with the channel `app`: the same rules,
the same case-history lines and access-log rows. Access follows at once: app.access.support
reads the consents on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import InputRequired

from app import audit, editing
from app.access.me import (
    consent_recipients,
    get_own_consent_or_404,
    get_own_student_or_404,
    may_consent_to,
    student_only,
)
from app.extensions import db
from app.forms import BaseForm, ButtonForm, consent_categories_field
from app.me import bp
from app.models import Consent, ConsentCategory, ConsentChannel, Organisation, Student
from app.models.base import today
from app.support import consent_text, services

_RECIPIENT_MESSAGE = _l("Choose one of the organisations you have a training agreement with.")


class GiveConsentForm(BaseForm):
    """One button on the page: the category (with health, also support needs) and to whom."""

    category = consent_categories_field()
    # Checked against the student's employers in the route (a Danish message, not a 500).
    recipient = SelectField(
        _l("With"),
        coerce=str,
        validate_choice=False,
        validators=[InputRequired(message=_RECIPIENT_MESSAGE)],
    )


@dataclass
class Cell:
    """One category and one organisation: the consent that holds now or later, if any."""

    category: ConsentCategory
    recipient: Organisation
    consent: Consent | None
    may_give: bool  # the organisation employs the student
    # Health without a consent to support needs to the same organisation: giving it gives
    # both; one already given is not shared until support needs are.
    needs_support_needs: bool = False

    @property
    def categories(self) -> list[str]:
        """What the "Give consent" button posts."""
        if self.needs_support_needs:
            return [ConsentCategory.SUPPORT_NEEDS.value, self.category.value]
        return [self.category.value]


@dataclass
class ConsentOverview:
    recipients: list[Organisation]
    rows: list[tuple[consent_text.CategoryText, list[Cell]]] = field(default_factory=list)
    # Every consent of the student's, newest first, withdrawn and ended ones too.
    history: list[Consent] = field(default_factory=list)


def _consents(student: Student) -> list[Consent]:
    return list(
        db.session.execute(
            select(Consent)
            .where(Consent.student_id == student.id)
            .options(joinedload(Consent.recipient))
            .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        ).scalars()
    )


def _current(consents: list[Consent], category: ConsentCategory, recipient_id: int):
    """The consent not withdrawn and not ended (in force now, or from a later day)."""
    on = today()
    return next(
        (
            c
            for c in consents
            if c.category == category
            and c.recipient_id == recipient_id
            and c.withdrawn_at is None
            and (c.valid_to is None or c.valid_to >= on)
        ),
        None,
    )


def consent_overview(student: Student) -> ConsentOverview:
    recipients = consent_recipients(student)
    consents = _consents(student)
    # An organisation that no longer employs the student still shows while a consent to it
    # holds, so that the student can withdraw it.
    employing = {o.id for o in recipients}
    shown = {o.id: o for o in recipients}
    for c in consents:
        if c.recipient_id not in shown and _current(consents, c.category, c.recipient_id):
            shown[c.recipient_id] = c.recipient
    organisations = sorted(shown.values(), key=lambda o: o.name)
    overview = ConsentOverview(recipients, history=consents)
    for text in consent_text.CATEGORY_TEXTS:
        cells = []
        for organisation in organisations:
            cell = Cell(
                text.category,
                organisation,
                _current(consents, text.category, organisation.id),
                organisation.id in employing,
            )
            if text.category == ConsentCategory.HEALTH:
                cell.needs_support_needs = (
                    _current(consents, ConsentCategory.SUPPORT_NEEDS, organisation.id) is None
                )
            cells.append(cell)
        overview.rows.append((text, cells))
    return overview


def consents_summary(student: Student) -> dict:
    """For the "Consent" section of My plan: how many consents are in force now."""
    on = today()
    count = sum(1 for c in _consents(student) if c.in_force(on))
    return {"in_force": count}


def _page(student: Student, form: GiveConsentForm):
    audit.record_view(student)
    return render_template(
        "me/consents.html",
        student=student,
        overview=consent_overview(student),
        form=form,
        texts=consent_text,
        today=today(),
    )


@bp.route("/consents", methods=["GET", "POST"])
@student_only
def consents():
    """The consent text and the student's consents; a POST gives one (or, for health
    information without support needs, both)."""
    student = get_own_student_or_404()
    form = GiveConsentForm()
    if form.validate_on_submit():
        recipients = consent_recipients(student)
        recipient_id = int(form.recipient.data) if form.recipient.data.isdigit() else None
        if not may_consent_to(recipients, recipient_id):
            form.recipient.errors.append(_RECIPIENT_MESSAGE)
        else:
            recipient = next(o for o in recipients if o.id == recipient_id)
            categories = [ConsentCategory(c) for c in form.category.data]
            response = editing.save(
                form,
                lambda: services.give_consents(
                    student, categories, recipient, today(), None, "", ConsentChannel.APP
                ),
                stale_url=url_for("me.consents"),
                done=_(
                    "Your consent is given. %(recipient)s can see it from now on.",
                    recipient=recipient.name,
                ),
                redirect_to=redirect(url_for("me.consents")),
            )
            if response:
                return response
    return _page(student, form)


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@student_only
def withdraw_consent(consent_id: int):
    student = get_own_student_or_404()
    consent = get_own_consent_or_404(student, consent_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_consent(student, consent, ConsentChannel.APP)
        db.session.commit()
        flash(
            _(
                "Your consent is withdrawn. %(recipient)s no longer sees it.",
                recipient=consent.recipient.name,
            ),
            "success",
        )
    except editing.RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("me.consents"))
