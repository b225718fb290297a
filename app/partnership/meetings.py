"""The partnership's meetings: the list, a meeting with its agenda, minutes, decisions and
follow-ups, the invitations, the minutes as PDF and the meeting as a calendar file.

Every view loads through the app.access.partnership loaders: a meeting of a partnership the
user's organisation is not a member of answers 404; a change by someone who only reads answers
403. A change the meeting's state refuses (the agenda of a held meeting) is said in a message.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import editing
from app.access.partnership import (
    can_manage_meetings,
    get_agenda_item_or_404,
    get_follow_up_or_404,
    get_meeting_or_404,
    get_partnership_or_404,
)
from app.access.roles import PARTNERSHIP_ROLES, roles_required
from app.extensions import db
from app.forms import ButtonForm
from app.models import MeetingStatus, Partnership, PartnershipMeeting, Role
from app.models.base import today
from app.pagination import first_page, paginate
from app.partnership import bp
from app.partnership import meeting_services as services
from app.partnership.meeting_forms import (
    AgendaItemForm,
    DecisionForm,
    FollowUpForm,
    InvitationForm,
    MeetingForm,
    MinutesForm,
)
from app.pdf import pdf_download, render_pdf

PER_PAGE = 20
readers = roles_required(*PARTNERSHIP_ROLES)
coordinator_only = roles_required(Role.PARTNERSHIP_COORDINATOR)


def _url(meeting: PartnershipMeeting, anchor: str = "") -> str:
    return url_for("partnership.meeting", partnership_meeting_id=meeting.id) + anchor


def _upcoming(partnership: Partnership):
    return (
        select(PartnershipMeeting)
        .where(
            PartnershipMeeting.partnership_id == partnership.id,
            PartnershipMeeting.status == MeetingStatus.PLANNED,
        )
        .order_by(PartnershipMeeting.on_date, PartnershipMeeting.id)
    )


def _past(partnership: Partnership):
    return (
        select(PartnershipMeeting)
        .where(
            PartnershipMeeting.partnership_id == partnership.id,
            PartnershipMeeting.status == MeetingStatus.HELD,
        )
        .order_by(PartnershipMeeting.on_date.desc(), PartnershipMeeting.id.desc())
    )


def meeting_summary(partnership: Partnership) -> dict:
    """The head of the upcoming and past meetings, for the partnership's page."""
    return {
        "upcoming_meetings": first_page(_upcoming(partnership), 5, entities=True),
        "past_meetings": first_page(_past(partnership), 5, entities=True),
        "can_manage_meetings": can_manage_meetings(current_user, partnership),
    }


@bp.route("/<int:partnership_id>/meetings")
@readers
def meetings(partnership_id: int):
    partnership = get_partnership_or_404(current_user, partnership_id)
    return render_template(
        "partnership/meetings.html",
        partnership=partnership,
        upcoming=paginate(_upcoming(partnership), PER_PAGE, entities=True, page_arg="upcoming"),
        past=paginate(_past(partnership), PER_PAGE, entities=True, page_arg="past"),
        can_manage=can_manage_meetings(current_user, partnership),
    )


def _data(form: MeetingForm) -> services.MeetingData:
    return services.MeetingData(
        on_date=form.on_date.data,
        at_time=form.at_time.data,
        place=form.place.data or "",
        title=form.title.data or "",
    )


@bp.route("/<int:partnership_id>/meetings/new", methods=["GET", "POST"])
@coordinator_only
def new_meeting(partnership_id: int):
    partnership = get_partnership_or_404(current_user, partnership_id, manage=True)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = editing.create(
            form, lambda: services.create_meeting(partnership, _data(form), current_user)
        )
        if meeting is not None:
            flash(_("The meeting was created with its agenda."), "success")
            return redirect(url_for("partnership.invitations", partnership_meeting_id=meeting.id))
    return render_template(
        "partnership/meeting_form.html", form=form, partnership=partnership, meeting=None
    )


@bp.route("/meetings/<int:partnership_meeting_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_meeting(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    response = editing.submit(
        form,
        lambda: services.change_meeting(meeting, _data(form), current_user, form.seen_version()),
        stale_url=request.url,
        done=_("The meeting was saved."),
        redirect_to=redirect(_url(meeting)),
    )
    if response is not None:
        return response
    return render_template(
        "partnership/meeting_form.html",
        form=form,
        partnership=meeting.partnership,
        meeting=meeting,
    )


# --- the meeting page --------------------------------------------------------------------------


def _decision_choices(form: DecisionForm, meeting: PartnershipMeeting) -> dict[int, object]:
    initiatives = {i.id: i for i in services.plan_initiatives(meeting)}
    form.initiative.choices = [("", _("No initiative"))] + [
        (str(i.id), i.title) for i in initiatives.values()
    ]
    return initiatives


