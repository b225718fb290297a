""" "My overview": where every case role lands, with what needs them today, each part with a
count and a link to its list; never another organisation's tasks; a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import MeasureType, Membership, Role
from tests import factories
from tests.conftest import login, post
from tests.factories import Side, World


def _part(html: str, name: str) -> str:
    """The HTML of one part of the overview (empty when the page has no such part)."""
    start = html.find(f'data-testid="part-{name}"')
    if start < 0:
        return ""
    end = html.find("</section>", start)
    return html[start:end]


def _count(html: str, name: str) -> int:
    part = _part(html, name)
    marker = 'data-testid="count">'
    at = part.index(marker) + len(marker)
    return int(part[at : part.index("<", at)])


def _overview(client, user) -> str:
    login(client, user)
    response = client.get("/my-overview")
    assert response.status_code == 200
    return response.text


def _starting_student(side: Side, days: int = 10, note: bool = False, last_name: str = ""):
    s, school, training = factories.starting_training(
        side.school, side.workplace, days, last_name or None
    )
    if note:
        factories.handover_note(s, school, training)
    return s


def _follow_up(side: Side, days: int, last_name: str = "", owner: Role = Role.COUNSELLOR):
    s = factories.student(side.school, last_name=last_name or None)
    return factories.support_measure(
        s,
        MeasureType.MENTOR,
        side.users[owner],
        follow_up=date.today() + timedelta(days=days),
    )


def test_a_case_role_lands_on_my_overview_and_finds_it_first_in_the_menu(client, world: World):
    login(client, world.user(Role.TEACHER))
    assert client.get("/").headers["Location"] == "/my-overview"
    html = client.get("/my-overview").text
    assert "<h1>Mit overblik</h1>" in html
    menu = html[html.index('class="navigation-menu"') :]
    assert menu.index("Mit overblik") < menu.index("Mine elever")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SYSTEM_ADMIN])
def test_roles_without_cases_keep_their_own_landing_page(client, world: World, role):
    login(client, world.user(role))
    assert client.get("/").headers["Location"] in ("/overview", "/admin/")
    assert client.get("/my-overview").status_code == 403


def test_a_counsellor_sees_follow_ups_due_and_overdue_and_never_another_schools(
    client, world: World
):
    _follow_up(world.a, -3, "Forsinketsen")
    _follow_up(world.a, 5, "Snartsen")
    _follow_up(world.a, 60, "Senereborg")  # not due within two weeks
    _follow_up(world.b, -3, "Fremmedsen")
    db.session.commit()
    html = _overview(client, world.user(Role.COUNSELLOR))
    part = _part(html, "follow_ups")
    assert _count(html, "follow_ups") == 2
    assert "Forsinketsen" in part and "Snartsen" in part
    assert "Senereborg" not in html and "Fremmedsen" not in html
    assert 'data-testid="overdue-count">1 overdue' in part or "1 forsinket" in part
    assert 'href="/follow-ups"' in part


def test_a_teacher_sees_the_handover_notes_to_write_and_the_workplace_acknowledges_them(
    client, world: World
):
    _starting_student(world.a, last_name="Skrivesen")
    _starting_student(world.a, note=True, last_name="Kvitteresen")
    _starting_student(world.b, last_name="Fremmedsen")
    db.session.commit()
    html = _overview(client, world.user(Role.TEACHER))
    assert "Skrivesen" in _part(html, "notes_to_write")
    assert _count(html, "notes_to_write") == 1
    assert "/handovers/" in _part(html, "notes_to_write")
    # The school sends this note; acknowledging it is the workplace's task, not the school's.
    assert _count(html, "notes_to_acknowledge") == 0
    assert "Fremmedsen" not in html

    post(client, "/logout")
    html = _overview(client, world.user(Role.SUPERVISOR))
    part = _part(html, "notes_to_acknowledge")
    assert _count(html, "notes_to_acknowledge") == 1
    assert "Kvitteresen" in part
    assert "status=written" in part
    assert _count(html, "notes_to_write") == 0
    assert _count(html, "starting_soon") == 2
    assert "Fremmedsen" not in html


def test_the_employer_acknowledges_notes_at_its_workplaces_and_for_its_students_not_yet_placed(
    client, world: World
):
    """The municipality's side of a transition: a training period at one of its workplaces, or
    one with no workplace yet for a student it employs; never another employer's student, even
    one the same person sees through a second role at the school."""
    _starting_student(world.a, note=True, last_name="Arbejdsstedsen")
    unplaced, school, training = factories.starting_training(
        world.a.school, world.a.workplace, 12, "Uplacerethansen"
    )
    training.workplace_id = None  # the place is found later; the employer is known
    factories.handover_note(unplaced, school, training)
    # At the same school, employed by the other municipality, its place not found yet either.
    other, school, training = factories.starting_training(
        world.a.school, world.b.workplace, 9, "Andenkommunesen"
    )
    training.workplace_id = None
    factories.handover_note(other, school, training)
    _starting_student(world.b, note=True, last_name="Fremmedsen")
    # Notes to write: the school sends them, so only for the students of this one's school.
    _starting_student(world.a, last_name="Egenskolesen")
    elsewhere = factories.starting_training(world.b.school, world.a.workplace, 11, "Andenskolesen")
    coordinator = world.user(Role.TRAINING_COORDINATOR)
    # Also the school's counsellor: sees every student of the school, receives none of these.
    coordinator.memberships.append(Membership(role=Role.COUNSELLOR, organisation=world.a.school))
    db.session.commit()

    html = _overview(client, coordinator)
    part = _part(html, "notes_to_acknowledge")
    assert "Arbejdsstedsen" in part
    assert "Uplacerethansen" in part
    assert "Andenkommunesen" not in part
    assert _count(html, "notes_to_acknowledge") == 2
    assert "Fremmedsen" not in html
    # The other school's student is theirs as employer, but the note is the other school's.
    assert elsewhere[0].last_name in html  # in "starting soon at my workplace"
    to_write = _part(html, "notes_to_write")
    assert "Egenskolesen" in to_write
    assert "Andenskolesen" not in to_write


def test_school_contacts_see_open_warnings_and_recent_concerns(client, world: World):
    html = _overview(client, world.user(Role.TEACHER))
    assert _count(html, "warnings") == 1
    assert _count(html, "concerns") == 1
    assert world.a.student.last_name in _part(html, "warnings")
    assert world.b.student.last_name not in html
    assert 'href="/from-training"' in _part(html, "warnings")


def test_action_items_and_reviews_of_the_week(client, world: World):
    factories.review_objects(world.a)
    factories.review_objects(world.b)
    db.session.commit()
    html = _overview(client, world.user(Role.TRAINING_COORDINATOR))
    assert _count(html, "action_items") == 1
    assert "Ring til eleven" in _part(html, "action_items")
    assert _count(html, "reviews") == 1
    assert world.b.student.last_name not in html
    # The coordinator has no school parts.
    assert _part(html, "follow_ups") == "" and _part(html, "warnings") == ""


def test_an_empty_part_says_there_is_nothing_to_do(client, world: World):
    html = _overview(client, world.user(Role.SUPERVISOR))
    assert "Intet at gøre." in _part(html, "action_items")
    assert _count(html, "action_items") == 0


def _many(world: World, n: int, role: Role) -> None:
    """n more of everything the overview counts, on both sides, for the user in `role`."""
    for side in (world.a, world.b):
        for i in range(n):
            _follow_up(side, i % 10 - 5, owner=(Role.COUNSELLOR, Role.TEACHER)[i % 2])
            _starting_student(side, days=5 + i % 10, note=i % 2 == 0)
        factories.warning(side.training_period, side.users[Role.SUPERVISOR])
        factories.experience(side.training_period, side.users[Role.SUPERVISOR], concern=True)
        for _ in range(n):
            factories.review_objects(side)
            side.review.participants.append(side.users[role])
            side.action_item.owner_id = side.users[role].id
    db.session.commit()


QUERY_LIMIT = 20  # the counsellor's overview runs 20 today, two of them the signs of risk


@pytest.mark.parametrize(
    "role", [Role.COUNSELLOR, Role.TEACHER, Role.SUPERVISOR, Role.TRAINING_COORDINATOR]
)
def test_the_overview_runs_a_fixed_number_of_queries(client, world: World, count_queries, role):
    user = world.user(role)
    login(client, user)
    _many(world, 1, role)
    with count_queries() as small:
        assert client.get("/my-overview").status_code == 200
    _many(world, 12, role)
    with count_queries() as large:
        html = client.get("/my-overview").text
    assert large.count == small.count, "the overview's queries grow with the data"
    assert large.count <= QUERY_LIMIT
    # The parts did grow: more than the few entries each shows.
    name = "starting_soon" if role is Role.SUPERVISOR else "transitions"
    assert _count(html, name) > 3
    assert _count(html, "action_items") > 3
