"""The JSON API (docs/api.md): flask-smorest routes under /api/v1 with an OpenAPI document
generated from the code at /api/v1/openapi.json.

flask-smorest, because its marshmallow schemas both check the JSON and describe it in the
OpenAPI document, so the description cannot drift from what the code accepts. Calls
authenticate only by a bearer token (app.api.auth): a client acts through its own service
user, so `app.access` decides what it sees exactly as for a person in that role. Every error
under /api/ answers application/problem+json (RFC 9457, app.errors).
"""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.api.schemas import ProblemSchema
from app.errors import PROBLEM_TYPE

PREFIX = "/api/v1"


class ElevsagApi(Api):
    """flask-smorest with RFC 9457 problem documents for every error response. The errors
    themselves are answered by app.errors (it knows /api/ paths), not by flask-smorest."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass  # app.errors answers every error, as problem JSON under /api/

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask) -> ElevsagApi:
    """An Api (and its OpenAPI document) of the app's own: the app factory may run more than
    once in a process (the tests make several apps)."""
    from app.api import routes
    from app.extensions import csrf

    app.config.setdefault("API_TITLE", "Elevsag API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "The JSON API of Elevsag for the systems around it (docs/api.md)."
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
            "servers": [{"url": "/"}],
        },
    )
    api = ElevsagApi(app)
    csrf.exempt(routes.blp)  # a bearer token, not a cookie: no cross-site forgery to stop
    api.register_blueprint(routes.blp, url_prefix=PREFIX)
    return api
