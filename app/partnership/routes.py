"""The partnership's pages: its members and plans, the action plan by theme, an initiative with
its progress notes, and the system administrator's partnership form.

Every view loads through the app.access.partnership loaders: a partnership, plan or initiative
of a partnership the user's organisation is not a member of answers 404; a change the user may
not make answers 403.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app import editing, labels
from app.access.partnership import (
    INITIATIVE_EDITOR_ROLES,
    can_add_initiative,
    can_administer_partnerships,
    can_edit_initiative,
    can_manage,
    check_can_add_initiative,
    get_administered_partnership_or_404,
    get_initiative_or_404,
    get_partnership_or_404,
    get_plan_or_404,
    owner_choices,
    visible_meetings,
    visible_partnerships,
)
from app.access.roles import PARTNERSHIP_ROLES, roles_required, system_admin_only
from app.extensions import db
from app.forms import ButtonForm
from app.models import (
    ActionPlan,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    User,
)
from app.models.base import today
from app.pagination import paginate
from app.partnership import bp, meeting_services, services
from app.partnership.forms import (
    InitiativeForm,
    NoteForm,
    PartnershipForm,
    PlanFilterForm,
    PlanForm,
)
from app.partnership.meetings import meeting_summary

PER_PAGE = 50
partnership_roles = roles_required(*PARTNERSHIP_ROLES)
editor_roles = roles_required(*INITIATIVE_EDITOR_ROLES)
coordinator_only = roles_required(Role.PARTNERSHIP_COORDINATOR)


# --- the partnerships --------------------------------------------------------------------------


@bp.route("/")
@roles_required(*PARTNERSHIP_ROLES, Role.SYSTEM_ADMIN)
def index():
    """The partnerships the user's organisation is a member of; for the system administrator,
    every partnership, to set up."""
    admin = can_administer_partnerships(current_user)
    query = select(Partnership).order_by(Partnership.name)
    if not admin:
        query = visible_partnerships(current_user)
    partnerships = db.session.execute(query.options(joinedload(Partnership.anchor))).scalars().all()
    return render_template(
        "partnership/index.html",
        partnerships=partnerships,
        can_administer=admin,
        my_meetings=(
            []
            if admin
            else meeting_services.my_upcoming(current_user, visible_meetings(current_user))
        ),
    )


@bp.route("/<int:partnership_id>")
@partnership_roles
def show(partnership_id: int):
    partnership = get_partnership_or_404(current_user, partnership_id)
    return _show(partnership, PlanForm(formdata=None, data={"year": _next_year(partnership)}))


def _next_year(partnership: Partnership) -> int:
    years = [p.year for p in partnership.plans]
    return max(years) + 1 if years else today().year


def _show(partnership: Partnership, plan_form: PlanForm):
    counts = db.session.execute(
        select(Initiative.plan_id, Initiative.status, func.count())
        .join(ActionPlan, ActionPlan.id == Initiative.plan_id)
        .where(ActionPlan.partnership_id == partnership.id)
        .group_by(Initiative.plan_id, Initiative.status)
    ).all()
    by_plan: dict[int, dict[InitiativeStatus, int]] = {}
    for plan_id, status, n in counts:
        by_plan.setdefault(plan_id, {})[status] = n
    members = {kind: [] for kind in OrganisationKind}
    for member in partnership.members:
        members[member.kind].append(member)
    return render_template(
        "partnership/show.html",
        partnership=partnership,
        members=members,
        counts=by_plan,
        can_manage=can_manage(current_user, partnership),
        plan_form=plan_form,
        **meeting_summary(partnership),
    )


@bp.route("/<int:partnership_id>/plans/new", methods=["POST"])
@coordinator_only
def new_plan(partnership_id: int):
    partnership = get_partnership_or_404(current_user, partnership_id, manage=True)
    form = PlanForm()
    if form.validate_on_submit():
        plan = editing.create(
            form, lambda: services.new_plan(partnership, form.year.data, current_user)
        )
        if plan is not None:
            flash(_("The action plan for %(year)s was created.", year=plan.year), "success")
            return redirect(url_for("partnership.plan", plan_id=plan.id))
    return _show(partnership, form)


# --- the action plan ---------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>")
@partnership_roles
def plan(plan_id: int):
    """The plan's initiatives grouped by theme, with their status; filtered by status and owner."""
    plan = get_plan_or_404(current_user, plan_id)
    partnership = plan.partnership
    filters = PlanFilterForm(request.args)
    filters.owner.choices = [("", _("All organisations"))] + [
        (str(m.id), m.name) for m in partnership.members
    ]
    # A value that is not one of the choices filters nothing (a stale bookmark, a typo).
    status = filters.status.data if isinstance(filters.status.data, InitiativeStatus) else None
    owner_id = request.args.get("owner", type=int)
    if owner_id not in {m.id for m in partnership.members}:
        owner_id = None
    query = (
        select(Initiative)
        .where(Initiative.plan_id == plan.id)
        .options(
            joinedload(Initiative.owner),
            joinedload(Initiative.responsible_user),
            joinedload(Initiative.carried_from).joinedload(Initiative.plan),
        )
        .order_by(
            Initiative.theme, Initiative.deadline.is_(None), Initiative.deadline, Initiative.id
        )
    )
    if status is not None:
        query = query.where(Initiative.status == status)
    if owner_id is not None:
        query = query.where(Initiative.owner_id == owner_id)
    page = paginate(query, PER_PAGE, entities=True)
    manage = can_manage(current_user, partnership)
    carried = services.plan_exists(partnership.id, plan.year + 1)
    return render_template(
        "partnership/plan.html",
        plan=plan,
        partnership=partnership,
        page=page,
        filters=filters,
        filtered=status is not None or owner_id is not None,
        can_add=can_add_initiative(current_user, partnership),
        can_carry_over=manage and not carried,
        button_form=ButtonForm(),
        today=today(),
    )


