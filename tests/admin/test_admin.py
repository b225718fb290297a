"""Administration of organisations, workplaces and users."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditAction,
    AuditEvent,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
    Workplace,
)
from tests import factories
from tests.conftest import PASSWORD, login, post

BAD_TEXT = [
    ("", "Udfyld feltet."),
    ("x" * 121, "Må højst være 120 tegn."),
    ("<script>alert(1)</script>", "Må ikke indeholde"),
    ("{{7*7}}", "Må ikke indeholde"),
]


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- organisations ---------------------------------------------------------------------------


def test_system_admin_creates_and_edits_an_organisation(client, db, world):
    login(client, world.system_admin)
    response = post(
        client,
        "/admin/organisations/new",
        {"name": "Kolding Kommune", "kind": "municipality", "code": "621", "active": "y"},
    )
    assert response.status_code == 302
    org = db.session.execute(select(Organisation).filter_by(code="621")).scalar_one()
    assert org.kind == OrganisationKind.MUNICIPALITY
    response = post(
        client,
        f"/admin/organisations/{org.id}/edit",
        {"name": "Kolding Kommune (ny)", "kind": "municipality", "code": "621"},
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name == "Kolding Kommune (ny)" and org.active is False
    assert "Kolding Kommune (ny)" in client.get("/admin/organisations?q=kolding").text
    actions = (
        db.session.execute(
            select(AuditEvent.action).where(AuditEvent.object_type == "organisation")
        )
        .scalars()
        .all()
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.parametrize("name, message", BAD_TEXT)
def test_organisation_form_rejects_bad_names(client, db, world, name, message):
    login(client, world.system_admin)
    before = _count(db, Organisation)
    response = post(
        client, "/admin/organisations/new", {"name": name, "kind": "school", "code": "X1"}
    )
    assert response.status_code == 200
    assert 'data-testid="error-name"' in response.text and message in response.text
    assert ">49<" not in response.text
    if name and len(name) < 50:
        assert 'value="' + name.replace("<", "&lt;").replace(">", "&gt;") in response.text
    assert _count(db, Organisation) == before


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "planet"}, "kind", "Ugyldigt valg."),
        ({"code": "a b"}, "code", "Brug kun bogstaver, cifre og -."),
        ({"name": "SOSU-skole A"}, "name", "Der findes allerede en organisation med dette navn."),
    ],
)
def test_organisation_form_rejects_wrong_values(client, db, world, data, field, message):
    login(client, world.system_admin)
    before = _count(db, Organisation)
    form = {"name": "Ny skole", "kind": "school", "code": "NY1", **data}
    response = post(client, "/admin/organisations/new", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert _count(db, Organisation) == before


def test_form_without_csrf_token_is_refused_and_stores_nothing(client, db, world):
    login(client, world.system_admin)
    before = _count(db, Organisation)
    response = client.post(
        "/admin/organisations/new", data={"name": "Uden token", "kind": "school", "code": "UT1"}
    )
    assert response.status_code == 400
    assert _count(db, Organisation) == before


# --- workplaces ------------------------------------------------------------------------------


def test_municipality_admin_manages_own_workplaces_only(client, db, world):
    admin = world.user(Role.MUNICIPALITY_ADMIN, "a")
    login(client, admin)
    page = client.get("/admin/workplaces").text
    assert world.a.workplace.name in page and world.b.workplace.name not in page
    response = post(
        client,
        "/admin/workplaces/new",
        {
            "organisation": str(world.a.municipality.id),
            "name": "Hjemmeplejen Vest",
            "kind": "home_care",
            "address": "Vestergade 1",
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(Workplace).filter_by(name="Hjemmeplejen Vest")).scalar_one()
    # Another municipality's workplace: not offered, not reachable.
    response = post(
        client,
        "/admin/workplaces/new",
        {"organisation": str(world.b.municipality.id), "name": "Snyd", "kind": "home_care"},
    )
    assert response.status_code == 200 and "Ugyldigt valg." in response.text
    assert client.get(f"/admin/workplaces/{world.b.workplace.id}/edit").status_code == 404
    assert client.get("/admin/organisations").status_code == 403


def test_school_admin_cannot_manage_workplaces(client, world):
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    assert client.get("/admin/workplaces").status_code == 403
    assert client.get(f"/admin/workplaces/{world.a.workplace.id}/edit").status_code == 403


@pytest.mark.parametrize("name, message", BAD_TEXT)
def test_workplace_form_rejects_bad_names(client, db, world, name, message):
    login(client, world.system_admin)
    before = _count(db, Workplace)
    response = post(
        client,
        "/admin/workplaces/new",
        {"organisation": str(world.a.municipality.id), "name": name, "kind": "care_home"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-name"' in response.text and message in response.text
    assert _count(db, Workplace) == before


@pytest.mark.parametrize(
    "data, field",
    [
        ({"organisation": "abc"}, "organisation"),
        ({"kind": "castle"}, "kind"),
        ({"address": "<b>" * 10}, "address"),
        ({"name": "Plejecenter A"}, "name"),  # already exists in Kommune A
    ],
)
def test_workplace_form_rejects_wrong_values(client, db, world, data, field):
    login(client, world.system_admin)
    before = _count(db, Workplace)
    form = {
        "organisation": str(world.a.municipality.id),
        "name": "Nyt sted",
        "kind": "care_home",
        **data,
    }
    response = post(client, "/admin/workplaces/new", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text
    assert _count(db, Workplace) == before


# --- users -----------------------------------------------------------------------------------


def _new_user(client, **data):
    form = {
        "name": "Ny Kollega",
        "email": "ny.kollega@example.org",
        "password": "en-god-lang-kode",
        "confirm": "en-god-lang-kode",
        "role": "teacher",
        "organisation": "",
        "workplace": "",
    }
    form.update(data)
    return post(client, "/admin/users/new", form)


def test_school_admin_creates_a_teacher_who_can_log_in(app, client, db, world):
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = _new_user(client, organisation=str(world.a.school.id))
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    assert [(m.role, m.organisation_id) for m in user.memberships] == [
        (Role.TEACHER, world.a.school.id)
    ]
    other = app.test_client()
    assert (
        post(other, "/login", {"email": user.email, "password": "en-god-lang-kode"}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": ""}, "name", "Udfyld feltet."),
        ({"name": "<script>x</script>"}, "name", "Må ikke indeholde"),
        ({"email": "ikke-en-mail"}, "email", "Ugyldig e-mailadresse."),
        ({"email": "TEACHER.A@example.org"}, "email", "Der findes allerede en bruger"),
        ({"password": "kort", "confirm": "kort"}, "password", "Adgangskoden skal være 12 til 200"),
        ({"confirm": "noget-andet-helt"}, "confirm", "De to adgangskoder er ikke ens."),
        ({"role": "system_admin"}, "role", "Ugyldigt valg."),
        ({"role": "supervisor"}, "organisation", "Rollen passer ikke"),
        ({"organisation": "9999"}, "organisation", "Ugyldigt valg."),
    ],
)
def test_new_user_form_rejects_bad_input(client, db, world, data, field, message):
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    before = _count(db, User)
    response = _new_user(client, **{"organisation": str(world.a.school.id), **data})
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text
    assert message in response.text
    assert "en-god-lang-kode" not in response.text  # passwords are never sent back
    assert _count(db, User) == before


def test_org_admin_cannot_give_roles_in_other_organisations(client, db, world):
    login(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    response = _new_user(
        client, role="training_coordinator", organisation=str(world.b.municipality.id)
    )
    assert response.status_code == 200 and "Ugyldigt valg." in response.text
    teacher_b = world.user(Role.TEACHER, "b")
    assert client.get(f"/admin/users/{teacher_b.id}/edit").status_code == 404


def test_supervisor_role_needs_a_workplace_of_the_organisation(client, db, world):
    login(client, world.system_admin)
    base = {"role": "supervisor", "organisation": str(world.a.municipality.id)}
    response = _new_user(client, **base)
    assert "En oplæringsvejleder skal have et oplæringssted" in response.text
    response = _new_user(client, **base, workplace=str(world.b.workplace.id))
    assert "En oplæringsvejleder skal have et oplæringssted" in response.text
    response = _new_user(client, **base, workplace=str(world.a.workplace.id))
    assert response.status_code == 302


def test_adding_and_removing_roles(client, db, world):
    login(client, world.system_admin)
    teacher = world.user(Role.TEACHER, "a")
    url = f"/admin/users/{teacher.id}/memberships"
    response = post(client, url, {"role": "counsellor", "organisation": str(world.a.school.id)})
    assert response.status_code == 302
    response = post(client, url, {"role": "counsellor", "organisation": str(world.a.school.id)})
    assert "Brugeren har allerede denne rolle der." in response.text
    db.session.expire_all()
    membership = next(
        m for m in db.session.get(User, teacher.id).memberships if m.role == Role.COUNSELLOR
    )
    post(client, f"/admin/users/{teacher.id}/memberships/{membership.id}/delete")
    db.session.expire_all()
    assert [m.role for m in db.session.get(User, teacher.id).memberships] == [Role.TEACHER]


def test_deactivating_a_user_logs_them_out_at_once(app, client, db, world):
    teacher = world.user(Role.TEACHER, "a")
    teacher_client = app.test_client()
    login(teacher_client, teacher)
    assert teacher_client.get("/students/").status_code == 200

    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(
        client, f"/admin/users/{teacher.id}/edit", {"name": teacher.name, "email": teacher.email}
    )  # "active" unticked
    assert response.status_code == 302
    response = teacher_client.get("/students/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert (
        post(
            app.test_client(), "/login", {"email": teacher.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_admin_cannot_deactivate_themselves(client, db, world):
    admin = world.user(Role.SCHOOL_ADMIN, "a")
    login(client, admin)
    response = post(
        client, f"/admin/users/{admin.id}/edit", {"name": admin.name, "email": admin.email}
    )
    assert "Du kan ikke deaktivere dig selv." in response.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_user_list_runs_a_bounded_number_of_queries(client, db, world, count_queries):
    login(client, world.system_admin)
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(12):
        factories.user(Role.SUPERVISOR, world.a.municipality, world.a.workplace)
    db.session.commit()
    with count_queries() as many:
        response = client.get("/admin/users")
    assert response.status_code == 200
    assert many.count == few.count
    assert _count(db, Membership) > 25


def test_org_admin_cannot_take_over_an_account_that_also_works_elsewhere(client, db, world):
    shared = factories.user(Role.TEACHER, world.a.school, email="delt@example.org")
    shared.memberships.append(Membership(role=Role.SYSTEM_ADMIN))
    db.session.commit()
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    page = client.get(f"/admin/users/{shared.id}/edit")
    assert page.status_code == 200 and 'data-testid="account-read-only"' in page.text
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
    db.session.refresh(shared)
    assert shared.email == "delt@example.org" and shared.name != "Overtaget"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "ikke-en-mail"}, "email", "Ugyldig e-mailadresse."),
        ({"name": "{{7*7}}"}, "name", "Må ikke indeholde"),
        ({"name": ""}, "name", "Udfyld feltet."),
        ({"password": "kort", "confirm": "kort"}, "password", "Adgangskoden skal være 12 til 200"),
    ],
)
def test_edit_user_form_rejects_bad_input(client, db, world, data, field, message):
    teacher = world.user(Role.TEACHER, "a")
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    form = {"name": teacher.name, "email": teacher.email, "active": "y", **data}
    response = post(client, f"/admin/users/{teacher.id}/edit", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    db.session.refresh(teacher)
    assert teacher.email == "teacher.a@example.org" and teacher.name.startswith("Testbruger")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"role": "wizard"}, "role"),
        ({"role": "counsellor", "organisation": "<script>"}, "organisation"),
        ({"role": "supervisor", "organisation": "", "workplace": "1"}, "workplace"),
    ],
)
def test_add_role_form_rejects_bad_input(client, db, world, data, field):
    teacher = world.user(Role.TEACHER, "a")
    login(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(
        client,
        f"/admin/users/{teacher.id}/memberships",
        {"organisation": "", "workplace": "", **data},
    )
    assert response.status_code == 200
    assert 'data-testid="error-' in response.text
    db.session.refresh(teacher)
    assert [m.role for m in teacher.memberships] == [Role.TEACHER]
