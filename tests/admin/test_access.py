"""Who reaches which admin page: role gates (403), organisation scope (404), login, CSRF."""

from __future__ import annotations

import pytest

from app.models import Membership, Role
from tests import factories
from tests.admin.support import sign_in, snapshot
from tests.conftest import csrf_token, post


def _admin_urls(world, side=None):
    """Every admin URL of this area with its methods, aimed at `side`'s objects."""
    side = side or world.a
    user = side.users[Role.TRAINING_COORDINATOR]
    membership = user.memberships[0].id
    return [
        ("GET", "/admin/"),
        ("GET", "/admin/organisations"),
        ("GET", "/admin/organisations/new"),
        ("POST", "/admin/organisations/new"),
        ("GET", f"/admin/organisations/{side.municipality.id}/edit"),
        ("POST", f"/admin/organisations/{side.municipality.id}/edit"),
        ("GET", "/admin/workplaces"),
        ("GET", "/admin/workplaces/new"),
        ("POST", "/admin/workplaces/new"),
        ("GET", f"/admin/workplaces/{side.workplace.id}/edit"),
        ("POST", f"/admin/workplaces/{side.workplace.id}/edit"),
        ("GET", "/admin/users"),
        ("GET", "/admin/users/new"),
        ("POST", "/admin/users/new"),
        ("GET", f"/admin/users/{user.id}/edit"),
        ("POST", f"/admin/users/{user.id}/edit"),
        ("POST", f"/admin/users/{user.id}/memberships"),
        ("POST", f"/admin/users/{user.id}/memberships/{membership}/delete"),
    ]


def _send(client, method, url):
    return client.get(url) if method == "GET" else post(client, url, {})


@pytest.mark.parametrize(
    "role",
    [Role.COUNSELLOR, Role.TEACHER, Role.TRAINING_COORDINATOR, Role.SUPERVISOR, Role.ANALYST],
    ids=lambda r: r.value,
)
def test_staff_without_an_admin_role_get_403_on_every_admin_page(client, world, role):
    sign_in(client, world.user(role))
    before = snapshot()
    answers = {f"{m} {url}": _send(client, m, url).status_code for m, url in _admin_urls(world)}
    assert set(answers.values()) == {403}, answers
    assert snapshot() == before
    assert 'href="/admin/"' not in client.get("/", follow_redirects=True).text


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for method, url in _admin_urls(world):
        response = _send(client, method, url)
        assert response.status_code == 302, f"{method} {url}"
        assert response.headers["Location"].startswith("/login"), f"{method} {url}"


def test_school_admin_gets_403_on_workplaces_and_organisations(client, world):
    sign_in(client, world.user(Role.SCHOOL_ADMIN))
    for method, url in _admin_urls(world):
        if "/workplaces" in url or "/organisations" in url:
            assert _send(client, method, url).status_code == 403, f"{method} {url}"


def test_municipality_admin_gets_403_on_organisations(client, world):
    sign_in(client, world.user(Role.MUNICIPALITY_ADMIN))
    for method, url in _admin_urls(world):
        if "/organisations" in url:
            assert _send(client, method, url).status_code == 403, f"{method} {url}"


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN], ids=str)
def test_org_admin_gets_404_for_the_other_organisations_objects(client, world, role):
    """Kommune A's admin cannot reach Kommune B's workplace or users, nor say they exist."""
    sign_in(client, world.user(role, "a"))
    before = snapshot()
    b = world.b
    user_b = b.users[Role.TEACHER if role is Role.SCHOOL_ADMIN else Role.TRAINING_COORDINATOR]
    urls = [
        ("GET", f"/admin/users/{user_b.id}/edit"),
        ("POST", f"/admin/users/{user_b.id}/edit"),
        ("POST", f"/admin/users/{user_b.id}/memberships"),
        ("POST", f"/admin/users/{user_b.id}/memberships/{user_b.memberships[0].id}/delete"),
        ("GET", "/admin/users/999999/edit"),
    ]
    if role is Role.MUNICIPALITY_ADMIN:
        urls += [
            ("GET", f"/admin/workplaces/{b.workplace.id}/edit"),
            ("POST", f"/admin/workplaces/{b.workplace.id}/edit"),
            ("GET", "/admin/workplaces/999999/edit"),
        ]
    for method, url in urls:
        response = _send(client, method, url)
        assert response.status_code == 404, f"{method} {url}"
        assert user_b.email not in response.text and b.workplace.name not in response.text
    assert snapshot() == before
    # ...and the lists do not show them either.
    own = world.a.users[Role.TEACHER if role is Role.SCHOOL_ADMIN else Role.TRAINING_COORDINATOR]
    users = client.get("/admin/users").text
    assert own.email in users and user_b.email not in users


