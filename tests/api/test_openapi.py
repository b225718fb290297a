"""The OpenAPI document validates, and schemathesis, calling the running app with the
document's own idea of valid (and invalid) requests, finds no server error and no answer that
breaks the document."""

from __future__ import annotations

import hypothesis.strategies as st
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import make_client

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 8}


def _isolated(app):
    """The app as a WSGI callable that runs each request in its own app context, as in
    production (the test holds one for the database)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


def test_the_openapi_document_validates(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))
    schema.validate()  # against the OpenAPI 3.0 meta-schema; raises if it breaks it
    paths = document["paths"]
    assert {"/api/v1/students", "/api/v1/students/{student_id}", "/api/v1/transitions"} <= set(
        paths
    )
    problem = document["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(app, world):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    _client, headers = make_client(world.a)
    student = world.a.student
    known = {"student_id": student.id, "agreement_id": student.agreements[0].id}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        for mode, examples in EXAMPLES.items():
            strategies = [operation.as_strategy(mode)]
            if names:
                # Also the side's own student and agreement, so calls get past the 404.
                own = {name: known[name] for name in names}
                strategies.append(operation.as_strategy(mode, path_parameters=own))

            @given(case=st.one_of(*strategies))
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)

            call()
