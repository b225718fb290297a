"""The demo's partnership: Partnerskab Syddanmark (demo), Odense as anchor, this year's plan."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import Partnership, Role, User
from tests.conftest import login


def test_demo_partnership_and_its_users(runner, db, client):
    result = runner.invoke(args=["demo-data", "--students", "5"])
    assert result.exit_code == 0, result.output
    partnership = db.session.execute(select(Partnership)).scalar_one()
    assert partnership.name == "Partnerskab Syddanmark (demo)"
    assert partnership.anchor.code == "461"
    assert len(partnership.members) == 4 + 22 + 1
    (plan,) = partnership.plans
    assert plan.year == date.today().year
    assert len(plan.initiatives) == 6
    assert len({i.theme for i in plan.initiatives}) == 3
    assert len({i.status for i in plan.initiatives}) == 4
    coordinator = db.session.execute(
        select(User).where(User.email == "partnerskab@demo.elevsag.dk")
    ).scalar_one()
    assert coordinator.roles == {Role.PARTNERSHIP_COORDINATOR}
    logins = runner.invoke(args=["demo-logins"]).output
    assert "partnerskab@demo.elevsag.dk" in logins and "leder@demo.elevsag.dk" in logins
    assert "Partnerskabskoordinator" in logins and "Leder" in logins
    from app.demo_data import DEMO_PASSWORD

    login(client, coordinator, DEMO_PASSWORD)
    page = client.get(f"/partnership/plans/{plan.id}").text
    assert "Mentorordning for elever i første oplæringsperiode" in page


def test_demo_partnership_meetings(runner, db, client):
    from app.demo_data import DEMO_PASSWORD
    from app.models import MeetingStatus, PartnershipMeeting

    assert runner.invoke(args=["demo-data", "--students", "5"]).exit_code == 0
    db.session.expire_all()
    meetings = (
        db.session.execute(select(PartnershipMeeting).order_by(PartnershipMeeting.on_date))
        .scalars()
        .all()
    )
    held, planned = meetings
    assert held.status == MeetingStatus.HELD and held.on_date < date.today()
    assert held.minutes and held.decisions and held.follow_ups
    decision = held.decisions[0]
    assert decision.initiative.status == decision.new_status
    assert any(
        n.text.startswith("Besluttet på partnerskabsmødet") for n in decision.initiative.notes
    )
    assert planned.status == MeetingStatus.PLANNED and planned.on_date > date.today()
    assert planned.agenda and planned.invitees
    leader = db.session.execute(
        select(User).where(User.email == "leder@demo.elevsag.dk")
    ).scalar_one()
    login(client, leader, DEMO_PASSWORD)
    page = client.get("/partnership/").text
    assert "Dine kommende møder" in page and planned.title in page