def _follow_up_choices(form: FollowUpForm, meeting: PartnershipMeeting) -> set[int]:
    form.owner.choices = [("", _("Choose an organisation"))] + [
        (str(m.id), m.name) for m in meeting.partnership.members
    ]
    people = services.partnership_people(meeting.partnership)
    form.responsible_user.choices = [("", _("Someone without a login: type the name below"))] + [
        (str(u.id), u.name) for u in people
    ]
    return {u.id for u in people}


def _page(meeting: PartnershipMeeting, **forms):
    manage = can_manage_meetings(current_user, meeting.partnership)
    context = {}
    if manage:
        item_form = forms.get("item_form") or AgendaItemForm(formdata=None)
        decision_form = forms.get("decision_form") or DecisionForm(formdata=None)
        _decision_choices(decision_form, meeting)
        follow_up_form = forms.get("follow_up_form") or FollowUpForm(formdata=None)
        _follow_up_choices(follow_up_form, meeting)
        context = {
            "item_form": item_form,
            "decision_form": decision_form,
            "follow_up_form": follow_up_form,
            "button_form": ButtonForm(),
        }
    return render_template(
        "partnership/meeting.html",
        meeting=meeting,
        partnership=meeting.partnership,
        can_manage=manage,
        can_mark_held=manage and not meeting.held and meeting.on_date <= today(),
        horizon=services.horizon(meeting),
        today=today(),
        **context,
    )


@bp.route("/meetings/<int:partnership_meeting_id>")
@readers
def meeting(partnership_meeting_id: int):
    return _page(get_meeting_or_404(current_user, partnership_meeting_id))


def _rule(change, meeting: PartnershipMeeting, done: str, anchor: str = ""):
    """Run a change that only a rule can refuse; commit, and go back to the meeting."""
    try:
        change()
        db.session.commit()
    except editing.RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_url(meeting, anchor))
    flash(done, "success")
    return redirect(_url(meeting, anchor))