def test_org_admin_cannot_remove_a_role_held_in_another_organisation(client, db, world):
    """A teacher at both schools: school A's admin sees the user, but not the B role's button."""
    shared = factories.user(Role.TEACHER, world.a.school, email="begge@example.org")
    shared.memberships.append(Membership(role=Role.TEACHER, organisation=world.b.school))
    db.session.commit()
    role_b = shared.memberships[1]
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    page = client.get(f"/admin/users/{shared.id}/edit").text
    assert f"/memberships/{shared.memberships[0].id}/delete" in page
    assert f"/memberships/{role_b.id}/delete" not in page
    url = f"/admin/users/{shared.id}/memberships/{role_b.id}/delete"
    assert post(client, url).status_code == 404
    db.session.refresh(shared)
    assert len(shared.memberships) == 2


@pytest.mark.parametrize(
    "role, sections",
    [
        (Role.SYSTEM_ADMIN, ["organisations", "workplaces", "users", "programmes"]),
        (Role.MUNICIPALITY_ADMIN, ["workplaces", "users"]),
        (Role.SCHOOL_ADMIN, ["users"]),
    ],
    ids=str,
)
def test_admin_start_page_links_to_the_sections_the_user_may_use(client, world, role, sections):
    sign_in(client, world.user(role))
    page = client.get("/admin/")
    assert page.status_code == 200
    for section in ["organisations", "workplaces", "users", "programmes"]:
        assert (f'href="/admin/{section}"' in page.text) == (section in sections), section


def test_every_admin_form_refuses_a_post_without_csrf_token(client, db, world):
    sign_in(client, world.system_admin)
    a = world.a
    teacher = a.users[Role.TEACHER]
    forms = {
        "/admin/organisations/new": {"name": "Uden token", "kind": "school", "code": "UT1"},
        f"/admin/organisations/{a.school.id}/edit": {
            "name": "Omdøbt",
            "kind": "school",
            "code": "OM1",
        },
        "/admin/workplaces/new": {
            "organisation": str(a.municipality.id),
            "name": "Uden token",
            "kind": "care_home",
        },
        f"/admin/workplaces/{a.workplace.id}/edit": {
            "organisation": str(a.municipality.id),
            "name": "Omdøbt",
            "kind": "care_home",
        },
        "/admin/users/new": {
            "name": "Uden Token",
            "email": "uden.token@example.org",
            "password": "en-god-lang-kode",
            "confirm": "en-god-lang-kode",
            "role": "teacher",
            "organisation": str(a.school.id),
        },
        f"/admin/users/{teacher.id}/edit": {"name": "Omdøbt", "email": teacher.email},
        f"/admin/users/{teacher.id}/memberships": {
            "role": "counsellor",
            "organisation": str(a.school.id),
        },
        f"/admin/users/{teacher.id}/memberships/{teacher.memberships[0].id}/delete": {},
    }
    before = snapshot()
    for url, data in forms.items():
        assert client.post(url, data=data).status_code == 400, url
        wrong = {**data, "csrf_token": "not-a-token"}
        assert client.post(url, data=wrong).status_code == 400, url
    assert snapshot() == before
    # With the token the same form goes through: the 400s above were the token's doing.
    data = {**forms["/admin/organisations/new"], "csrf_token": csrf_token(client)}
    assert client.post("/admin/organisations/new", data=data).status_code == 302
