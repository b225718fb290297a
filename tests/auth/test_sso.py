"""Single sign-on through an organisation's OpenID Connect provider, end to end.

The provider is a real one (tests/auth/oidc_provider.py, Authlib's server side) on loopback:
Elevsag fetches its discovery document, JWKS and tokens over HTTP. The tests play the browser.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from app.models import (
    AuditAction,
    AuditEvent,
    LoginSession,
    OrganisationKind,
    OrganisationSso,
    Role,
    User,
)
from tests import factories
from tests.auth.oidc_provider import APP_BASE, Provider
from tests.conftest import PASSWORD, login, post


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def kommune(db):
    return factories.organisation(OrganisationKind.MUNICIPALITY, "Solrød Kommune")


@pytest.fixture
def anne(db, kommune):
    """Invited into the municipality; her broker account has the same address."""
    user = factories.user(
        Role.TRAINING_COORDINATOR, kommune, name="Anne Andersen", email="anne@example.org"
    )
    db.session.commit()
    return user


def configure(db, organisation, provider: Provider, **values) -> OrganisationSso:
    config = OrganisationSso(
        organisation_id=organisation.id,
        provider_name=values.pop("provider_name", "MitID Erhverv"),
        issuer=provider.issuer,
        client_id=provider.client.client_id,
        client_secret=provider.client.client_secret,
        **values,
    )
    db.session.add(config)
    db.session.commit()
    return config


def _to_provider(client, organisation_id: int, provider: Provider) -> str:
    """Press the organisation's button; the address the browser is sent to."""
    response = client.get(f"/login/sso/{organisation_id}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(provider.issuer + "/authorize?")
    return location


def _at_provider(location: str) -> str:
    """The browser at the provider, which approves at once: the path back to Elevsag."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(APP_BASE + "/login/sso/")
    return back.removeprefix(APP_BASE)


def sso_login(client, organisation_id: int, provider: Provider):
    """The whole round trip; the response of Elevsag's callback."""
    return client.get(_at_provider(_to_provider(client, organisation_id, provider)))


def _events(db, action: AuditAction) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.execute(query).scalars())


# --- the login -----------------------------------------------------------------------------


def test_login_page_offers_the_organisations_with_single_sign_on(client, db, kommune, provider):
    assert "Log ind med din organisation" not in client.get("/login").text
    configure(db, kommune, provider)
    page = client.get("/login").text
    assert "Log ind med din organisation" in page
    assert "Solrød Kommune – MitID Erhverv" in page
    assert f'href="/login/sso/{kommune.id}"' in page