@bp.route("/meetings/<int:partnership_meeting_id>/agenda/refresh", methods=["POST"])
@coordinator_only
def refresh_agenda(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    if not ButtonForm().validate_on_submit():
        return redirect(_url(meeting))
    return _rule(
        lambda: services.refresh_agenda(meeting, current_user),
        meeting,
        _("The agenda was built again from the action plan."),
        "#agenda",
    )


@bp.route("/meetings/<int:partnership_meeting_id>/agenda", methods=["POST"])
@coordinator_only
def add_agenda_item(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return _page(meeting, item_form=form)
    return _rule(
        lambda: services.add_agenda_item(
            meeting, form.kind.data, form.title.data, form.text.data, current_user
        ),
        meeting,
        _("The item was added to the agenda."),
        "#agenda",
    )


@bp.route(
    "/meetings/<int:partnership_meeting_id>/agenda/<int:agenda_item_id>/move", methods=["POST"]
)
@coordinator_only
def move_agenda_item(partnership_meeting_id: int, agenda_item_id: int):
    item = get_agenda_item_or_404(current_user, partnership_meeting_id, agenda_item_id)
    meeting = item.meeting
    direction = request.form.get("direction")
    if not ButtonForm().validate_on_submit() or direction not in ("up", "down"):
        return redirect(_url(meeting, "#agenda"))
    return _rule(
        lambda: services.move_agenda_item(item, direction == "up", current_user),
        meeting,
        _("The agenda was reordered."),
        "#agenda",
    )


@bp.route(
    "/meetings/<int:partnership_meeting_id>/agenda/<int:agenda_item_id>/delete",
    methods=["POST"],
)
@coordinator_only
def delete_agenda_item(partnership_meeting_id: int, agenda_item_id: int):
    item = get_agenda_item_or_404(current_user, partnership_meeting_id, agenda_item_id)
    meeting = item.meeting
    if not ButtonForm().validate_on_submit():
        return redirect(_url(meeting, "#agenda"))
    return _rule(
        lambda: services.delete_agenda_item(item, current_user),
        meeting,
        _("The item was removed from the agenda."),
        "#agenda",
    )


@bp.route("/meetings/<int:partnership_meeting_id>/minutes", methods=["GET", "POST"])
@coordinator_only
def edit_minutes(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    form = MinutesForm(obj=meeting if request.method == "GET" else None)
    response = editing.submit(
        form,
        lambda: services.save_minutes(
            meeting, form.minutes.data, current_user, form.seen_version()
        ),
        stale_url=request.url,
        done=_("The minutes were saved."),
        redirect_to=redirect(_url(meeting, "#minutes")),
    )
    if response is not None:
        return response
    return render_template(
        "partnership/minutes_form.html", form=form, meeting=meeting, partnership=meeting.partnership
    )


@bp.route("/meetings/<int:partnership_meeting_id>/decisions", methods=["POST"])
@coordinator_only
def add_decision(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    form = DecisionForm()
    initiatives = _decision_choices(form, meeting)
    if form.validate_on_submit():
        initiative = initiatives.get(int(form.initiative.data)) if form.initiative.data else None
        made = editing.create(
            form,
            lambda: services.add_decision(
                meeting, form.text.data, initiative, form.new_status.data, current_user
            ),
        )
        if made is not None:
            flash(_("The decision was recorded."), "success")
            return redirect(_url(meeting, "#decisions"))
    return _page(meeting, decision_form=form)


@bp.route("/meetings/<int:partnership_meeting_id>/follow-ups", methods=["POST"])
@coordinator_only
def add_follow_up(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    form = FollowUpForm()
    people = _follow_up_choices(form, meeting)
    if form.validate_on_submit():
        data = services.FollowUpData(
            text=form.text.data,
            owner_id=int(form.owner.data),
            responsible_user_id=(
                int(form.responsible_user.data) if form.responsible_user.data else None
            ),
            responsible_name=form.responsible_name.data or "",
            deadline=form.deadline.data,
        )
        made = editing.create(
            form, lambda: services.add_follow_up(meeting, data, current_user, people)
        )
        if made is not None:
            flash(_("The follow-up was added."), "success")
            return redirect(_url(meeting, "#follow-ups"))
    return _page(meeting, follow_up_form=form)


@bp.route(
    "/meetings/<int:partnership_meeting_id>/follow-ups/<int:follow_up_id>/done",
    methods=["POST"],
)
@coordinator_only
def follow_up_done(partnership_meeting_id: int, follow_up_id: int):
    follow_up = get_follow_up_or_404(current_user, partnership_meeting_id, follow_up_id)
    meeting = follow_up.meeting
    if not ButtonForm().validate_on_submit():
        return redirect(_url(meeting, "#follow-ups"))
    return _rule(
        lambda: services.toggle_follow_up(follow_up, current_user),
        meeting,
        _("The follow-up was updated."),
        "#follow-ups",
    )


@bp.route("/meetings/<int:partnership_meeting_id>/held", methods=["POST"])
@coordinator_only
def mark_held(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    if not ButtonForm().validate_on_submit():
        return redirect(_url(meeting))
    return _rule(
        lambda: services.mark_held(meeting, current_user),
        meeting,
        _("The meeting is marked as held."),
    )


# --- invitations, the PDF and the calendar file ------------------------------------------------


@bp.route("/meetings/<int:partnership_meeting_id>/invitations", methods=["GET", "POST"])
@coordinator_only
def invitations(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id, manage=True)
    people = services.partnership_people(meeting.partnership)
    places = _places(people, meeting.partnership)
    form = InvitationForm()
    form.invitees.choices = [(p.id, f"{p.name} ({places[p.id]})") for p in people]
    if request.method == "GET":
        invited = [p.id for p in meeting.invitees]
        form.invitees.data = invited or [p.id for p in people]  # everyone, the first time
    if form.validate_on_submit():
        saved = editing.create(
            form, lambda: services.set_invitees(meeting, form.invitees.data, current_user)
        )
        if saved is not None:
            flash(_("The invitations were saved."), "success")
            return redirect(_url(meeting, "#invitees"))
    return render_template(
        "partnership/invitations.html", form=form, meeting=meeting, partnership=meeting.partnership
    )


def _places(people, partnership: Partnership) -> dict[int, str]:
    members = {m.id for m in partnership.members}
    return {
        p.id: ", ".join(
            sorted({m.organisation.name for m in p.memberships if m.organisation_id in members})
        )
        for p in people
    }


@bp.route("/meetings/<int:partnership_meeting_id>/minutes.pdf")
@readers
def meeting_pdf(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id)
    pdf = render_pdf(
        "pdf/partnership_meeting.html",
        meeting=meeting,
        partnership=meeting.partnership,
        printed_by=current_user,
        today=today(),
    )
    return pdf_download(pdf, f"referat-partnerskabsmoede-{meeting.on_date.isoformat()}.pdf")


@bp.route("/meetings/<int:partnership_meeting_id>/meeting.ics")
@readers
def meeting_ics(partnership_meeting_id: int):
    meeting = get_meeting_or_404(current_user, partnership_meeting_id)
    return Response(
        services.ics(meeting, request.host),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": (
                f'attachment; filename="partnerskabsmoede-{meeting.on_date.isoformat()}.ics"'
            )
        },
    )
