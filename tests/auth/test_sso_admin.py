"""An organisation's admin configures its single sign-on; the secret is never shown back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditAction, AuditEvent, OrganisationSso, Role
from tests.admin.support import error_next_to, read_form, sign_in
from tests.auth.test_sso import configure, provider, sso_login  # noqa: F401 (fixture)
from tests.conftest import PASSWORD, post

SECRET = "s3cret-from-the-broker-0123456789"


def _form(**values) -> dict:
    data = {
        "enabled": "y",
        "provider_name": "MitID Erhverv",
        "issuer": "https://broker.example.dk/realms/kommune",
        "client_id": "elevsag",
        "client_secret": SECRET,
        "scopes": "openid email profile",
        "provider_mfa": "y",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def _config(db, organisation) -> OrganisationSso | None:
    query = select(OrganisationSso).where(OrganisationSso.organisation_id == organisation.id)
    return db.session.execute(query).scalar_one_or_none()


@pytest.fixture
def admin_client(client, world):
    return sign_in(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))


def test_municipality_admin_finds_and_saves_the_settings(admin_client, db, world):
    municipality = world.a.municipality
    url = f"/admin/organisations/{municipality.id}/sso"
    index = admin_client.get("/admin/").text
    assert f'href="{url}"' in index

    page = admin_client.get(url)
    assert page.status_code == 200
    # The addresses to register with the broker.
    assert f"https://elevsag.test/login/sso/{municipality.id}/callback" in page.text

    response = post(admin_client, url, _form(required="y"))
    assert response.status_code == 302
    config = _config(db, municipality)
    assert config.issuer == "https://broker.example.dk/realms/kommune"
    assert config.client_secret == SECRET
    assert config.required and config.provider_mfa and config.enabled
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "organisation_sso")
    ).scalar_one()
    assert event.action == AuditAction.CREATE

    again = admin_client.get(url).text
    assert SECRET not in again  # never shown back
    assert "A secret is saved. Leave the field empty to keep it." in again
    assert read_form(again).values["issuer"] == "https://broker.example.dk/realms/kommune"


def test_empty_secret_keeps_the_saved_one(admin_client, db, world):
    url = f"/admin/organisations/{world.a.municipality.id}/sso"
    post(admin_client, url, _form())
    response = post(admin_client, url, _form(client_secret="", provider_name="Entra ID"))
    assert response.status_code == 302
    config = _config(db, world.a.municipality)
    assert config.client_secret == SECRET and config.provider_name == "Entra ID"


def test_first_save_needs_a_secret(admin_client, db, world):
    url = f"/admin/organisations/{world.a.municipality.id}/sso"
    response = post(admin_client, url, _form(client_secret=""))
    assert response.status_code == 200
    assert error_next_to(response.text, "client_secret").endswith("Please fill in this field.")
    assert _config(db, world.a.municipality) is None


@pytest.mark.parametrize(
    "issuer",
    [
        "http://broker.example.dk",  # plain http to another machine
        "broker.example.dk",
        "javascript:alert(1)",
        "https://",
        "https://broker.example.dk/?next=x",
        "https://user:pw@broker.example.dk",
    ],
)
def test_issuer_must_be_an_https_address(admin_client, db, world, issuer):
    url = f"/admin/organisations/{world.a.municipality.id}/sso"
    response = post(admin_client, url, _form(issuer=issuer))
    assert response.status_code == 200
    assert error_next_to(response.text, "issuer")
    form = read_form(response.text)
    assert form.values["issuer"] == issuer  # what was typed is kept
    assert form.values["client_id"] == "elevsag"
    assert SECRET not in response.text  # not even the secret just typed
    assert _config(db, world.a.municipality) is None


def test_loopback_http_issuer_only_where_the_configuration_allows(app, admin_client, db, world):
    url = f"/admin/organisations/{world.a.municipality.id}/sso"
    app.config["SSO_ALLOW_LOOPBACK_HTTP"] = False
    response = post(admin_client, url, _form(issuer="http://127.0.0.1:8080"))
    assert error_next_to(response.text, "issuer")
    app.config["SSO_ALLOW_LOOPBACK_HTTP"] = True
    assert post(admin_client, url, _form(issuer="http://127.0.0.1:8080")).status_code == 302


def test_scopes_must_ask_for_the_email(admin_client, db, world):
    url = f"/admin/organisations/{world.a.municipality.id}/sso"
    response = post(admin_client, url, _form(scopes="openid profile"))
    assert error_next_to(response.text, "scopes").endswith(
        "The scopes must include openid and email."
    )
    response = post(admin_client, url, _form(scopes="openid email <b>"))
    assert error_next_to(response.text, "scopes")


def test_danish_page(client, world):
    client = sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    with client.session_transaction() as session:
        session["locale"] = "da"
    page = client.get(f"/admin/organisations/{world.a.school.id}/sso").text
    assert "Login-tjenestens navn" in page and "Klienthemmelighed" in page


def test_settings_saved_on_the_page_let_staff_log_in(client, db, world, provider):  # noqa: F811
    """From the admin page to a working login against the real provider."""
    admin = world.user(Role.MUNICIPALITY_ADMIN, "a")
    sign_in(client, admin)
    municipality = world.a.municipality
    form = _form(
        issuer=provider.issuer,
        client_id=provider.client.client_id,
        client_secret=provider.client.client_secret,
        required="y",
    )
    assert post(client, f"/admin/organisations/{municipality.id}/sso", form).status_code == 302
    post(client, "/logout")

    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    provider.user["email"] = coordinator.email
    refused = post(client, "/login", {"email": coordinator.email, "password": PASSWORD})
    assert refused.status_code == 200 and "MitID Erhverv" in refused.text
    assert sso_login(client, municipality.id, provider).status_code == 302
    assert coordinator.name in client.get("/", follow_redirects=True).text


def test_system_admin_reaches_any_organisations_settings(client, db, world):
    sign_in(client, world.user(Role.SYSTEM_ADMIN))
    municipality = world.b.municipality
    page = client.get(f"/admin/organisations/{municipality.id}/edit").text
    assert f'href="/admin/organisations/{municipality.id}/sso"' in page
    url = f"/admin/organisations/{municipality.id}/sso"
    assert post(client, url, _form()).status_code == 302
    assert _config(db, municipality).provider_name == "MitID Erhverv"


def test_admin_of_another_organisation_gets_404(client, db, world):
    sign_in(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    url = f"/admin/organisations/{world.b.municipality.id}/sso"
    assert client.get(url).status_code == 404
    assert post(client, url, _form()).status_code == 404
    assert _config(db, world.b.municipality) is None
