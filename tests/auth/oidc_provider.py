"""A real OpenID Connect provider for the single sign-on tests, on loopback.

Built with Authlib's server side (the authorization code grant with the OpenID Connect
extension and PKCE), an RSA key made at start, and served by werkzeug on 127.0.0.1 in a
thread. Elevsag's back channel (discovery, token, JWKS) talks to it over real HTTP; a test
plays the browser: it follows the app's redirect to /authorize here (with `requests`) and
takes the Location back to the app's callback.

The authorize endpoint approves at once, as the person `provider.user` (e-mail,
email_verified), as a broker that has just checked MitID Erhverv would.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, ClientMixin
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

# Where Elevsag's callbacks live in the tests (TestConfig.PUBLIC_BASE_URL).
APP_BASE = "https://elevsag.test"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    # Where the app's callbacks may be; a browser test sets its live server's address.
    app_base: str = APP_BASE

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(self.app_base + "/login/sso/")

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class Provider:
    """The provider and its state. `user` is who /authorize logs in; tests change it."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self.client = Client("elevsag-test", secrets.token_urlsafe(24))
        self.user: dict = {
            "sub": "broker-1",
            "email": "anne@example.org",
            "email_verified": True,
            "name": "Anne Andersen",
        }
        # Misbehaviour on demand: ID tokens with another nonce, for another audience, or
        # signed with a key other than the one the JWKS publishes (under the same kid).
        self.nonce_override: str | None = None
        self.audience_override: str | None = None
        self.forged_key: RSAKey | None = None
        self.codes: dict[str, Code] = {}
        self.access_tokens: dict[str, dict] = {}
        self.logouts: list[dict] = []  # the end-session requests received
        self.issuer = ""
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app()

    # --- the Flask app ----------------------------------------------------------------------

    def _build_app(self) -> Flask:
        provider = self
        app = Flask("oidc_provider")
        app.config["OAUTH2_SCOPES_SUPPORTED"] = ["openid", "email", "profile"]

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.scope,
                    user=dict(req.user),
                    nonce=req.payload.data.get("nonce"),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class OpenIDExtension(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.forged_key or provider.key

            def get_client_claims(self, client):
                audience = provider.audience_override or client.get_client_id()
                return {"iss": provider.issuer, "aud": [audience]}

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.nonce_override is not None:
                    claims["nonce"] = provider.nonce_override
                return claims

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def generate_user_info(self, user, scope):
                info = UserInfo(sub=user["sub"])
                if "email" in scope:
                    info["email"] = user.get("email")
                    info["email_verified"] = user.get("email_verified")
                if "profile" in scope:
                    info["name"] = user.get("name")
                return info

        def query_client(client_id):
            return provider.client if client_id == provider.client.client_id else None

        def save_token(token, req):
            provider.access_tokens[token["access_token"]] = dict(req.user)

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(
            CodeGrant, [OpenIDExtension(require_nonce=True), CodeChallenge(required=True)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify(
                issuer=base,
                authorization_endpoint=base + "/authorize",
                token_endpoint=base + "/token",
                userinfo_endpoint=base + "/userinfo",
                jwks_uri=base + "/jwks",
                end_session_endpoint=base + "/logout",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=["openid", "email", "profile"],
                token_endpoint_auth_methods_supported=[
                    "client_secret_basic",
                    "client_secret_post",
                ],
                code_challenge_methods_supported=["S256"],
                claims_supported=["sub", "email", "email_verified", "name"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            user = dict(provider.user)
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return jsonify(error=error.error, description=error.description), 400
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            user = provider.access_tokens.get(bearer)
            if user is None:
                return jsonify(error="invalid_token"), 401
            return jsonify(sub=user["sub"], email=user.get("email"))

        @app.get("/logout")
        def end_session():
            provider.logouts.append(request.args.to_dict())
            target = request.args.get("post_logout_redirect_uri")
            return redirect(target) if target else ("Logged out", 200)

        return app

    # --- running it -------------------------------------------------------------------------

    def start(self) -> Provider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