def test_invited_user_logs_in_through_the_provider(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    location = _to_provider(client, kommune.id, provider)
    query = parse_qs(urlsplit(location).query)
    # PKCE (S256), a nonce and a state go with the request.
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    assert query["scope"] == ["openid email profile"]

    response = client.get(_at_provider(location))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    front = client.get("/", follow_redirects=True)
    assert front.status_code == 200
    assert "Anne Andersen" in front.text  # logged in as the invited user
    [event] = _events(db, AuditAction.LOGIN)
    assert event.user_id == anne.id
    assert event.criterion == "single sign-on (MitID Erhverv)"
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1


def test_email_is_matched_regardless_of_case(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.user["email"] = "Anne@Example.ORG"
    assert sso_login(client, kommune.id, provider).status_code == 302
    assert "Anne Andersen" in client.get("/", follow_redirects=True).text


def test_unmatched_email_is_refused_with_a_clear_message(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.user["email"] = "ukendt@example.org"
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 403
    assert (
        "Ingen inviteret konto i Solrød Kommune passer til e-mailen ukendt@example.org. "
        "Bed din administrator om at invitere dig." in response.text
    )
    # No account, no role, no session.
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1
    assert db.session.execute(select(LoginSession)).first() is None
    assert client.get("/students/").status_code == 302
    [failed] = _events(db, AuditAction.LOGIN_FAILED)
    assert "no invited account in Solrød Kommune for ukendt@example.org" in failed.criterion


def test_unverified_email_is_refused(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.user["email_verified"] = False
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 403
    assert "bekræftede ikke din e-mailadresse" in response.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_user_of_another_organisation_is_not_let_in(client, db, kommune, provider):
    """Same e-mail domain, an account in Elevsag, but no role in this municipality."""
    neighbour = factories.organisation(OrganisationKind.MUNICIPALITY, "Greve Kommune")
    factories.user(Role.TRAINING_COORDINATOR, neighbour, email="anne@example.org")
    db.session.commit()
    configure(db, kommune, provider)
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 403
    assert "Ingen inviteret konto i Solrød Kommune" in response.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_deactivated_user_is_not_let_in(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    anne.active = False
    db.session.commit()
    assert sso_login(client, kommune.id, provider).status_code == 403
    assert db.session.execute(select(LoginSession)).first() is None


def test_tampered_state_is_refused(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    back = _at_provider(_to_provider(client, kommune.id, provider))
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    tampered = f"{parts.path}?code={query['code'][0]}&state=forged"
    response = client.get(tampered)
    assert response.status_code == 400
    assert "Start forfra fra login-siden" in response.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_callback_from_another_browser_is_refused(app, client, db, kommune, anne, provider):
    """The code reaches a browser that did not start the login (login CSRF)."""
    configure(db, kommune, provider)
    back = _at_provider(_to_provider(client, kommune.id, provider))
    other = app.test_client()
    assert other.get(back).status_code == 400
    assert db.session.execute(select(LoginSession)).first() is None


def test_id_token_with_another_nonce_is_refused(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.nonce_override = "not-the-nonce-elevsag-sent"
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 400
    assert "MitID Erhverv gennemførte ikke login" in response.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_id_token_for_another_client_is_refused(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.audience_override = "another-client"
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 400
    assert db.session.execute(select(LoginSession)).first() is None
    [failed] = _events(db, AuditAction.LOGIN_FAILED)
    assert failed.criterion.startswith("single sign-on (MitID Erhverv): ")
    assert failed.criterion.endswith("ClaimError")  # the audience is checked


def test_id_token_with_a_forged_signature_is_refused(client, db, kommune, anne, provider):
    from joserfc.jwk import RSAKey

    configure(db, kommune, provider)
    provider.forged_key = RSAKey.generate_key(2048, parameters={"kid": provider.key.kid})
    response = sso_login(client, kommune.id, provider)
    assert response.status_code == 400
    assert db.session.execute(select(LoginSession)).first() is None


def test_provider_that_refuses_is_a_clear_page(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    _to_provider(client, kommune.id, provider)
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_")).rsplit("_", 1)[1]
    response = client.get(f"/login/sso/{kommune.id}/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "Du er ikke logget ind" in response.text


def test_provider_down_is_a_clear_page_not_an_error(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    provider.stop()
    response = client.get(f"/login/sso/{kommune.id}")
    assert response.status_code == 502
    assert "MitID Erhverv svarer ikke lige nu" in response.text


def test_provider_down_at_the_callback_is_a_clear_page(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    back = _at_provider(_to_provider(client, kommune.id, provider))
    provider.stop()
    response = client.get(back)
    assert response.status_code == 502
    assert "MitID Erhverv svarer ikke lige nu" in response.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_disabled_single_sign_on_is_not_offered(client, db, kommune, anne, provider):
    configure(db, kommune, provider, enabled=False)
    assert "Log ind med din organisation" not in client.get("/login").text
    response = client.get(f"/login/sso/{kommune.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Single sign-on er ikke muligt" in client.get("/login").text


def test_failed_callbacks_count_against_the_login_limit(app, client, db, kommune, provider):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per 15 minutes"
    configure(db, kommune, provider)
    for _ in range(2):
        assert client.get(f"/login/sso/{kommune.id}/callback?code=x&state=y").status_code == 400
    assert client.get(f"/login/sso/{kommune.id}/callback?code=x&state=y").status_code == 429


# --- logout ---------------------------------------------------------------------------------


def test_logout_ends_the_elevsag_session_and_offers_the_providers_logout(
    client, db, kommune, anne, provider
):
    configure(db, kommune, provider)
    assert sso_login(client, kommune.id, provider).status_code == 302
    old_cookie = client.get_cookie("elevsag_session").value
    response = post(client, "/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").text
    assert "Du er logget ud" in page
    assert "Log også ud af MitID Erhverv" in page
    link = page.split('data-testid="provider-logout"')[1].split('href="')[1].split('"')[0]
    link = link.replace("&amp;", "&")
    assert link.startswith(provider.issuer + "/logout?")
    query = parse_qs(urlsplit(link).query)
    assert query["post_logout_redirect_uri"] == [APP_BASE + "/login"]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token Elevsag was given
    answer = requests.get(link, allow_redirects=False, timeout=10)
    assert answer.headers["Location"] == APP_BASE + "/login"
    assert len(provider.logouts) == 1

    # The old session cookie opens nothing.
    client.set_cookie("elevsag_session", old_cookie)
    assert client.get("/students/").status_code == 302
    assert client.get("/").headers.get("Location", "").startswith("/login")
    [row] = db.session.execute(select(LoginSession)).scalars()
    assert row.revoked_at is not None


def test_password_logout_offers_no_provider_logout(client, db, kommune, anne):
    login(client, anne)
    post(client, "/logout")
    assert 'data-testid="provider-logout"' not in client.get("/login").text


# --- organisations that require single sign-on -------------------------------------------


def test_required_sso_refuses_the_password_login_of_its_staff(client, db, kommune, anne, provider):
    configure(db, kommune, provider, required=True)
    other = factories.organisation(OrganisationKind.SCHOOL, "SOSU Syd")
    teacher = factories.user(Role.TEACHER, other)
    db.session.commit()

    response = post(client, "/login", {"email": anne.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Din organisation logger ind gennem MitID Erhverv" in response.text
    assert db.session.execute(select(LoginSession)).first() is None
    assert client.get("/students/").status_code == 302
    [failed] = _events(db, AuditAction.LOGIN_FAILED)
    assert failed.user_id == anne.id and "single sign-on" in failed.criterion

    # A wrong password gets the ordinary answer: nothing more is revealed.
    wrong = post(client, "/login", {"email": anne.email, "password": "forkert-kodeord-1"})
    assert "Forkert e-mail eller adgangskode." in wrong.text
    assert "MitID Erhverv" not in wrong.text.split("Log ind med din organisation")[0]

    # Other organisations' staff still log in with a password, and Anne through the provider.
    login(client, teacher)
    post(client, "/logout")
    assert sso_login(client, kommune.id, provider).status_code == 302
    assert "Anne Andersen" in client.get("/", follow_redirects=True).text


def test_required_sso_leaves_a_password_to_someone_with_a_role_elsewhere(
    client, db, kommune, anne, provider
):
    configure(db, kommune, provider, required=True)
    school = factories.organisation(OrganisationKind.SCHOOL, "SOSU Nord")
    from app.models import Membership

    anne.memberships.append(Membership(role=Role.TEACHER, organisation=school))
    db.session.commit()
    login(client, anne)


def test_required_but_disabled_sso_does_not_lock_staff_out(client, db, kommune, anne, provider):
    configure(db, kommune, provider, required=True, enabled=False)
    login(client, anne)


def test_a_password_chosen_by_reset_link_does_not_open_a_required_sso_login(
    client, db, kommune, anne, provider
):
    """ "Forgot password?" still works as a page, but the new password gets them nowhere."""
    from app.auth import tokens
    from app.models import TokenPurpose

    configure(db, kommune, provider, required=True)
    token = tokens.issue(anne, TokenPurpose.PASSWORD_RESET)
    db.session.commit()
    new_password = "en-helt-ny-og-lang-adgang"
    chosen = post(
        client, f"/password/reset/{token}", {"password": new_password, "confirm": new_password}
    )
    assert chosen.status_code == 302
    refused = post(client, "/login", {"email": anne.email, "password": new_password})
    assert "Din organisation logger ind gennem MitID Erhverv" in refused.text
    assert db.session.execute(select(LoginSession)).first() is None


def test_single_sign_on_returns_to_the_page_asked_for(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    page = client.get("/login?next=/students/").text
    assert f'href="/login/sso/{kommune.id}?next=/students/"' in page
    location = client.get(f"/login/sso/{kommune.id}?next=/students/").headers["Location"]
    response = client.get(_at_provider(location))
    assert response.headers["Location"] == "/students/"


def test_single_sign_on_never_returns_to_another_site(client, db, kommune, anne, provider):
    configure(db, kommune, provider)
    location = client.get(f"/login/sso/{kommune.id}?next=https://evil.example/").headers["Location"]
    assert client.get(_at_provider(location)).headers["Location"] == "/"


# --- step-up before an export, through the provider --------------------------------------------


def _age_the_login(db, user) -> None:
    from datetime import timedelta

    from app.models.base import utcnow

    row = db.session.execute(
        select(LoginSession).where(LoginSession.user_id == user.id)
    ).scalar_one()
    row.verified_at = utcnow() - timedelta(minutes=30)
    db.session.commit()


def _verified_at(db, user):
    db.session.expire_all()
    row = db.session.execute(
        select(LoginSession).where(LoginSession.user_id == user.id)
    ).scalar_one()
    return row.verified_at


def test_a_login_through_the_provider_confirms_an_export_there_not_by_password(
    client, db, kommune, anne, provider
):
    configure(db, kommune, provider)
    assert sso_login(client, kommune.id, provider).status_code == 302
    _age_the_login(db, anne)
    aged = _verified_at(db, anne)
    target = "/students/?side=2"

    page = client.get(f"/account/confirm?next={target}")
    assert page.status_code == 200
    assert 'type="password"' not in page.text  # never a password for a provider's login
    link = page.text.split('data-testid="step-up-provider"')[0].rsplit('href="', 1)[1]
    link = link.split('"')[0].replace("&amp;", "&")
    # A password posted anyway confirms nothing.
    post(client, "/account/confirm", {"password": PASSWORD, "next": target})
    assert _verified_at(db, anne) == aged

    to_provider = client.get(link)
    assert to_provider.status_code == 302
    query = parse_qs(urlsplit(to_provider.headers["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]  # authenticate afresh
    back = client.get(_at_provider(to_provider.headers["Location"]))
    assert back.status_code == 302 and back.headers["Location"] == target
    assert _verified_at(db, anne) > aged
    assert [e.criterion for e in _events(db, AuditAction.LOGIN)][-1] == (
        "confirmed before an export: single sign-on (MitID Erhverv)"
    )


def test_the_provider_confirming_another_person_confirms_nothing(
    client, db, kommune, anne, provider
):
    configure(db, kommune, provider)
    assert sso_login(client, kommune.id, provider).status_code == 302
    _age_the_login(db, anne)
    aged = _verified_at(db, anne)
    to_provider = client.get("/account/confirm/sso?next=/")
    provider.user["email"] = "kollega@example.org"  # someone else at the same computer
    answer = client.get(_at_provider(to_provider.headers["Location"]))
    assert answer.status_code == 403
    assert "bekræftede ikke, at det er dig" in answer.text
    assert _verified_at(db, anne) == aged
    assert _events(db, AuditAction.LOGIN_FAILED)[-1].criterion.endswith("another person")
    # Anne is still logged in: the failed confirmation ended nothing.
    assert client.get("/students/").status_code == 200


def test_after_a_password_login_the_provider_confirmation_is_not_offered(client, db, anne):
    login(client, anne)
    response = client.get("/account/confirm/sso?next=/students/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm?next=")
