"""Users and their roles: creating, editing, deactivating; which roles may be given where."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import (
    AuditAction,
    AuditEvent,
    LoginSession,
    Membership,
    OutboxMessage,
    Role,
    User,
)
from tests import factories
from tests.admin.support import error_next_to, read_form, sign_in, snapshot
from tests.conftest import PASSWORD, login, post

NEW_PASSWORD = "en-god-lang-kode"


def _new_user(client, **data):
    form = {
        "name": "Ny Kollega",
        "email": "ny.kollega@example.org",
        "role": "teacher",
        "organisation": "",
        "workplace": "",
    }
    form.update(data)
    return post(client, "/admin/users/new", form)


def _roles(db, user_id: int) -> list[tuple]:
    db.session.expire_all()
    return [
        (m.role, m.organisation_id, m.workplace_id)
        for m in db.session.get(User, user_id).memberships
    ]


def _audit(db, object_type: str) -> list[AuditAction]:
    query = select(AuditEvent.action).where(AuditEvent.object_type == object_type)
    return list(db.session.execute(query.order_by(AuditEvent.id)).scalars())


# --- creating and editing --------------------------------------------------------------------


def test_school_admin_creates_a_teacher_who_can_log_in(app, client, db, world):
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = _new_user(
        client, email="Ny.Kollega@Example.ORG", organisation=str(world.a.school.id)
    )
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    assert _roles(db, user.id) == [(Role.TEACHER, world.a.school.id, None)]
    assert _audit(db, "user_account") == [AuditAction.CREATE]
    assert _audit(db, "membership") == [AuditAction.CREATE]
    assert "an invitation was sent" in client.get(response.headers["Location"]).text
    # The new colleague gets an invitation to choose a password (tests/auth/test_invitations.py).
    invitation = db.session.execute(select(OutboxMessage)).scalar_one()
    assert (invitation.to_address, invitation.kind) == ("ny.kollega@example.org", "invitation")


def test_system_admin_creates_and_edits_a_user(client, db, world):
    sign_in(client, world.system_admin)
    response = _new_user(
        client,
        role="supervisor",
        organisation=str(world.b.municipality.id),
        workplace=str(world.b.workplace.id),
    )
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    assert _roles(db, user.id) == [(Role.SUPERVISOR, world.b.municipality.id, world.b.workplace.id)]
    form = read_form(client.get(f"/admin/users/{user.id}/edit").text)
    assert form.values["name"] == "Ny Kollega" and form.values["active"] is True
    assert "password" not in form.values  # admins never set passwords

    response = post(
        client,
        f"/admin/users/{user.id}/edit",
        {"name": "Ny Kollega Hansen", "email": "NK@Example.org", "active": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.email, user.active) == ("Ny Kollega Hansen", "nk@example.org", True)
    assert _audit(db, "user_account") == [AuditAction.CREATE, AuditAction.UPDATE]


def test_a_new_system_administrator_belongs_to_no_organisation(client, db, world):
    sign_in(client, world.system_admin)
    response = _new_user(client, role="system_admin", organisation=str(world.a.school.id))
    assert "belongs to no organisation" in error_next_to(response.text, "organisation")
    response = _new_user(client, role="system_admin")
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    assert _roles(db, user.id) == [(Role.SYSTEM_ADMIN, None, None)]


def test_municipality_admin_creates_users_in_their_own_municipality_only(client, db, world):
    sign_in(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    page = client.get("/admin/users/new").text
    assert "system_admin" not in page  # the role is not offered
    before = snapshot()
    for data, field, message in [
        ({"organisation": str(world.b.municipality.id)}, "organisation", "Not a valid choice."),
        ({"organisation": str(world.a.school.id)}, "organisation", "Not a valid choice."),
        ({"role": "system_admin"}, "role", "Not a valid choice."),
        ({"role": "teacher"}, "organisation", "does not fit this kind of organisation"),
        ({"organisation": ""}, "organisation", "Choose an organisation you administer."),
    ]:
        form = {"role": "training_coordinator", "organisation": str(world.a.municipality.id)}
        response = _new_user(client, **{**form, **data})
        assert response.status_code == 200, data
        assert message in (error_next_to(response.text, field) or ""), data
    assert snapshot() == before
    response = _new_user(
        client, role="training_coordinator", organisation=str(world.a.municipality.id)
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "workplace, error",
    [("", True), ("b", True), ("a", False)],
    ids=["no workplace", "other municipality's workplace", "own workplace"],
)
def test_a_supervisor_needs_a_workplace_of_the_chosen_organisation(
    client, db, world, workplace, error
):
    sign_in(client, world.system_admin)
    wp = {"": "", "a": str(world.a.workplace.id), "b": str(world.b.workplace.id)}[workplace]
    response = _new_user(
        client, role="supervisor", organisation=str(world.a.municipality.id), workplace=wp
    )
    if error:
        assert response.status_code == 200
        message = error_next_to(response.text, "workplace")
        assert "needs a workplace in the chosen organisation" in message
        assert read_form(response.text).values["role"] == "supervisor"  # the choice is kept
    else:
        assert response.status_code == 302


def test_only_a_supervisor_has_a_workplace(client, db, world):
    sign_in(client, world.system_admin)
    response = _new_user(
        client,
        role="training_coordinator",
        organisation=str(world.a.municipality.id),
        workplace=str(world.a.workplace.id),
    )
    assert "Only a practice supervisor has a workplace." in error_next_to(
        response.text, "workplace"
    )


def test_e_mail_is_unique_ignoring_case(client, db, world):
    sign_in(client, world.system_admin)
    before = snapshot()
    response = _new_user(client, email="Teacher.A@EXAMPLE.org", organisation=str(world.a.school.id))
    assert "A user with this e-mail already exists." in error_next_to(response.text, "email")
    teacher_b = world.user(Role.TEACHER, "b")
    response = post(
        client,
        f"/admin/users/{teacher_b.id}/edit",
        {"name": teacher_b.name, "email": "TEACHER.A@example.org", "active": "y"},
    )
    assert "A user with this e-mail already exists." in error_next_to(response.text, "email")
    assert snapshot() == before


# --- roles -----------------------------------------------------------------------------------


def test_adding_and_removing_roles(client, db, world):
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    teacher = world.user(Role.TEACHER, "a")
    url = f"/admin/users/{teacher.id}/memberships"
    response = post(client, url, {"role": "counsellor", "organisation": str(world.a.school.id)})
    assert response.status_code == 302
    assert "The role was added." in client.get(response.headers["Location"]).text
    assert _roles(db, teacher.id) == [
        (Role.TEACHER, world.a.school.id, None),
        (Role.COUNSELLOR, world.a.school.id, None),
    ]
    before = snapshot()
    response = post(client, url, {"role": "counsellor", "organisation": str(world.a.school.id)})
    assert response.status_code == 200
    assert "The user already has this role there." in error_next_to(response.text, "role")
    assert snapshot() == before

    counsellor = db.session.execute(
        select(Membership).filter_by(user_id=teacher.id, role=Role.COUNSELLOR)
    ).scalar_one()
    response = post(client, f"/admin/users/{teacher.id}/memberships/{counsellor.id}/delete")
    assert response.status_code == 302
    assert "The role was removed." in client.get(response.headers["Location"]).text
    assert _roles(db, teacher.id) == [(Role.TEACHER, world.a.school.id, None)]
    assert _audit(db, "membership") == [AuditAction.CREATE, AuditAction.DELETE]


def test_removing_a_users_last_role_in_the_organisation_returns_to_the_list(client, db, world):
    teacher = world.user(Role.TEACHER, "a")
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    url = f"/admin/users/{teacher.id}/memberships/{teacher.memberships[0].id}/delete"
    response = post(client, url)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = client.get("/admin/users").text
    assert "The role was removed." in page and teacher.email not in page
    assert client.get(f"/admin/users/{teacher.id}/edit").status_code == 404
    assert _roles(db, teacher.id) == []


def test_a_failed_role_keeps_the_account_form_as_stored(client, db, world):
    """The account form below a refused role shows the stored values (active stays ticked)."""
    teacher = world.user(Role.TEACHER, "a")
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(client, f"/admin/users/{teacher.id}/memberships", {"role": "wizard"})
    assert response.status_code == 200
    form = read_form(response.text)
    assert form.values["name"] == teacher.name and form.values["email"] == teacher.email
    assert form.values["active"] is True
    assert "Not a valid choice." in error_next_to(response.text, "role")


def test_nobody_removes_their_own_system_administrator_role(client, db, world):
    second = factories.user(Role.SYSTEM_ADMIN, email="anden.admin@example.org")
    db.session.commit()
    sign_in(client, world.system_admin)
    own = world.system_admin.memberships[0]
    before = snapshot()
    response = post(client, f"/admin/users/{world.system_admin.id}/memberships/{own.id}/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "You cannot remove your own system administrator role." in page
    assert snapshot() == before
    # Another system administrator's role can be removed.
    theirs = second.memberships[0]
    response = post(client, f"/admin/users/{second.id}/memberships/{theirs.id}/delete")
    assert response.status_code == 302
    assert _roles(db, second.id) == []


def test_org_admin_cannot_take_over_an_account_that_also_works_elsewhere(client, db, world):
    shared = factories.user(Role.TEACHER, world.a.school, email="delt@example.org")
    shared.memberships.append(Membership(role=Role.SYSTEM_ADMIN))
    db.session.commit()
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    page = client.get(f"/admin/users/{shared.id}/edit")
    assert page.status_code == 200 and 'data-testid="account-read-only"' in page.text
    before = snapshot()
    response = post(
        client,
        f"/admin/users/{shared.id}/edit",
        {
            "name": "Overtaget",
            "email": "angriber@example.org",
            "active": "y",
            "password": "en-helt-ny-kode-123",
            "confirm": "en-helt-ny-kode-123",
        },
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- deactivation and passwords --------------------------------------------------------------


def _open_sessions(db, user: User) -> int:
    query = select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    return len(db.session.execute(query).all())


def test_deactivating_a_user_logs_them_out_at_once(app, client, db, world):
    teacher = world.user(Role.TEACHER, "a")
    teacher_client = app.test_client()
    login(teacher_client, teacher)
    assert teacher_client.get("/students/").status_code == 200
    assert _open_sessions(db, teacher) == 1

    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(
        client, f"/admin/users/{teacher.id}/edit", {"name": teacher.name, "email": teacher.email}
    )  # "active" unticked
    assert response.status_code == 302
    assert _open_sessions(db, teacher) == 0
    response = teacher_client.get("/students/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    refused = post(app.test_client(), "/login", {"email": teacher.email, "password": PASSWORD})
    assert refused.status_code == 200


def test_an_admin_cannot_set_a_password(app, client, db, world):
    """A password posted to the edit form is ignored: the user keeps theirs and their sessions."""
    teacher = world.user(Role.TEACHER, "a")
    teacher_client = app.test_client()
    login(teacher_client, teacher)
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(
        client,
        f"/admin/users/{teacher.id}/edit",
        {
            "name": teacher.name,
            "email": teacher.email,
            "active": "y",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert teacher_client.get("/students/").status_code == 200
    fresh = app.test_client()
    assert (
        post(fresh, "/login", {"email": teacher.email, "password": NEW_PASSWORD}).status_code == 200
    )
    login(fresh, teacher, PASSWORD)


def test_an_admin_cannot_deactivate_themselves(client, db, world):
    admin = world.user(Role.SCHOOL_ADMIN, "a")
    sign_in(client, admin)
    before = snapshot()
    response = post(
        client, f"/admin/users/{admin.id}/edit", {"name": "Nyt Navn", "email": admin.email}
    )
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in error_next_to(response.text, "active")
    assert read_form(response.text).values["name"] == "Nyt Navn"
    assert snapshot() == before
    assert client.get("/admin/").status_code == 200  # still logged in


# --- the list --------------------------------------------------------------------------------


def test_the_list_searches_by_name_or_e_mail_and_shows_roles(client, db, world):
    sign_in(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    page = client.get("/admin/users").text
    supervisor = world.user(Role.SUPERVISOR, "a")
    assert supervisor.email in page and "Practice supervisor, Kommune A (Plejecenter A)" in page
    assert world.user(Role.TEACHER, "a").email not in page  # a school's staff: not theirs
    page = client.get("/admin/users?q=SUPERVISOR.a").text
    assert supervisor.email in page and world.user(Role.TRAINING_COORDINATOR).email not in page
    page = client.get(f"/admin/users?q={supervisor.name.lower()}").text
    assert supervisor.email in page and "1 result" in page
