"""Case reviews, their action items and minutes PDF, and group review meetings.

Every review view loads the student through the access module (404 if hidden), then the review
scoped to that student, then checks that the user may read it (404 otherwise) and, for changes,
that the user takes part in it (403).
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import access, audit, editing, labels
from app.access import case_roles_required, roles_required
from app.attachments.queries import attachments_of
from app.extensions import db
from app.forms import ButtonForm
from app.models import (
    AuditAction,
    CaseReview,
    HelpStatus,
    Period,
    ReviewMeeting,
    Student,
    User,
    meeting_participant,
)
from app.models.base import today
from app.pagination import paginate
from app.pdf import pdf_download, render_pdf
from app.reviews import bp, queries, services
from app.reviews.forms import (
    ActionItemForm,
    ActionStatusForm,
    MeetingCaseForm,
    MeetingCaseSearchForm,
    MeetingForm,
    MinutesForm,
    ReviewForm,
)
from app.support import services as support_services


def _load_editable_review(student_id: int, review_id: int) -> tuple[Student, CaseReview]:
    student = access.reviews.get_review_student_or_404(student_id)
    return student, access.reviews.get_review_or_404(student, review_id, edit=True)


def _read_review(
    student_id: int, review_id: int, action: AuditAction
) -> tuple[Student, CaseReview]:
    """The student and the review (404 unless the user may read it), the read logged."""
    student = access.reviews.get_review_student_or_404(student_id)
    review = access.reviews.get_review_or_404(student, review_id)
    audit.record(action, student=student, obj=review, commit=True)
    return student, review


def _review_url(student: Student, review: CaseReview) -> str:
    return url_for("reviews.review", student_id=student.id, review_id=review.id)


def _labels() -> dict:
    return {
        "outcome_labels": labels.REVIEW_OUTCOME,
        "status_labels": labels.REVIEW_STATUS,
        "item_labels": labels.ACTION_ITEM_STATUS,
    }


def _organisations(users: list[User]) -> dict[int, str]:
    """Each participant's organisation (and workplace), from their loaded memberships."""
    result = {}
    for user in users:
        places = []
        for m in user.memberships:
            place = m.workplace.name if m.workplace is not None else None
            org = m.organisation.name if m.organisation is not None else None
            text = ", ".join(p for p in (place, org) if p)
            if text and text not in places:
                places.append(text)
        result[user.id] = "; ".join(places)
    return result


def _load_places(review: CaseReview) -> dict[int, str]:
    return _organisations(review.participants)


# --- scheduling ---------------------------------------------------------------------------


@bp.route("/students/<int:student_id>/reviews/new", methods=["GET", "POST"])
@roles_required(*access.REVIEW_SCHEDULER_ROLES)
def new_review(student_id: int):
    student = access.reviews.get_review_student_or_404(student_id, schedule=True)
    on = today()
    candidates = services.review_candidates(student, on)
    form = ReviewForm()
    form.participants.choices = [(c.id, c.label) for c in candidates if c.id != current_user.id]
    # Answering a request for help (app.support.help): its reason heads the agenda, and the
    # person who asked is proposed as a participant.
    help_request = None
    if request.args.get("help_request", "").isdigit():
        help_request = access.help.get_help_request_or_404(
            int(request.args["help_request"]), student
        )
        if help_request.status != HelpStatus.OPEN:
            flash(_("The request has already been answered."), "info")
            help_request = None
    if request.method == "GET":
        form.agenda.data = services.build_agenda(student, on)
        if help_request is not None:
            form.agenda.data = support_services.help_agenda(help_request) + form.agenda.data
            if any(c.id == help_request.requested_by_id for c in candidates):
                form.participants.data = [help_request.requested_by_id]
    if form.validate_on_submit():
        plan = services.ReviewPlan(
            on_date=form.on_date.data,
            location=form.location.data,
            participant_ids=list(form.participants.data or []),
            agenda=form.agenda.data,
            at_time=form.at_time.data,
        )

        def schedule() -> CaseReview:
            review = services.schedule_review(student, plan, current_user, on)
            if help_request is not None:
                support_services.schedule_help(help_request, review, current_user)
            return review

        review = editing.create(form, schedule)
        if review is not None:
            flash(_("The review was scheduled and the participants notified."), "success")
            return redirect(_review_url(student, review))
    return render_template(
        "reviews/review_form.html",
        student=student,
        form=form,
        supervisors_offered=any(c.from_workplace for c in candidates),
        help_request=help_request,
    )


