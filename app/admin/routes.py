"""Administration of organisations, workplaces and users.

The system admin manages everything; a school or municipality admin manages the users (and,
for a municipality or region, the workplaces) of their own organisation. What they may reach
is decided in app/access/; anything outside it answers 404.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import access, audit, labels
from app.access.roles import any_admin, system_admin_only, workplace_admins
from app.admin import bp
from app.admin import services as admin_services
from app.admin import sso as admin_sso
from app.admin.forms import (
    EditUserForm,
    MembershipFields,
    NewUserForm,
    OrganisationForm,
    OrganisationSearchForm,
    ResetTwoFactorForm,
    SearchForm,
    SupportCategoryForm,
    WorkplaceForm,
    WorkplaceSearchForm,
)
from app.auth import tokens
from app.auth import twofactor as two_factor
from app.auth.account_mail import send_invitation as queue_invitation
from app.auth.passwords import hash_password
from app.auth.sessions import end_all_sessions
from app.extensions import db
from app.forms import ButtonForm
from app.models import (
    AuditAction,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SupportCategory,
    TokenPurpose,
    User,
    Workplace,
)
from app.models.base import utcnow
from app.pagination import paginate


def _per_page() -> int:
    return current_app.config["ADMIN_ROWS_PER_PAGE"]


def _matches(text: str, *columns):
    """Case-insensitive "contains" on any of `columns`; % and _ in the text match themselves."""
    return or_(*(func.lower(c).contains(text.lower(), autoescape=True) for c in columns))


def saved(obj, created: bool, done: str, url: str):
    """After an admin form's change to `obj`: the access-log row (created or changed), commit,
    say `done` and go to `url`."""
    db.session.flush()
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, obj=obj)
    db.session.commit()
    flash(done, "success")
    return redirect(url)


@bp.route("/")
@any_admin
def index():
    return render_template(
        "admin/index.html",
        organisations=access.is_system_admin(current_user),
        workplaces=access.admin.can_admin_workplaces(current_user),
        programmes=access.is_system_admin(current_user),
        sso_organisations=admin_sso.organisations_with_sso_pages(),
    )


# --- organisations -------------------------------------------------------------------------


@bp.route("/organisations")
@system_admin_only
def organisations():
    form = OrganisationSearchForm(request.args)
    query = select(Organisation)
    if form.validate():
        if form.q.data:
            query = query.where(_matches(form.q.data, Organisation.name, Organisation.code))
        if form.kind.data:
            query = query.where(Organisation.kind == form.kind.data)
    else:
        query = query.where(False)
    page = paginate(query.order_by(Organisation.name), _per_page(), entities=True)
    return render_template("admin/organisations.html", form=form, page=page)


@bp.route("/organisations/new", methods=["GET", "POST"])
@system_admin_only
def new_organisation():
    return _organisation_form(None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@system_admin_only
def edit_organisation(organisation_id: int):
    return _organisation_form(
        access.get_administered_organisation_or_404(organisation_id, current_user)
    )


def _organisation_form(organisation: Organisation | None):
    form = OrganisationForm(
        obj=organisation if request.method == "GET" else None,
        obj_id=organisation.id if organisation else None,
    )
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        created = organisation is None
        if created:
            organisation = Organisation()
            db.session.add(organisation)
        organisation.name = form.name.data
        organisation.kind = form.kind.data
        organisation.code = form.code.data
        organisation.active = form.active.data
        return saved(
            organisation, created, _("The organisation was saved."), url_for("admin.organisations")
        )
    return render_template("admin/organisation_form.html", form=form, organisation=organisation)


# --- workplaces ----------------------------------------------------------------------------


def _employer_choices() -> list[tuple[str, str]]:
    query = access.administered_organisations(current_user).where(
        Organisation.kind.in_([OrganisationKind.MUNICIPALITY, OrganisationKind.REGION])
    )
    return [(str(o.id), o.name) for o in db.session.execute(query).scalars()]


@bp.route("/workplaces")
@workplace_admins
def workplaces():
    form = WorkplaceSearchForm(request.args)
    form.organisation.choices = [("", _l("All organisations")), *_employer_choices()]
    query = access.administered_workplaces(current_user)
    if form.validate():
        if form.q.data:
            query = query.where(_matches(form.q.data, Workplace.name, Workplace.address))
        if form.kind.data:
            query = query.where(Workplace.kind == form.kind.data)
        if form.organisation.data:
            query = query.where(Workplace.organisation_id == int(form.organisation.data))
    else:
        query = query.where(False)
    query = query.options(joinedload(Workplace.organisation)).order_by(Workplace.name)
    page = paginate(query, _per_page(), entities=True)
    return render_template("admin/workplaces.html", form=form, page=page)


@bp.route("/workplaces/new", methods=["GET", "POST"])
@workplace_admins
def new_workplace():
    return _workplace_form(None)


@bp.route("/workplaces/<int:workplace_id>/edit", methods=["GET", "POST"])
@workplace_admins
def edit_workplace(workplace_id: int):
    return _workplace_form(access.get_administered_workplace_or_404(workplace_id, current_user))


def _workplace_form(workplace: Workplace | None):
    form = WorkplaceForm(
        obj=workplace if request.method == "GET" else None,
        obj_id=workplace.id if workplace else None,
        organisation_id=workplace.organisation_id if workplace else None,
    )
    form.organisation.choices = _employer_choices()
    if request.method == "GET" and workplace is not None:
        form.organisation.data = str(workplace.organisation_id)
        form.kind.data = workplace.kind.value
    if form.validate_on_submit():
        created = workplace is None
        if created:
            workplace = Workplace()
            db.session.add(workplace)
        workplace.organisation_id = int(form.organisation.data)
        workplace.name = form.name.data
        workplace.kind = form.kind.data
        workplace.address = form.address.data or ""
        workplace.active = form.active.data
        return saved(workplace, created, _("The workplace was saved."), url_for("admin.workplaces"))
    return render_template("admin/workplace_form.html", form=form, workplace=workplace)


# --- users ---------------------------------------------------------------------------------


def _membership_choices(form) -> None:
    """Roles the admin may give, in the organisations (and at the workplaces) they administer."""
    roles = admin_services.grantable_roles(current_user)
    form.role.choices = [(r.value, labels.ROLE[r]) for r in roles]
    orgs = db.session.execute(access.administered_organisations(current_user)).scalars().all()
    none = _l("No organisation (system administrator)") if Role.SYSTEM_ADMIN in roles else ""
    form.organisation.choices = [("", none)] + [(str(o.id), o.name) for o in orgs]
    workplaces = db.session.execute(
        access.administered_workplaces(current_user)
        .options(joinedload(Workplace.organisation))
        .order_by(Workplace.name)
    ).scalars()
    form.workplace.choices = [("", _l("No workplace"))] + [
        (str(w.id), f"{w.name} ({w.organisation.name})") for w in workplaces
    ]


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _add_membership(form, user: User | None) -> Membership | None:
    try:
        return admin_services.check_membership(
            current_user,
            user,
            Role(form.role.data),
            _int_or_none(form.organisation.data),
            _int_or_none(form.workplace.data),
        )
    except admin_services.MembershipError as error:
        getattr(form, error.field).errors.append(error.message)
        return None


@bp.route("/users")
@any_admin
def users():
    form = SearchForm(request.args)
    query = access.administered_users(current_user)
    if form.validate():
        if form.q.data:
            query = query.where(_matches(form.q.data, User.name, User.email))
    else:
        query = query.where(False)
    query = query.options(
        selectinload(User.memberships).joinedload(Membership.organisation),
        selectinload(User.memberships).joinedload(Membership.workplace),
    ).order_by(User.name)
    page = paginate(query, _per_page(), entities=True)
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@any_admin
def new_user():
    form = NewUserForm()
    _membership_choices(form)
    if form.validate_on_submit():
        membership = _add_membership(form, None)
        if membership is not None:
            # The hash of a random secret no one knows: nobody can log in with the account
            # until the user chooses a password through the invitation, and a login attempt
            # costs the same time as for any other account.
            user = User(
                name=form.name.data,
                email=form.email.data.lower(),
                password_hash=hash_password(secrets.token_urlsafe(32)),
            )
            user.memberships.append(membership)
            db.session.add(user)
            db.session.flush()
            audit.record(AuditAction.CREATE, obj=user)
            audit.record(AuditAction.CREATE, obj=membership)
            queue_invitation(user)
            db.session.commit()
            flash(_("The user was created, and an invitation was sent by e-mail."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@any_admin
def edit_user(user_id: int):
    user = access.get_administered_user_or_404(user_id, current_user)
    if request.method == "POST":
        access.admin.require_edit_account(current_user, user)
    form = EditUserForm(obj=user if request.method == "GET" else None, obj_id=user.id)
    if form.validate_on_submit():
        if user.id == current_user.id and not form.active.data:
            form.active.errors.append(_l("You cannot deactivate yourself."))
        else:
            user.name = form.name.data
            email = form.email.data.lower()
            if email != user.email or not form.active.data:
                # Links already mailed went to the old address, or the account is closed.
                tokens.revoke(user)
            user.email = email
            if user.active and not form.active.data:
                admin_services.end_sessions(user)
            user.active = form.active.data
            audit.record(AuditAction.UPDATE, obj=user)
            db.session.commit()
            flash(_("The user was saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    membership_form = MembershipFields(formdata=None)
    _membership_choices(membership_form)
    return _render_user(user, form, membership_form)


def _render_user(
    user: User,
    form: EditUserForm,
    membership_form: MembershipFields,
    reset_form: ResetTwoFactorForm | None = None,
):
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        membership_form=membership_form,
        reset_form=reset_form or ResetTwoFactorForm(formdata=None),
        two_factor_required=access.twofactor.requires_two_factor(user),
        manageable=access.admin.manageable_membership_ids(current_user, user),
        can_edit_account=access.can_edit_account(current_user, user),
        invitation=tokens.latest(user, TokenPurpose.INVITATION),
        now=utcnow(),
    )


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@any_admin
def send_invitation(user_id: int):
    """A new invitation link by mail (the older link stops working). It also serves a user
    who has forgotten their password: the admin never sets or sees a password."""
    user = access.get_administered_user_or_404(user_id, current_user)
    access.admin.require_edit_account(current_user, user)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(_("The user is deactivated. Activate the account first."), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    queue_invitation(user)
    audit.record(AuditAction.UPDATE, obj=user, criterion="invitation sent")
    db.session.commit()
    flash(_("A new invitation was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@any_admin
def reset_two_factor(user_id: int):
    """The user lost their phone (and recovery codes): after checking who is asking, the admin
    removes the two-factor secret and recovery codes and ends the user's sessions; the user
    sets two-factor login up again at the next login. Logged with how identity was checked."""
    user = access.get_administered_user_or_404(user_id, current_user)
    access.admin.require_edit_account(current_user, user)
    reset_form = ResetTwoFactorForm()
    if reset_form.validate_on_submit():
        two_factor.turn_off(user)
        ended = end_all_sessions(user)
        audit.record(
            AuditAction.UPDATE,
            obj=user,
            criterion=(
                f"two-factor login reset by an administrator; identity checked: "
                f"{reset_form.how.data}; login sessions ended: {ended}"
            ),
        )
        db.session.commit()
        flash(
            _("Two-factor login was reset. The user sets it up again at the next login."),
            "success",
        )
        if user.id == current_user.id:
            return redirect(url_for("auth.login"))
        return redirect(url_for("admin.edit_user", user_id=user.id))
    membership_form = MembershipFields(formdata=None)
    _membership_choices(membership_form)
    return _render_user(
        user, EditUserForm(formdata=None, obj=user, obj_id=user.id), membership_form, reset_form
    )


@bp.route("/users/<int:user_id>/memberships", methods=["POST"])
@any_admin
def add_membership(user_id: int):
    user = access.get_administered_user_or_404(user_id, current_user)
    membership_form = MembershipFields()
    _membership_choices(membership_form)
    if membership_form.validate_on_submit():
        membership = _add_membership(membership_form, user)
        if membership is not None:
            user.memberships.append(membership)
            db.session.flush()
            audit.record(AuditAction.CREATE, obj=membership)
            audit.record(AuditAction.UPDATE, obj=user)
            db.session.commit()
            flash(_("The role was added."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    # The account form shows the stored values, not the fields of this request.
    return _render_user(
        user, EditUserForm(formdata=None, obj=user, obj_id=user.id), membership_form
    )


@bp.route("/users/<int:user_id>/memberships/<int:membership_id>/delete", methods=["POST"])
@any_admin
def delete_membership(user_id: int, membership_id: int):
    user = access.get_administered_user_or_404(user_id, current_user)
    membership = access.admin.get_manageable_membership_or_404(current_user, user, membership_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if admin_services.is_own_last_system_admin_role(current_user, user, membership):
        flash(_("You cannot remove your own system administrator role."), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    audit.record(AuditAction.DELETE, obj=membership)
    audit.record(AuditAction.UPDATE, obj=user)
    user.memberships.remove(membership)
    db.session.commit()
    flash(_("The role was removed."), "success")
    # Without a role in the admin's organisations the user is no longer theirs to see.
    still_administered = db.session.execute(
        access.administered_users(current_user).where(User.id == user.id)
    ).first()
    if still_administered is None:
        return redirect(url_for("admin.users"))
    return redirect(url_for("admin.edit_user", user_id=user.id))


# --- support-need categories ------------------------------------------------------------------


@bp.route("/support-categories")
@system_admin_only
def support_categories():
    categories = (
        db.session.execute(
            select(SupportCategory).order_by(SupportCategory.position, SupportCategory.name)
        )
        .scalars()
        .all()
    )
    return render_template("admin/support_categories.html", categories=categories)


@bp.route("/support-categories/new", methods=["GET", "POST"])
@system_admin_only
def new_support_category():
    return _support_category_form(None)


@bp.route("/support-categories/<int:category_id>/edit", methods=["GET", "POST"])
@system_admin_only
def edit_support_category(category_id: int):
    return _support_category_form(db.get_or_404(SupportCategory, category_id))


def _support_category_form(category: SupportCategory | None):
    form = SupportCategoryForm(
        obj=category if request.method == "GET" else None,
        obj_id=category.id if category else None,
    )
    if form.validate_on_submit():
        created = category is None
        if created:
            last = db.session.execute(select(func.max(SupportCategory.position))).scalar()
            category = SupportCategory(position=(last or 0) + 1)
            db.session.add(category)
        form.populate_obj(category)
        category.name_en = form.name_en.data or ""
        return saved(
            category, created, _("The category was saved."), url_for("admin.support_categories")
        )
    return render_template("admin/support_category_form.html", form=form, category=category)