@bp.route("/plans/<int:plan_id>/carry-over", methods=["POST"])
@coordinator_only
def carry_over(plan_id: int):
    """Next year's plan with every initiative that is neither done nor dropped."""
    plan = get_plan_or_404(current_user, plan_id, manage=True)
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("partnership.plan", plan_id=plan.id))
    try:
        following = services.carry_over(plan, current_user)
        db.session.commit()
    except editing.RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("partnership.plan", plan_id=plan.id))
    flash(
        _(
            "The action plan for %(year)s was created with the initiatives not yet done.",
            year=following.year,
        ),
        "success",
    )
    return redirect(url_for("partnership.plan", plan_id=following.id))


# --- initiatives -------------------------------------------------------------------------------


def _initiative_choices(form: InitiativeForm, partnership: Partnership) -> set[int]:
    owners = owner_choices(current_user, partnership)
    form.owner.choices = [("", _("Choose an organisation"))] + [(str(o.id), o.name) for o in owners]
    member_ids = [m.id for m in partnership.members]
    people = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id.in_(member_ids or [-1]),
            Membership.role.in_(INITIATIVE_EDITOR_ROLES),
            User.active.is_(True),
        )
        .distinct()
        .order_by(User.name)
    ).scalars()
    form.responsible_user.choices = [("", _("Someone without a login: type the name below"))] + [
        (str(u.id), u.name) for u in people
    ]
    return {o.id for o in owners}


def _data(form: InitiativeForm) -> services.InitiativeData:
    return services.InitiativeData(
        theme=form.theme.data,
        title=form.title.data,
        description=form.description.data or "",
        owner_id=int(form.owner.data),
        responsible_user_id=int(form.responsible_user.data) if form.responsible_user.data else None,
        responsible_name=form.responsible_name.data or "",
        deadline=form.deadline.data,
        status=form.status.data,
        indicator=form.indicator.data,
        baseline=form.baseline.data,
        target=form.target.data,
    )


@bp.route("/plans/<int:plan_id>/initiatives/new", methods=["GET", "POST"])
@editor_roles
def new_initiative(plan_id: int):
    plan = get_plan_or_404(current_user, plan_id)
    check_can_add_initiative(current_user, plan)
    form = InitiativeForm()
    if request.method == "GET":
        form.status.data = InitiativeStatus.PLANNED
        form.theme.data = request.args.get("theme", "")[:120] or None
    owner_ids = _initiative_choices(form, plan.partnership)
    if len(owner_ids) == 1 and not form.owner.data:
        form.owner.data = str(next(iter(owner_ids)))
    if form.validate_on_submit():
        made = editing.create(
            form,
            lambda: services.create_initiative(plan, _data(form), current_user, owner_ids),
        )
        if made is not None:
            flash(_("The initiative was added to the action plan."), "success")
            return redirect(url_for("partnership.initiative", initiative_id=made.id))
    return render_template(
        "partnership/initiative_form.html", form=form, plan=plan, initiative=None
    )