# --- one review ---------------------------------------------------------------------------


@bp.route("/students/<int:student_id>/reviews/<int:review_id>")
@case_roles_required
def review(student_id: int, review_id: int):
    student, review = _read_review(student_id, review_id, AuditAction.VIEW)
    can_edit = access.can_edit_review(current_user, review)
    item_form = None
    if can_edit:
        item_form = ActionItemForm()
        item_form.owner.choices = _owner_choices(review)
    return _review_page(student, review, can_edit, item_form)


def _review_page(student: Student, review: CaseReview, can_edit: bool, item_form):
    return render_template(
        "reviews/review.html",
        student=student,
        review=review,
        places=_load_places(review),
        can_edit=can_edit,
        item_form=item_form,
        attachments=attachments_of([("review", review.id)]),
        today=today(),
        **_labels(),
    )


def _owner_choices(review: CaseReview) -> list[tuple[str, str]]:
    return [("", _("Choose an owner"))] + [(str(p.id), p.name) for p in review.participants]


@bp.route("/students/<int:student_id>/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit_review(student_id: int, review_id: int):
    student, review = _load_editable_review(student_id, review_id)
    form = MinutesForm(obj=review if request.method == "GET" else None)
    if request.method == "GET":
        form.outcome.data = review.outcome.value if review.outcome else ""
        form.cancelled.data = review.status == "cancelled"
    if form.validate_on_submit():
        content = services.Minutes(
            agenda=form.agenda.data,
            minutes=form.minutes.data,
            decisions=form.decisions.data,
            outcome=form.outcome.data,
            cancelled=bool(form.cancelled.data),
        )
        response = editing.save(
            form,
            lambda: services.record_minutes(
                student, review, content, current_user, form.seen_version()
            ),
            stale_url=request.url,
            done=_("The minutes were saved."),
            redirect_to=redirect(_review_url(student, review)),
        )
        if response is not None:
            return response
    return render_template(
        "reviews/minutes_form.html",
        student=student,
        review=review,
        form=form,
        workplace_takes_part=access.reviews.workplace_takes_part(review.participants),
    )


@bp.route("/students/<int:student_id>/reviews/<int:review_id>/actions", methods=["POST"])
@case_roles_required
def add_action_item(student_id: int, review_id: int):
    student, review = _load_editable_review(student_id, review_id)
    form = ActionItemForm()
    form.owner.choices = _owner_choices(review)
    if form.validate_on_submit():
        owner_id = int(form.owner.data) if form.owner.data.isdigit() else -1
        response = editing.save(
            form,
            lambda: services.add_action_item(
                student,
                review,
                form.text.data,
                owner_id,
                form.due_date.data,
                current_user,
                today(),
            ),
            stale_url=_review_url(student, review),
            done=_("The action item was added."),
            redirect_to=redirect(_review_url(student, review) + "#action-items"),
        )
        if response is not None:
            return response
    # The review page again, with the errors next to the fields and what was typed.
    audit.record(AuditAction.VIEW, student=student, obj=review, commit=True)
    return _review_page(student, review, True, form)


@bp.route(
    "/students/<int:student_id>/reviews/<int:review_id>/actions/<int:item_id>", methods=["POST"]
)
@case_roles_required
def update_action_item(student_id: int, review_id: int, item_id: int):
    student, review = _load_editable_review(student_id, review_id)
    item = access.reviews.get_action_item_or_404(review, item_id)
    form = ActionStatusForm()
    if form.validate_on_submit():
        status = form.status.data
        response = editing.save(
            form,
            lambda: services.change_action_item(
                student, review, item, status, current_user, form.seen_version()
            ),
            stale_url=_review_url(student, review),
            done=_("The action item was updated."),
            redirect_to=redirect(_review_url(student, review) + "#action-items"),
        )
        if response is not None:
            return response
    flash(_("The action item was not changed."), "error")
    return redirect(_review_url(student, review))


@bp.route("/students/<int:student_id>/reviews/<int:review_id>/minutes.pdf")
@case_roles_required
def review_pdf(student_id: int, review_id: int):
    student, review = _read_review(student_id, review_id, AuditAction.EXPORT)
    pdf = render_pdf(
        "pdf/review.html",
        student=student,
        review=review,
        places=_load_places(review),
        printed_by=current_user,
        today=today(),
        **_labels(),
    )
    filename = f"referat-{student.student_number}-{review.on_date.isoformat()}.pdf"
    return pdf_download(pdf, filename)


# --- my reviews, my action items ---------------------------------------------------------------


@bp.route("/reviews")
@case_roles_required
def my_reviews():
    on = today()
    page = paginate(queries.my_reviews(current_user, on), current_app.config["STUDENTS_PER_PAGE"])
    # The group meetings I take part in, from a week ago on (a short list, one query).
    meetings = (
        db.session.execute(
            select(ReviewMeeting)
            .join(meeting_participant, meeting_participant.c.meeting_id == ReviewMeeting.id)
            .where(
                meeting_participant.c.user_id == current_user.id,
                ReviewMeeting.on_date >= on - timedelta(days=7),
            )
            .order_by(ReviewMeeting.on_date, ReviewMeeting.at_time.nulls_last(), ReviewMeeting.id)
            .limit(10)
        )
        .scalars()
        .all()
    )
    return render_template(
        "reviews/my_reviews.html",
        page=page,
        meetings=meetings,
        can_organise=current_user.has_role(*access.MEETING_ORGANISER_ROLES),
        today=on,
        **_labels(),
    )


@bp.route("/action-items")
@case_roles_required
def my_action_items():
    on = today()
    page = paginate(
        queries.my_action_items(current_user, on), current_app.config["STUDENTS_PER_PAGE"]
    )
    return render_template("reviews/my_action_items.html", page=page, today=on)


# --- group review meetings -------------------------------------------------------------------


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles_required(*access.MEETING_ORGANISER_ROLES)
def new_meeting():
    on = today()
    form = MeetingForm()
    form.participants.choices = [
        (c.id, c.label)
        for c in services.meeting_candidates(current_user)
        if c.id != current_user.id
    ]
    if form.validate_on_submit():
        meeting = editing.create(
            form,
            lambda: services.create_meeting(
                form.title.data,
                form.on_date.data,
                form.location.data,
                list(form.participants.data or []),
                bool(form.pseudonymised.data),
                current_user,
                on,
                form.at_time.data,
            ),
        )
        if meeting is not None:
            flash(_("The meeting was created."), "success")
            return redirect(url_for("reviews.meeting", meeting_id=meeting.id))
    return render_template("reviews/meeting_form.html", form=form)


@bp.route("/meetings/<int:meeting_id>")
@case_roles_required
def meeting(meeting_id: int):
    meeting = access.reviews.get_meeting_or_404(meeting_id)
    on = today()
    student_ids = {r.student_id for r in meeting.reviews}
    visible = access.reviews.visible_agenda_students(current_user, meeting)
    periods: dict[int, Period] = {}
    if student_ids:
        for period in db.session.execute(
            select(Period)
            .where(Period.student_id.in_(student_ids))
            .order_by(Period.start_date, Period.id)
        ).scalars():
            # The current period, else the next one, else the last one.
            chosen = periods.get(period.student_id)
            if chosen is None or chosen.end_date < on:
                periods[period.student_id] = period
    cases = []
    for position, review in enumerate(access.reviews.agenda_of(meeting), start=1):
        student = review.student
        shown = student.id in visible
        cases.append(
            {
                "review": review,
                "position": position,
                "name": (
                    services.initials(student)
                    if meeting.pseudonymised or not shown
                    else student.full_name
                ),
                "programme": student.programme.short_name,
                "period": periods.get(student.id),
                # Links only for those who may read the case; in a pseudonymised meeting to
                # the pseudonymised view, never to the named page.
                "link": access.reviews.can_open_meeting_case(
                    current_user, meeting, review, visible
                ),
            }
        )
    return render_template(
        "reviews/meeting.html",
        meeting=meeting,
        cases=cases,
        places=_organisations(meeting.participants),
        today=on,
        **_labels(),
    )


# How many of the user's students the "add a case" page lists at most; a search narrows them.
AGENDA_CHOICES = 20


@bp.route("/meetings/<int:meeting_id>/cases/new")
@case_roles_required
def new_meeting_case(meeting_id: int):
    meeting = access.reviews.get_meeting_or_404(meeting_id)
    return _meeting_case_page(meeting, MeetingCaseForm(formdata=None))


@bp.route("/meetings/<int:meeting_id>/cases", methods=["POST"])
@case_roles_required
def add_meeting_case(meeting_id: int):
    meeting = access.reviews.get_meeting_or_404(meeting_id)
    form = MeetingCaseForm()
    if form.validate_on_submit():
        chosen = form.student.data
        # An id is a short run of ASCII digits; anything else is no student (and never a 500).
        student = (
            access.reviews.agenda_choice(current_user, int(chosen))
            if re.fullmatch(r"[0-9]{1,9}", chosen)
            else None
        )
        if student is None:
            form.student.errors.append(_("Choose one of your students."))
        else:
            back = redirect(url_for("reviews.meeting", meeting_id=meeting.id))
            response = editing.save(
                form,
                lambda: services.add_meeting_case(meeting, student, current_user),
                stale_url=url_for("reviews.meeting", meeting_id=meeting.id),
                done=_("The case was added to the meeting."),
                redirect_to=back,
            )
            if response is not None:
                return response
    return _meeting_case_page(meeting, form)


def _meeting_case_page(meeting: ReviewMeeting, form: MeetingCaseForm):
    """The user's students to choose from (searched by name or number, at most
    AGENDA_CHOICES), the search logged as any search of students."""
    search = MeetingCaseSearchForm(request.args)
    text = (search.q.data or "") if search.validate() else None
    choices = []
    if text is not None:
        choices = access.reviews.agenda_choices(current_user, text, AGENDA_CHOICES)
        audit.record_search({"q": text, "meeting": meeting.id})
    return render_template(
        "reviews/meeting_case_form.html",
        meeting=meeting,
        search=search,
        form=form,
        choices=choices[:AGENDA_CHOICES],
        more=len(choices) > AGENDA_CHOICES,
        chosen=form.student.data or "",
    )


@bp.route("/meetings/<int:meeting_id>/cases/<int:position>")
@case_roles_required
def meeting_case(meeting_id: int, position: int):
    """A case of the meeting, pseudonymised (see services.PseudonymisedCase): no name, no
    student number, no link with the student's id. The named case opens only by the button."""
    meeting, review, student = access.reviews.get_meeting_case_or_404(meeting_id, position)
    _log_meeting_case(meeting, review, student, "pseudonymised case")
    return render_template(
        "reviews/meeting_case.html",
        meeting=meeting,
        review=review,
        position=position,
        pseudonym=services.initials(student),
        programme=student.programme.short_name,
        case=services.pseudonymised_case(student, review, today()),
        open_form=ButtonForm(),
        today=today(),
        **_labels(),
    )


@bp.route("/meetings/<int:meeting_id>/cases/<int:position>/open", methods=["POST"])
@case_roles_required
def open_meeting_case(meeting_id: int, position: int):
    """Open the named case from the meeting: a deliberate act, logged as such, then the
    review's own page (which logs its read as usual)."""
    meeting, review, student = access.reviews.get_meeting_case_or_404(meeting_id, position)
    if not ButtonForm().validate_on_submit():
        abort(400)
    _log_meeting_case(meeting, review, student, "opened the named case")
    return redirect(_review_url(student, review))


def _log_meeting_case(meeting: ReviewMeeting, review: CaseReview, student: Student, what: str):
    """The access-log row for reading a case from a group meeting."""
    audit.record(
        AuditAction.VIEW,
        student=student,
        obj=review,
        criterion=f"meeting {meeting.id}: {what}",
        commit=True,
    )
