"""Every form, every field, hostile input: never a 500, never markup or template code echoed raw.

The field-by-field tests in each area check the Danish messages; this one sweeps every POST
route in the URL map, as a user who may use it, with each field filled with something bad.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from app.models import Role
from tests.conftest import csrf_token, login
from tests.test_access_matrix import MATRIX, _args, _rules, add_review_objects

BAD_VALUES = [
    "",
    "x" * 5000,
    "<script>alert('x')</script>",
    "{{7*7}}",
    "{% for x in range(9) %}x{% endfor %}",
    "-1",
    "9999999999999999999999",
    "2026-02-30",
    "\x00\x01",
]
# Routes that end the session or delete things are covered by their own tests.
SKIP = {
    "auth.logout",
    "journey.delete_period",
    "admin.delete_template_period",
    "admin.delete_membership",
    # A hostile value may be a valid password: it would change the user's password and end
    # their sessions. tests/auth/test_password_reset.py posts these values to that form.
    "auth.reset_password",
    "auth.accept_invitation",
}
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([a-z_]+)"')


def _post_routes(app):
    return [r for r in _rules(app) if "POST" in r.methods and r.endpoint not in SKIP]


def _user_for(world, endpoint):
    allowed = MATRIX[endpoint].own
    for role in (
        Role.SYSTEM_ADMIN,
        Role.TEACHER,
        Role.SUPERVISOR,
        Role.COUNSELLOR,
        Role.MUNICIPALITY_ADMIN,
        Role.SCHOOL_ADMIN,
        Role.TRAINING_COORDINATOR,
        Role.PARTNERSHIP_COORDINATOR,
        Role.LEADER,
        Role.STUDENT,
    ):
        if role in allowed:
            return role, world.user(role)
    return None, None


def test_every_post_route_survives_hostile_input(app, client, world):
    add_review_objects(world)
    problems = []
    for rule in _post_routes(app):
        role, user = _user_for(world, rule.endpoint)
        if user is None:
            continue
        fresh = app.test_client()
        login(fresh, user)
        with app.test_request_context():
            url = url_for(rule.endpoint, **_args(rule, world, world.a, role))
        names = set()
        if "GET" in rule.methods:
            names = set(FIELD.findall(fresh.get(url).text)) - {"csrf_token"}
        names |= {"version", "date", "reason", "direction", "language", "next"}
        for value in BAD_VALUES:
            data = dict.fromkeys(names, value)
            data["csrf_token"] = csrf_token(fresh)
            response = fresh.post(url, data=data)
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{rule.endpoint} {value[:20]!r}: {response.status_code}")
            if (
                "<script>alert(" in body
                or ">49<" in body
                or "xxxxxxxxx" * 3 in body.replace("x" * 5000, "")
            ):
                problems.append(f"{rule.endpoint} {value[:20]!r}: echoed unsafely")
    assert problems == []


@pytest.mark.parametrize(
    "path",
    [
        "/students/?page=99999",
        "/transitions?page=-3",
        "/admin/users?page=abc",
        "/students/abc",
        "/students/-1",
        "/students/99999999999999999999",
    ],
)
def test_odd_urls_are_handled(client, world, path):
    login(client, world.system_admin if "admin" in path else world.user(Role.COUNSELLOR))
    assert client.get(path).status_code in (200, 404)
