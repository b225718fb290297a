"""Whose figures the dashboard shows (app.access.figures): the member schools of the user's
partnership, for its analyst, coordinator and leaders; nobody else's."""

from __future__ import annotations

from datetime import date

import pytest

from app.models import OrganisationKind, Role, StudentStatus
from tests import factories
from tests.conftest import login
from tests.indicators.data import enrolled

PARTNERSHIP_USERS = (Role.ANALYST, Role.PARTNERSHIP_COORDINATOR, Role.LEADER)


@pytest.fixture
def schools(db, world):
    """Seven enrolments more at school A (8 in all) and twelve at school B (13 in all), so
    each school's intake is shown."""
    for _ in range(7):
        enrolled(world.a.school, date(2025, 8, 20), StudentStatus.ACTIVE, 2000)
    for _ in range(12):
        enrolled(world.b.school, date(2025, 8, 20), StudentStatus.ACTIVE, 2000)
    db.session.commit()
    return world


def _intake_csv(client, query: str = "") -> str:
    response = client.get(f"/overview/intake.csv?by=school{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", PARTNERSHIP_USERS)
def test_a_user_of_partnership_a_never_sees_partnership_b_schools(client, schools, role):
    login(client, schools.user(role, "a"))
    html = client.get("/overview?by=school").get_data(as_text=True)
    assert "Partnerskab: Partnerskab A" in html
    assert "SOSU-skole A" in html
    assert "SOSU-skole B" not in html and "Partnerskab B" not in html
    text = _intake_csv(client)
    assert "SOSU-skole A" in text and "SOSU-skole B" not in text
    # The intake in all is school A's 8 enrolments, not 21.
    assert text.splitlines()[-1].endswith(";8")
    # Partnership B cannot be asked for.
    assert client.get(f"/overview?partnership={schools.b.partnership.id}").status_code == 404
    response = client.get(f"/overview/intake.csv?partnership={schools.b.partnership.id}")
    assert response.status_code == 404
    assert client.get("/overview?partnership=abc").status_code == 404


def test_the_other_partnership_sees_its_own_schools(client, schools):
    login(client, schools.b.users[Role.LEADER])
    text = _intake_csv(client)
    assert "SOSU-skole B" in text and "SOSU-skole A" not in text
    assert text.splitlines()[-1].endswith(";13")


def test_a_user_in_two_partnerships_chooses_one(client, schools, db):
    both = factories.partnership("Partnerskab C", schools.b.municipality, schools.b.school)
    both.members.append(schools.a.municipality)
    db.session.commit()
    login(client, schools.analyst)
    html = client.get("/overview").get_data(as_text=True)
    # The first by name, and a choice of the two.
    assert "Partnerskab: Partnerskab A" in html
    assert 'data-testid="partnership-chooser"' in html and "Partnerskab C" in html
    html = client.get(f"/overview?partnership={both.id}").get_data(as_text=True)
    assert "Partnerskab: Partnerskab C" in html
    assert "SOSU-skole B" in html and "SOSU-skole A" not in html
    assert f"partnership={both.id}" in html  # the CSV links keep the choice
    assert "SOSU-skole B" in _intake_csv(client, f"&partnership={both.id}")


def test_a_user_in_no_partnership_gets_a_page_that_says_so(client, db):
    school = factories.organisation(OrganisationKind.SCHOOL, "Skole uden partnerskab")
    analyst = factories.user(Role.ANALYST, school, email="alene.analytiker@example.org")
    db.session.commit()
    login(client, analyst)
    response = client.get("/overview")
    assert response.status_code == 200
    assert "ikke medlem af et partnerskab" in response.get_data(as_text=True)
    assert client.get("/overview/intake.csv").status_code == 404


@pytest.mark.parametrize("role", PARTNERSHIP_USERS)
def test_the_partnership_users_have_the_dashboard_in_the_menu(client, world, role):
    login(client, world.user(role, "a"))
    html = client.get("/partnership/").get_data(as_text=True)
    assert 'href="/overview"' in html


def test_a_case_role_has_no_figures(client, world):
    login(client, world.a.users[Role.COUNSELLOR])
    assert client.get("/overview").status_code == 403
    assert 'href="/overview"' not in client.get("/my-overview").get_data(as_text=True)
