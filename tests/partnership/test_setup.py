"""The system administrator sets a partnership up: its members and its anchor municipality."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditAction, AuditEvent, Partnership
from tests.conftest import post


def test_system_admin_creates_a_partnership(client, db, world, login_as):
    login_as(world.system_admin)
    members = [world.a.school.id, world.a.municipality.id, world.b.municipality.id]
    response = post(
        client,
        "/partnership/admin/new",
        {
            "name": "Partnerskab Test",
            "start_year": "2026",
            "end_year": "2028",
            "members": [str(m) for m in members],
            "anchor": str(world.b.municipality.id),
        },
    )
    assert response.status_code == 302
    made = db.session.execute(
        select(Partnership).where(Partnership.name == "Partnerskab Test")
    ).scalar_one()
    assert {m.id for m in made.members} == set(members)
    assert made.anchor_id == world.b.municipality.id
    assert db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "partnership", AuditEvent.action == AuditAction.CREATE
        )
    ).first()
    assert "Partnerskab Test" in client.get("/partnership/").text


def test_the_anchor_must_be_a_member_and_the_years_in_order(client, db, world, login_as):
    login_as(world.system_admin)
    response = post(
        client,
        "/partnership/admin/new",
        {
            "name": "Partnerskab Test",
            "start_year": "2027",
            "end_year": "2026",
            "members": [str(world.a.school.id)],
            "anchor": str(world.b.municipality.id),
        },
    )
    assert response.status_code == 200
    assert "Ankerkommunen skal være et af medlemmerne." in response.text
    assert "Sidste år kan ikke ligge før første år." in response.text
    assert 'value="Partnerskab Test"' in response.text
    assert (
        db.session.execute(
            select(Partnership).where(Partnership.name == "Partnerskab Test")
        ).first()
        is None
    )


def test_system_admin_does_not_open_a_partnership_plan(client, db, world, login_as):
    login_as(world.system_admin)
    assert client.get(f"/partnership/plans/{world.a.plan.id}").status_code == 403
