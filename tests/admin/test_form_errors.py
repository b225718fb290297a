"""Bad input on every admin form, field by field.

Each refused value must: re-render the form (200, never 500) with the message next to that
field, keep what was typed (escaped) in this and the other fields, and store nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from markupsafe import escape

from app.models import Role
from tests.admin.support import error_next_to, read_form, sign_in, snapshot
from tests.conftest import post
from tests.factories import World

SCRIPT = "<script>alert(1)</script>"
TEMPLATE = "{{7*7}}"
MARKUP = "Must not contain the characters"
REQUIRED = "Please fill in this field."
CHOICE = "Not a valid choice."
PASSWORD = "en-god-lang-kode"


@dataclass
class AdminForm:
    actor: Role
    url: Callable[[World], str]
    valid: Callable[[World], dict[str, str]]
    text: dict[str, int] = field(default_factory=dict)  # field -> max length
    optional: frozenset[str] = frozenset()  # text fields that may be left empty
    email: frozenset[str] = frozenset()  # text fields that must hold an e-mail address
    selects: tuple[str, ...] = ()


def _teacher(world: World):
    return world.user(Role.TEACHER, "a")


FORMS = {
    "new organisation": AdminForm(
        actor=Role.SYSTEM_ADMIN,
        url=lambda w: "/admin/organisations/new",
        valid=lambda w: {"name": "Ny skole", "kind": "school", "code": "NY1", "active": "y"},
        text={"name": 120, "code": 20},
        selects=("kind",),
    ),
    "edit organisation": AdminForm(
        actor=Role.SYSTEM_ADMIN,
        url=lambda w: f"/admin/organisations/{w.a.school.id}/edit",
        valid=lambda w: {
            "name": "SOSU-skole A2",
            "kind": "school",
            "code": "A2",
            "active": "y",
        },
        text={"name": 120, "code": 20},
        selects=("kind",),
    ),
    "new workplace": AdminForm(
        actor=Role.MUNICIPALITY_ADMIN,
        url=lambda w: "/admin/workplaces/new",
        valid=lambda w: {
            "organisation": str(w.a.municipality.id),
            "name": "Nyt sted",
            "kind": "home_care",
            "address": "Vestergade 1",
            "active": "y",
        },
        text={"name": 120, "address": 200},
        optional=frozenset({"address"}),
        selects=("organisation", "kind"),
    ),
    "edit workplace": AdminForm(
        actor=Role.MUNICIPALITY_ADMIN,
        url=lambda w: f"/admin/workplaces/{w.a.workplace.id}/edit",
        valid=lambda w: {
            "organisation": str(w.a.municipality.id),
            "name": "Plejecenter A2",
            "kind": "care_home",
            "address": "Østergade 2",
            "active": "y",
        },
        text={"name": 120, "address": 200},
        optional=frozenset({"address"}),
        selects=("organisation", "kind"),
    ),
    "new user": AdminForm(
        actor=Role.SCHOOL_ADMIN,
        url=lambda w: "/admin/users/new",
        valid=lambda w: {
            "name": "Ny Kollega",
            "email": "ny.kollega@example.org",
            "role": "counsellor",
            "organisation": str(w.a.school.id),
            "workplace": "",
        },
        text={"name": 120, "email": 254},
        email=frozenset({"email"}),
        selects=("role", "organisation", "workplace"),
    ),
    "edit user": AdminForm(
        actor=Role.SCHOOL_ADMIN,
        url=lambda w: f"/admin/users/{_teacher(w).id}/edit",
        valid=lambda w: {"name": "Omdøbt Lærer", "email": "ny.adresse@example.org", "active": "y"},
        text={"name": 120, "email": 254},
        email=frozenset({"email"}),
    ),
    "add a role": AdminForm(
        actor=Role.SCHOOL_ADMIN,
        url=lambda w: f"/admin/users/{_teacher(w).id}/memberships",
        valid=lambda w: {"role": "counsellor", "organisation": str(w.a.school.id), "workplace": ""},
        selects=("role", "organisation", "workplace"),
    ),
}


def _text_cases(form: AdminForm, name: str, limit: int) -> list[tuple[str, str]]:
    markup = "Not a valid e-mail address." if name in form.email else MARKUP
    cases = [("x" * (limit + 1), f"Must be at most {limit} characters."), (SCRIPT, markup)]
    cases.append((TEMPLATE, markup))
    if name not in form.optional:
        cases.insert(0, ("", REQUIRED))
        cases.append(("   ", REQUIRED))  # only spaces count as empty
    return cases


SELECT_VALUES = ["abc", "-1", "99999", "1.5", SCRIPT, TEMPLATE]


def _cases(form: AdminForm) -> list[tuple[str, str, str]]:
    """(field, value, message) for every bad value of every field of `form`."""
    cases = [(n, v, m) for n, limit in form.text.items() for v, m in _text_cases(form, n, limit)]
    cases += [(n, v, CHOICE) for n in form.selects for v in SELECT_VALUES]
    return cases


def _check_kept(html: str, sent: dict[str, str], form: AdminForm, problems: list, case: str):
    """Every text field shows what was typed; every select keeps a valid choice."""
    values = read_form(html).values
    for name in form.text:
        typed = sent[name].strip()
        if values.get(name) != typed:
            problems.append(f"{case}: {name} shows {values.get(name)!r}, typed {typed!r}")
        elif typed and str(escape(typed)) not in html:
            problems.append(f"{case}: {name} not shown escaped")
    for name in form.selects:
        choice = sent[name]
        if choice and choice not in SELECT_VALUES and values.get(name) != choice:
            problems.append(f"{case}: select {name} shows {values.get(name)!r}, not {choice!r}")


@pytest.mark.parametrize("name", list(FORMS))
def test_every_bad_value_is_refused_next_to_its_field_and_nothing_is_stored(client, world, name):
    form = FORMS[name]
    sign_in(client, world.user(form.actor, "a"))
    url = form.url(world)
    assert client.get(url).status_code in (200, 405)
    before = snapshot()
    problems: list[str] = []
    for field_name, value, message in _cases(form):
        sent = {**form.valid(world), field_name: value}
        response = post(client, url, sent)
        case = f"{name}: {field_name}={value[:30]!r}"
        if response.status_code != 200:
            problems.append(f"{case}: status {response.status_code}")
            continue
        html = response.text
        shown = error_next_to(html, field_name)
        if shown is None or message not in shown:
            problems.append(f"{case}: error next to the field is {shown!r}, not {message!r}")
        if SCRIPT in html or ">49<" in html or 'value="49"' in html:
            problems.append(f"{case}: echoed unsafely")
        if PASSWORD in html:
            problems.append(f"{case}: the password was sent back")
        _check_kept(html, sent, form, problems, case)
    assert problems == []
    assert snapshot() == before


def test_bad_choices_keep_the_valid_ones(client, world):
    """A practice supervisor without a workplace: the role and organisation stay chosen."""
    sign_in(client, world.system_admin)
    before = snapshot()
    teacher = _teacher(world)
    data = {"role": "supervisor", "organisation": str(world.a.municipality.id), "workplace": ""}
    response = post(client, f"/admin/users/{teacher.id}/memberships", data)
    assert response.status_code == 200
    assert "needs a workplace" in error_next_to(response.text, "workplace")
    values = read_form(response.text).values
    assert values["role"] == "supervisor" and values["organisation"] == data["organisation"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/organisations/abc/edit",
        "/admin/organisations/-1/edit",
        "/admin/organisations/99999999999999999999/edit",
        "/admin/workplaces/1.5/edit",
        "/admin/users/%3Cscript%3E/edit",
        "/admin/users/1/memberships/abc/delete",
        "/admin/organisations?page=abc",
        "/admin/workplaces?page=-3",
        "/admin/users?page=99999",
    ],
)
def test_odd_ids_and_pages_answer_404_or_a_page(client, world, path):
    sign_in(client, world.system_admin)
    response = client.get(path) if "delete" not in path else post(client, path)
    assert response.status_code in (200, 404)
