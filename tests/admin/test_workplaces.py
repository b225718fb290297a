"""Workplaces: the system admin manages all; a municipality admin those of their municipality."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditAction, AuditEvent, OrganisationKind, Role, Workplace, WorkplaceKind
from tests import factories
from tests.admin.support import error_next_to, read_form, sign_in, snapshot
from tests.conftest import post


def _options(html: str, field: str) -> list[str]:
    """The values offered by the <select name=field> in `html`."""
    import re

    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select_html) if v]


def test_system_admin_creates_and_edits_a_workplace(client, db, world):
    region = factories.organisation(OrganisationKind.REGION, "Region Syddanmark")
    db.session.commit()
    sign_in(client, world.system_admin)
    offered = _options(client.get("/admin/workplaces/new").text, "organisation")
    # Municipalities and regions; never a school.
    assert sorted(offered) == sorted(
        str(o.id) for o in (world.a.municipality, world.b.municipality, region)
    )
    response = post(
        client,
        "/admin/workplaces/new",
        {
            "organisation": str(region.id),
            "name": "Odense Universitetshospital",
            "kind": "hospital",
            "address": "J. B. Winsløws Vej 4, 5000 Odense C",
            "active": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/workplaces"
    wp = db.session.execute(
        select(Workplace).filter_by(name="Odense Universitetshospital")
    ).scalar_one()
    assert (wp.organisation_id, wp.kind, wp.active) == (region.id, WorkplaceKind.HOSPITAL, True)
    assert "The workplace was saved." in client.get("/admin/workplaces").text

    form = read_form(client.get(f"/admin/workplaces/{wp.id}/edit").text)
    assert form.values["organisation"] == str(region.id) and form.values["kind"] == "hospital"
    response = post(
        client,
        f"/admin/workplaces/{wp.id}/edit",
        {"organisation": str(region.id), "name": "OUH Psykiatri", "kind": "psychiatry"},
    )
    assert response.status_code == 302
    db.session.refresh(wp)
    assert (wp.name, wp.kind, wp.address, wp.active) == (
        "OUH Psykiatri",
        WorkplaceKind.PSYCHIATRY,
        "",
        False,
    )
    audit = db.session.execute(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "workplace", AuditEvent.object_id == wp.id
        )
    ).scalars()
    assert list(audit) == [AuditAction.CREATE, AuditAction.UPDATE]


def test_municipality_admin_manages_the_workplaces_of_their_own_municipality(client, db, world):
    sign_in(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    page = client.get("/admin/workplaces").text
    assert world.a.workplace.name in page and world.b.workplace.name not in page
    form_page = client.get("/admin/workplaces/new").text
    assert _options(form_page, "organisation") == [str(world.a.municipality.id)]

    response = post(
        client,
        "/admin/workplaces/new",
        {
            "organisation": str(world.a.municipality.id),
            "name": "Hjemmeplejen Vest",
            "kind": "home_care",
            "address": "Vestergade 1",
            "active": "y",
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        f"/admin/workplaces/{world.a.workplace.id}/edit",
        {
            "organisation": str(world.a.municipality.id),
            "name": "Plejecenter A (nyt navn)",
            "kind": "care_home",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(world.a.workplace)
    assert world.a.workplace.name == "Plejecenter A (nyt navn)"

    # Kommune B is not offered, and a forged choice is refused by the field.
    before = snapshot()
    response = post(
        client,
        "/admin/workplaces/new",
        {"organisation": str(world.b.municipality.id), "name": "Snyd", "kind": "home_care"},
    )
    assert response.status_code == 200
    assert "Not a valid choice." in error_next_to(response.text, "organisation")
    response = post(
        client,
        f"/admin/workplaces/{world.a.workplace.id}/edit",
        {"organisation": str(world.b.municipality.id), "name": "Flyttet", "kind": "care_home"},
    )
    assert "Not a valid choice." in error_next_to(response.text, "organisation")
    assert snapshot() == before


def test_a_workplace_in_use_cannot_move_to_another_organisation(client, db, world):
    """Plejecenter A has a practice supervisor and a student's training period."""
    sign_in(client, world.system_admin)
    before = snapshot()
    response = post(
        client,
        f"/admin/workplaces/{world.a.workplace.id}/edit",
        {"organisation": str(world.b.municipality.id), "name": "Flyttet", "kind": "care_home"},
    )
    assert response.status_code == 200
    assert "cannot move to another organisation" in error_next_to(response.text, "organisation")
    assert snapshot() == before
    unused = factories.workplace(world.a.municipality, "Nyt sted")
    db.session.commit()
    response = post(
        client,
        f"/admin/workplaces/{unused.id}/edit",
        {"organisation": str(world.b.municipality.id), "name": "Nyt sted", "kind": "care_home"},
    )
    assert response.status_code == 302
    db.session.refresh(unused)
    assert unused.organisation_id == world.b.municipality.id


def test_workplace_names_are_unique_within_an_organisation(client, db, world):
    sign_in(client, world.system_admin)
    base = {"kind": "care_home", "active": "y"}
    response = post(
        client,
        "/admin/workplaces/new",
        {**base, "organisation": str(world.a.municipality.id), "name": "plejecenter a"},
    )
    assert "already has a workplace with this name" in error_next_to(response.text, "name")
    # The same name in another municipality is a different place.
    response = post(
        client,
        "/admin/workplaces/new",
        {**base, "organisation": str(world.b.municipality.id), "name": "Plejecenter A"},
    )
    assert response.status_code == 302


def test_the_list_searches_and_filters(app, client, db, world):
    factories.workplace(world.a.municipality, "Hjemmeplejen Syd", kind=WorkplaceKind.HOME_CARE)
    db.session.commit()
    sign_in(client, world.system_admin)

    def names(query: str) -> set[str]:
        page = client.get("/admin/workplaces" + query)
        assert page.status_code == 200
        candidates = ["Plejecenter A", "Plejecenter B", "Hjemmeplejen Syd"]
        return {n for n in candidates if f">{n}<" in page.text}

    assert names("") == {"Plejecenter A", "Plejecenter B", "Hjemmeplejen Syd"}
    assert names("?q=PLEJECENTER") == {"Plejecenter A", "Plejecenter B"}
    assert names(f"?organisation={world.a.municipality.id}") == {
        "Plejecenter A",
        "Hjemmeplejen Syd",
    }
    assert names("?kind=home_care") == {"Hjemmeplejen Syd"}
    page = client.get("/admin/workplaces?organisation=abc")
    assert page.status_code == 200
    assert "Not a valid choice." in error_next_to(page.text, "organisation")
    # A municipality admin cannot list another municipality's workplaces by filtering for it.
    other = sign_in(app.test_client(), world.user(Role.MUNICIPALITY_ADMIN, "a"))
    page = other.get(f"/admin/workplaces?organisation={world.b.municipality.id}")
    assert page.status_code == 200 and "Plejecenter B" not in page.text
