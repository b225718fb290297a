"""Organisations: only the system admin lists, creates and edits them."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditAction, AuditEvent, Organisation, OrganisationKind
from tests import factories
from tests.admin.support import error_next_to, read_form, sign_in, snapshot
from tests.conftest import login, post


def _audit(db, object_type: str) -> list[tuple[AuditAction, int | None]]:
    query = (
        select(AuditEvent.action, AuditEvent.object_id)
        .where(AuditEvent.object_type == object_type)
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def test_system_admin_creates_and_edits_an_organisation(client, db, world):
    sign_in(client, world.system_admin)
    form = read_form(client.get("/admin/organisations/new").text)
    assert form.values["active"] is True  # a new organisation is active unless unticked

    response = post(
        client,
        "/admin/organisations/new",
        {"name": "Kolding Kommune", "kind": "municipality", "code": "621", "active": "y"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/organisations"
    org = db.session.execute(select(Organisation).filter_by(code="621")).scalar_one()
    assert (org.name, org.kind, org.active) == (
        "Kolding Kommune",
        OrganisationKind.MUNICIPALITY,
        True,
    )
    assert "The organisation was saved." in client.get("/admin/organisations").text

    form = read_form(client.get(f"/admin/organisations/{org.id}/edit").text)
    assert form.values["name"] == "Kolding Kommune" and form.values["kind"] == "municipality"
    response = post(
        client,
        f"/admin/organisations/{org.id}/edit",
        {"name": "Kolding Kommune (ny)", "kind": "municipality", "code": "621"},  # not active
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name == "Kolding Kommune (ny)" and org.active is False
    assert _audit(db, "organisation") == [
        (AuditAction.CREATE, org.id),
        (AuditAction.UPDATE, org.id),
    ]


def test_an_organisation_keeps_its_own_name_and_code_when_saved_again(client, db, world):
    sign_in(client, world.system_admin)
    school = world.a.school
    response = post(
        client,
        f"/admin/organisations/{school.id}/edit",
        {"name": school.name.upper(), "kind": "school", "code": school.code, "active": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(school)
    assert school.name == "SOSU-SKOLE A"


def test_names_and_codes_are_unique_ignoring_case(client, db, world):
    sign_in(client, world.system_admin)
    before = snapshot()
    response = post(
        client,
        "/admin/organisations/new",
        {"name": "sosu-skole a", "kind": "school", "code": world.b.school.code.lower()},
    )
    assert response.status_code == 200
    assert "An organisation with this name already exists." in error_next_to(response.text, "name")
    assert "An organisation with this code already exists." in error_next_to(response.text, "code")
    # Renaming one organisation to another's name is refused the same way.
    response = post(
        client,
        f"/admin/organisations/{world.a.school.id}/edit",
        {"name": "SOSU-skole B", "kind": "school", "code": world.a.school.code},
    )
    assert "An organisation with this name already exists." in error_next_to(response.text, "name")
    assert snapshot() == before


def test_the_kind_cannot_change_while_something_depends_on_it(client, db, world):
    """Kommune A has workplaces, employer roles and agreements; SOSU-skole A has students."""
    sign_in(client, world.system_admin)
    before = snapshot()
    for org, kind in ((world.a.municipality, "school"), (world.a.school, "municipality")):
        response = post(
            client,
            f"/admin/organisations/{org.id}/edit",
            {"name": org.name, "kind": kind, "code": org.code, "active": "y"},
        )
        assert response.status_code == 200
        assert "The kind cannot be changed" in error_next_to(response.text, "kind")
    assert snapshot() == before
    # A municipality may become a region: every employer role fits both.
    response = post(
        client,
        f"/admin/organisations/{world.a.municipality.id}/edit",
        {"name": "Region A", "kind": "region", "code": world.a.municipality.code, "active": "y"},
    )
    assert response.status_code == 302
    # An organisation nothing depends on yet can change freely.
    empty = factories.organisation(OrganisationKind.SCHOOL, "Forkert oprettet")
    db.session.commit()
    response = post(
        client,
        f"/admin/organisations/{empty.id}/edit",
        {"name": empty.name, "kind": "municipality", "code": empty.code},
    )
    assert response.status_code == 302
    db.session.refresh(empty)
    assert empty.kind == OrganisationKind.MUNICIPALITY


def test_the_list_searches_by_name_or_code_and_filters_by_kind(client, db, world):
    factories.organisation(OrganisationKind.REGION, "Region Syddanmark")
    special = factories.organisation(OrganisationKind.SCHOOL, "100%_Skolen")
    db.session.commit()
    sign_in(client, world.system_admin)

    def names(query: str) -> set[str]:
        page = client.get("/admin/organisations" + query)
        assert page.status_code == 200
        return {
            n
            for n in [
                "SOSU-skole A",
                "SOSU-skole B",
                "Kommune A",
                "Kommune B",
                "Region Syddanmark",
                "100%_Sk",
            ]
            if n in page.text
        }

    assert names("?q=kommune") == {"Kommune A", "Kommune B"}
    assert names("?q=KOMMUNE+a") == {"Kommune A"}
    assert names(f"?q={world.b.school.code}") == {"SOSU-skole B"}
    assert names("?kind=region") == {"Region Syddanmark"}
    assert names("?q=skole&kind=school") == {"SOSU-skole A", "SOSU-skole B", "100%_Sk"}
    assert names("?q=%25_") == {"100%_Sk"}  # % and _ are searched for, not wildcards
    assert special.name in client.get("/admin/organisations?q=100%25").text
    # A filter value that is not a kind shows the error by the field, not a 500.
    page = client.get("/admin/organisations?kind=planet")
    assert page.status_code == 200 and "Not a valid choice." in error_next_to(page.text, "kind")
    page = client.get("/admin/organisations?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status_code == 200 and "<script>alert(1)" not in page.text
    assert "Must not contain the characters" in error_next_to(page.text, "q")


def test_the_list_is_paged(app, client, db, world):
    per_page = app.config["ADMIN_ROWS_PER_PAGE"]
    for n in range(per_page + 3):
        factories.organisation(OrganisationKind.SCHOOL, f"Sideskole {n:02d}")
    db.session.commit()
    sign_in(client, world.system_admin)
    first = client.get("/admin/organisations?q=sideskole").text
    second = client.get("/admin/organisations?q=sideskole&page=2").text
    last = f"Sideskole {per_page + 2:02d}"
    assert "Sideskole 00" in first and last not in first
    assert last in second and "Sideskole 00" not in second
    assert "q=sideskole" in first and "page=2" in first  # the page links keep the search
    assert f"{per_page + 3} results" in first


def test_a_code_holds_letters_digits_and_dashes_only(client, db, world):
    sign_in(client, world.system_admin)
    before = snapshot()
    response = post(
        client, "/admin/organisations/new", {"name": "Ny skole", "kind": "school", "code": "a b"}
    )
    assert "Use letters, digits and - only." in error_next_to(response.text, "code")
    assert read_form(response.text).values["code"] == "a b"
    assert snapshot() == before


def test_the_forms_speak_danish_unless_english_is_chosen(client, db, world):
    login(client, world.system_admin)
    response = post(client, "/admin/organisations/new", {"name": "", "kind": "school", "code": ""})
    assert response.status_code == 200
    assert "Udfyld feltet." in error_next_to(response.text, "name")
