"""The admin lists run the same number of SQL statements for 3 rows as for 30."""

from __future__ import annotations

import pytest

from app.models import Membership, OrganisationKind, Role
from tests import factories
from tests.admin.support import sign_in


def _add_organisations(world, first: int, last: int) -> None:
    for n in range(first, last):
        kind = OrganisationKind.SCHOOL if n % 2 else OrganisationKind.MUNICIPALITY
        factories.organisation(kind, f"Ekstra {n:02d}")


def _add_workplaces(world, first: int, last: int) -> None:
    """Each in its own municipality, so loading the organisations row by row would show."""
    for n in range(first, last):
        org = factories.organisation(OrganisationKind.MUNICIPALITY, f"Ekstra kommune {n:02d}")
        factories.workplace(org, f"Ekstra {n:02d}")


def _add_own_workplaces(world, first: int, last: int) -> None:
    for n in range(first, last):
        factories.workplace(world.a.municipality, f"Ekstra {n:02d}")


def _add_users(world, first: int, last: int) -> None:
    """Users with two roles each, at a workplace and in another municipality of their own:
    every row of the list shows different organisations and workplaces."""
    for n in range(first, last):
        wp = factories.workplace(world.a.municipality, f"Ekstra sted {n:02d}")
        user = factories.user(Role.SUPERVISOR, world.a.municipality, wp, name=f"Ekstra {n:02d}")
        other = factories.organisation(OrganisationKind.MUNICIPALITY, f"Ekstra kommune {n:02d}")
        user.memberships.append(Membership(role=Role.TRAINING_COORDINATOR, organisation=other))


LISTS = {
    "organisations": ("/admin/organisations?q=ekstra", _add_organisations, Role.SYSTEM_ADMIN),
    "workplaces": ("/admin/workplaces?q=ekstra", _add_workplaces, Role.SYSTEM_ADMIN),
    "workplaces (own)": (
        "/admin/workplaces?q=ekstra",
        _add_own_workplaces,
        Role.MUNICIPALITY_ADMIN,
    ),
    "users": ("/admin/users?q=ekstra", _add_users, Role.MUNICIPALITY_ADMIN),
    "users (system admin)": ("/admin/users?q=ekstra", _add_users, Role.SYSTEM_ADMIN),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_list_queries_do_not_grow_with_the_rows(client, db, world, count_queries, name):
    url, add, role = LISTS[name]
    sign_in(client, world.user(role, "a"))
    add(world, 0, 3)
    db.session.commit()
    client.get(url)  # warm up: anything cached once per process is not counted
    with count_queries() as three:
        page = client.get(url)
    assert page.status_code == 200 and "3 results" in page.text and "Ekstra 02" in page.text

    add(world, 3, 30)
    db.session.commit()
    with count_queries() as thirty:
        first = client.get(url)
    with count_queries() as last_page:
        last = client.get(url + "&page=3")
    assert "30 results" in first.text and "Ekstra 29" in last.text
    assert thirty.count == three.count, thirty.statements
    assert last_page.count == three.count
    assert three.count <= 8, three.statements