@bp.route("/initiatives/<int:initiative_id>")
@partnership_roles
def initiative(initiative_id: int):
    initiative = get_initiative_or_404(current_user, initiative_id)
    return _initiative_page(initiative, NoteForm(formdata=None, data={"noted_on": today()}))


def _initiative_page(initiative: Initiative, note_form: NoteForm):
    notes = (
        db.session.execute(
            select(InitiativeNote)
            .where(InitiativeNote.initiative_id == initiative.id)
            .options(joinedload(InitiativeNote.author))
            .order_by(InitiativeNote.noted_on.desc(), InitiativeNote.id.desc())
        )
        .scalars()
        .all()
    )
    continued = (
        db.session.execute(
            select(Initiative)
            .where(Initiative.carried_from_id == initiative.id)
            .options(selectinload(Initiative.plan))
        )
        .scalars()
        .all()
    )
    return render_template(
        "partnership/initiative.html",
        initiative=initiative,
        plan=initiative.plan,
        partnership=initiative.plan.partnership,
        notes=notes,
        continued=continued,
        note_form=note_form,
        can_edit=can_edit_initiative(current_user, initiative),
    )


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@editor_roles
def edit_initiative(initiative_id: int):
    initiative = get_initiative_or_404(current_user, initiative_id, edit=True)
    form = InitiativeForm(obj=initiative if request.method == "GET" else None)
    owner_ids = _initiative_choices(form, initiative.plan.partnership)
    if request.method == "GET":
        form.owner.data = str(initiative.owner_id)
        form.responsible_user.data = (
            str(initiative.responsible_user_id) if initiative.responsible_user_id else ""
        )
    response = editing.submit(
        form,
        lambda: services.change_initiative(
            initiative, _data(form), current_user, owner_ids, form.seen_version()
        ),
        stale_url=request.url,
        done=_("The initiative was saved."),
        redirect_to=redirect(url_for("partnership.initiative", initiative_id=initiative.id)),
    )
    if response is not None:
        return response
    return render_template(
        "partnership/initiative_form.html", form=form, plan=initiative.plan, initiative=initiative
    )


@bp.route("/initiatives/<int:initiative_id>/notes", methods=["POST"])
@editor_roles
def add_note(initiative_id: int):
    initiative = get_initiative_or_404(current_user, initiative_id, edit=True)
    form = NoteForm()
    if form.validate_on_submit():
        services.add_note(initiative, form.text.data, form.noted_on.data, current_user)
        db.session.commit()
        flash(_("The progress note was saved."), "success")
        return redirect(url_for("partnership.initiative", initiative_id=initiative.id) + "#notes")
    return _initiative_page(initiative, form)


# --- setting partnerships up (the system administrator) ---------------------------------------


def _partnership_choices(form: PartnershipForm) -> None:
    organisations = db.session.execute(
        select(Organisation)
        .where(Organisation.active.is_(True))
        .order_by(Organisation.kind, Organisation.name)
    ).scalars()
    organisations = list(organisations)
    kind_names = labels.ORGANISATION_KIND
    form.members.choices = [(o.id, f"{o.name} ({kind_names[o.kind]})") for o in organisations]
    form.anchor.choices = [("", _("Choose the anchor municipality"))] + [
        (str(o.id), o.name) for o in organisations if o.kind == OrganisationKind.MUNICIPALITY
    ]


def _partnership_form(partnership: Partnership | None):
    form = PartnershipForm(obj=partnership if request.method == "GET" else None)
    _partnership_choices(form)
    if request.method == "GET" and partnership is not None:
        form.members.data = [m.id for m in partnership.members]
        form.anchor.data = str(partnership.anchor_id)
    if form.validate_on_submit():
        saved = editing.create(
            form,
            lambda: services.set_partnership(
                partnership,
                name=form.name.data,
                start_year=form.start_year.data,
                end_year=form.end_year.data,
                member_ids=form.members.data,
                anchor_id=int(form.anchor.data),
                user=current_user,
            ),
        )
        if saved is not None:
            flash(_("The partnership was saved."), "success")
            return redirect(url_for("partnership.index"))
    return render_template("partnership/partnership_form.html", form=form, partnership=partnership)


@bp.route("/admin/new", methods=["GET", "POST"])
@system_admin_only
def new_partnership():
    return _partnership_form(None)


@bp.route("/admin/<int:partnership_id>", methods=["GET", "POST"])
@system_admin_only
def edit_partnership(partnership_id: int):
    return _partnership_form(get_administered_partnership_or_404(current_user, partnership_id))
