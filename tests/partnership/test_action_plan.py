"""The partnership's annual action plan: initiatives, status, progress notes, carry-over, and
who may reach what (app.partnership, app.access.partnership)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import (
    ActionPlan,
    AuditAction,
    AuditEvent,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    Role,
)
from tests import factories
from tests.conftest import login, post

YEAR = date.today().year


def _form(**fields) -> dict:
    data = {
        "theme": "Overgange",
        "title": "Overleveringsnoter i god tid",
        "description": "",
        "owner": "",
        "responsible_user": "",
        "responsible_name": "Karen Lund",
        "deadline": f"{YEAR}-11-30",
        "status": "planned",
        "indicator": "handover_timeliness",
        "baseline": "62",
        "target": "90,5",
    }
    data.update(fields)
    return data


def _coordinator(world):
    return world.a.users[Role.PARTNERSHIP_COORDINATOR]


# --- creating and editing an initiative ----------------------------------------------------------


def test_coordinator_creates_an_initiative(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/plans/{world.a.plan.id}/initiatives/new",
        _form(owner=str(world.a.municipality.id)),
    )
    assert response.status_code == 302
    made = db.session.execute(
        select(Initiative).where(Initiative.title == "Overleveringsnoter i god tid")
    ).scalar_one()
    assert made.plan_id == world.a.plan.id
    assert made.owner_id == world.a.municipality.id
    assert made.responsible == "Karen Lund"
    assert made.target == Decimal("90.5") and made.baseline == Decimal("62")
    assert made.created_by_id == _coordinator(world).id
    audit = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "initiative", AuditEvent.object_id == made.id
        )
    ).scalar_one()
    assert audit.action == AuditAction.CREATE and audit.user_id == _coordinator(world).id
    page = client.get(f"/partnership/plans/{world.a.plan.id}").text
    assert "Overleveringsnoter i god tid" in page
    assert "Planlagt" in page


def test_invalid_initiative_is_shown_at_its_fields_in_danish(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/plans/{world.a.plan.id}/initiatives/new",
        _form(
            title="",
            owner="",
            baseline="mange",
            indicator="",
            target="",
            deadline="31-12-2026",
        ),
    )
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="error-title"' in page and "Udfyld feltet." in page
    assert 'data-testid="error-owner"' in page
    assert "Vælg den organisation, der ejer indsatsen." in page
    assert 'data-testid="error-baseline"' in page and "Skriv et tal, fx 12,5." in page
    assert 'data-testid="error-deadline"' in page and "Ugyldig dato." in page
    # What was typed is kept.
    assert 'value="mange"' in page and 'value="Karen Lund"' in page
    count = db.session.execute(select(Initiative).where(Initiative.plan_id == world.a.plan.id))
    assert len(count.scalars().all()) == 1  # only the world's own


def test_a_target_needs_its_indicator(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/plans/{world.a.plan.id}/initiatives/new",
        _form(owner=str(world.a.school.id), indicator=""),
    )
    assert response.status_code == 200
    assert 'data-testid="error-indicator"' in response.text
    assert "Vælg den indikator, som udgangspunkt og mål er tal for." in response.text


def test_a_deadline_before_the_plan_year_is_refused_at_the_field(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/plans/{world.a.plan.id}/initiatives/new",
        _form(owner=str(world.a.school.id), deadline=f"{YEAR - 1}-06-01"),
    )
    assert response.status_code == 200
    assert 'data-testid="error-deadline"' in response.text
    assert f"Fristen skal ligge i {YEAR} eller senere." in response.text


def test_status_change_is_saved_and_attributed(client, db, world, login_as):
    initiative = world.a.initiative
    login_as(_coordinator(world))
    form = _form(
        theme=initiative.theme,
        title=initiative.title,
        owner=str(initiative.owner_id),
        status="done",
        version=str(initiative.version_id),
    )
    response = post(client, f"/partnership/initiatives/{initiative.id}/edit", form)
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert initiative.status == InitiativeStatus.DONE
    assert initiative.updated_by_id == _coordinator(world).id
    audit = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "initiative",
            AuditEvent.object_id == initiative.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
    ).scalar_one()
    assert audit.criterion == "status=planned->done"
    assert "Udført" in client.get(f"/partnership/initiatives/{initiative.id}").text


def test_a_stale_edit_is_refused(client, db, world, login_as):
    initiative = world.a.initiative
    login_as(_coordinator(world))
    seen = initiative.version_id
    initiative.title = "Ændret af en anden"
    db.session.commit()
    form = _form(
        theme=initiative.theme,
        title="Min ændring",
        owner=str(initiative.owner_id),
        version=str(seen),
    )
    response = post(
        client, f"/partnership/initiatives/{initiative.id}/edit", form, follow_redirects=True
    )
    assert "En anden har ændret dette, mens du redigerede." in response.text
    db.session.refresh(initiative)
    assert initiative.title == "Ændret af en anden"


# --- progress notes ------------------------------------------------------------------------------


def test_progress_note_is_added_with_its_author(client, db, world, login_as):
    initiative = world.a.initiative
    leader = world.a.users[Role.LEADER]
    login_as(leader)
    response = post(
        client,
        f"/partnership/initiatives/{initiative.id}/notes",
        {"text": "Tre mentorer er fundet.", "noted_on": f"{YEAR}-02-01"},
    )
    assert response.status_code == 302
    note = db.session.execute(select(InitiativeNote)).scalar_one()
    assert note.author_id == leader.id and note.noted_on == date(YEAR, 2, 1)
    page = client.get(f"/partnership/initiatives/{initiative.id}").text
    assert "Tre mentorer er fundet." in page and leader.name in page


def test_an_empty_progress_note_is_refused_at_the_field(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/initiatives/{world.a.initiative.id}/notes",
        {"text": "  ", "noted_on": f"{YEAR}-02-01"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-text"' in response.text
    assert db.session.execute(select(InitiativeNote)).first() is None


# --- carry-over ----------------------------------------------------------------------------------


def test_carry_over_copies_only_the_unfinished_and_refuses_twice(client, db, world, login_as):
    plan = world.a.plan
    school, municipality = world.a.school, world.a.municipality
    going = factories.initiative(
        plan, municipality, "I gang-indsats", status=InitiativeStatus.IN_PROGRESS
    )
    factories.initiative(plan, school, "Udført indsats", status=InitiativeStatus.DONE)
    factories.initiative(plan, school, "Opgivet indsats", status=InitiativeStatus.DROPPED)
    db.session.commit()
    login_as(_coordinator(world))
    response = post(client, f"/partnership/plans/{plan.id}/carry-over")
    assert response.status_code == 302
    following = db.session.execute(
        select(ActionPlan).where(
            ActionPlan.partnership_id == plan.partnership_id, ActionPlan.year == plan.year + 1
        )
    ).scalar_one()
    copies = {i.title: i for i in following.initiatives}
    assert set(copies) == {"Mentorordning A", "I gang-indsats"}
    assert copies["I gang-indsats"].carried_from_id == going.id
    assert copies["I gang-indsats"].status == InitiativeStatus.IN_PROGRESS
    page = client.get(response.headers["Location"]).text
    assert f"Videreført fra {plan.year}" in page

    again = post(client, f"/partnership/plans/{plan.id}/carry-over", follow_redirects=True)
    assert "Handleplanen for" in again.text and "er videreført før" in again.text
    plans = db.session.execute(
        select(ActionPlan).where(ActionPlan.partnership_id == plan.partnership_id)
    ).scalars()
    assert len(plans.all()) == 2


def test_a_leader_may_not_carry_over(client, db, world, login_as):
    login_as(world.a.users[Role.LEADER])
    assert post(client, f"/partnership/plans/{world.a.plan.id}/carry-over").status_code == 403


# --- who sees what -------------------------------------------------------------------------------


def test_a_leader_of_a_member_sees_the_plan_and_edits_only_their_own(client, db, world, login_as):
    theirs = factories.initiative(world.a.plan, world.a.municipality, "Kommunens indsats")
    db.session.commit()
    login_as(world.a.users[Role.LEADER])  # the school's leader
    page = client.get(f"/partnership/plans/{world.a.plan.id}").text
    assert "Mentorordning A" in page and "Kommunens indsats" in page
    assert client.get(f"/partnership/initiatives/{world.a.initiative.id}/edit").status_code == 200
    assert client.get(f"/partnership/initiatives/{theirs.id}/edit").status_code == 403
    # A new initiative: only their own organisation is offered as its owner.
    form = client.get(f"/partnership/plans/{world.a.plan.id}/initiatives/new").text
    assert world.a.school.name in form and world.a.municipality.name not in form
    refused = post(
        client,
        f"/partnership/plans/{world.a.plan.id}/initiatives/new",
        _form(owner=str(world.a.municipality.id)),
    )
    assert refused.status_code == 200
    assert (
        db.session.execute(
            select(Initiative).where(Initiative.title == "Overleveringsnoter i god tid")
        ).first()
        is None
    )


def test_a_coordinator_of_another_partnership_gets_404(client, db, world, login_as):
    login_as(world.b.users[Role.PARTNERSHIP_COORDINATOR])
    for url in (
        f"/partnership/{world.a.partnership.id}",
        f"/partnership/plans/{world.a.plan.id}",
        f"/partnership/initiatives/{world.a.initiative.id}",
        f"/partnership/initiatives/{world.a.initiative.id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert "Partnerskab A" not in client.get("/partnership/").text


def test_partnership_roles_never_reach_a_named_student(app, db, world):
    for role in (Role.PARTNERSHIP_COORDINATOR, Role.LEADER):
        client = app.test_client()  # (an IsolatedClient, as the fixture's)
        login(client, world.a.users[role])
        assert client.get("/partnership/").status_code == 200  # logged in as `role`
        assert client.get("/students/").status_code in (403, 404)
        response = client.get(f"/students/{world.a.student.id}")
        assert response.status_code in (403, 404)
        assert world.a.student.last_name not in response.text
        for page in ("/partnership/", f"/partnership/plans/{world.a.plan.id}"):
            assert world.a.student.last_name not in client.get(page).text


def test_nav_shows_partnership_to_its_roles(app, client, db, world, login_as):
    login_as(world.a.users[Role.LEADER])
    assert 'href="/partnership/"' in client.get("/partnership/").text
    other = app.test_client()
    login(other, world.a.users[Role.COUNSELLOR])
    page = other.get("/students/")
    assert page.status_code == 200 and 'href="/partnership/"' not in page.text


# --- the list: filtered and paged, in a bounded number of queries --------------------------------


def test_plan_is_filtered_by_status_and_owner(client, db, world, login_as):
    plan = world.a.plan
    factories.initiative(plan, world.a.municipality, "Kommunal igang", InitiativeStatus.IN_PROGRESS)
    factories.initiative(plan, world.a.school, "Skolens færdige", status=InitiativeStatus.DONE)
    db.session.commit()
    login_as(_coordinator(world))
    page = client.get(f"/partnership/plans/{plan.id}?status=done").text
    assert "Skolens færdige" in page and "Kommunal igang" not in page
    page = client.get(f"/partnership/plans/{plan.id}?owner={world.a.municipality.id}").text
    assert "Kommunal igang" in page and "Mentorordning A" not in page
    # A value that is not a choice filters nothing, and is no error.
    page = client.get(f"/partnership/plans/{plan.id}?status=nonsense&owner=x")
    assert page.status_code == 200 and "Mentorordning A" in page.text


def test_plan_page_is_paged_and_takes_a_bounded_number_of_queries(
    client, db, world, login_as, count_queries
):
    login_as(_coordinator(world))
    url = f"/partnership/plans/{world.a.plan.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    previous = factories.action_plan(world.a.partnership, YEAR - 1)
    for n in range(60):
        carried = factories.initiative(previous, world.a.school, f"Gammel {n}")
        factories.initiative(
            world.a.plan,
            world.a.municipality if n % 2 else world.a.school,
            f"Indsats {n:02d}",
            theme=f"Tema {n % 3}",
            carried_from_id=carried.id,
            responsible_user_id=_coordinator(world).id,
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200
    assert many.count <= few.count + 1, many.statements
    assert 'data-testid="page-next"' in page.text
    second = client.get(url + "?page=2").text
    assert "Videreført fra" in second


def test_the_analyst_only_reads_and_a_leader_writes_no_note_on_anothers(
    app, client, db, world, login_as
):
    theirs = factories.initiative(world.a.plan, world.a.municipality, "Kommunens indsats")
    db.session.commit()
    login_as(world.analyst)
    page = client.get(f"/partnership/plans/{world.a.plan.id}").text
    assert "Mentorordning A" in page
    assert 'data-testid="new-initiative"' not in page and "carry-over" not in page
    initiative_page = client.get(f"/partnership/initiatives/{world.a.initiative.id}").text
    assert 'data-testid="edit-initiative"' not in initiative_page
    assert 'data-testid="note-form"' not in initiative_page
    assert client.get(f"/partnership/initiatives/{world.a.initiative.id}/edit").status_code == 403
    leader = app.test_client()
    login(leader, world.a.users[Role.LEADER])
    refused = post(
        leader,
        f"/partnership/initiatives/{theirs.id}/notes",
        {"text": "Ikke min", "noted_on": f"{YEAR}-02-01"},
    )
    assert refused.status_code == 403
    assert db.session.execute(select(InitiativeNote)).first() is None


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_COORDINATOR, Role.LEADER])
def test_partnership_roles_land_on_the_partnership_after_login(client, world, login_as, role):
    login_as(world.a.users[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/partnership/")
