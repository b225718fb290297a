"""The admin pages for API clients: make one (the token is shown once), list, revoke."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import ApiClient, Role
from tests.api.helpers import make_client
from tests.conftest import post


def _new(client, organisation, role="counsellor", scopes=("read",), name="Skoleadm. system"):
    return post(
        client,
        "/admin/api-clients/new",
        {"name": name, "organisation": str(organisation.id), "role": role, "scopes": list(scopes)},
    )


def test_a_school_admin_makes_a_client_and_sees_its_token_once(client, world, login_as):
    login_as(world.a.users[Role.SCHOOL_ADMIN])
    response = _new(client, world.a.school, scopes=("read", "write"))
    assert response.status_code == 200
    token = re.search(r'data-testid="api-token">([^<]+)<', response.get_data(as_text=True))[1]
    row = db.session.execute(select(ApiClient)).scalar_one()
    assert row.organisation_id == world.a.school.id and row.scope_set == {"read", "write"}
    assert row.role == Role.COUNSELLOR and row.created_by_id == world.a.users[Role.SCHOOL_ADMIN].id
    assert token not in row.token_hash
    listing = client.get("/admin/api-clients").get_data(as_text=True)
    assert "Skoleadm. system" in listing and row.token_prefix in listing and token not in listing
    # The token works at once, with the school's access.
    api = client.get("/api/v1/students", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert world.a.student.id in [s["id"] for s in api.get_json()["items"]]


def test_the_role_must_fit_the_organisation(client, world, login_as):
    login_as(world.system_admin)
    response = _new(client, world.a.municipality, role="counsellor")
    assert response.status_code == 200
    assert "Rollen passer ikke til organisationens type." in response.get_data(as_text=True)
    assert db.session.execute(select(ApiClient)).first() is None


def test_an_admin_cannot_make_a_client_for_another_organisation(client, world, login_as):
    login_as(world.a.users[Role.SCHOOL_ADMIN])
    response = _new(client, world.b.school)
    assert response.status_code == 200  # the form again: not a choice
    assert db.session.execute(select(ApiClient)).first() is None


def test_revoking_stops_the_token_and_another_organisations_admin_cannot(client, world, login_as):
    api_client, headers = make_client(world.a)
    login_as(world.b.users[Role.SCHOOL_ADMIN])
    assert post(client, f"/admin/api-clients/{api_client.id}/revoke").status_code == 404
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    post(client, "/logout")
    login_as(world.a.users[Role.SCHOOL_ADMIN])
    assert post(client, f"/admin/api-clients/{api_client.id}/revoke").status_code == 302
    assert client.get("/api/v1/students", headers=headers).status_code == 401
    db.session.refresh(api_client)
    assert api_client.revoked_at is not None


def test_the_service_user_is_not_among_the_admins_people(client, world, login_as):
    api_client, _headers = make_client(world.a)
    login_as(world.a.users[Role.SCHOOL_ADMIN])
    assert api_client.user.email not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{api_client.user_id}/edit").status_code == 404


def test_a_form_without_scopes_comes_back_with_the_message_and_what_was_typed(
    client, world, login_as
):
    login_as(world.a.users[Role.SCHOOL_ADMIN])
    response = _new(client, world.a.school, scopes=(), name="Mit system")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="error-scopes"' in page and "Vælg mindst én." in page
    assert 'value="Mit system"' in page
    assert 'href="#scopes-0"' in page and 'id="scopes-0"' in page  # the summary links to it
    assert db.session.execute(select(ApiClient)).first() is None
