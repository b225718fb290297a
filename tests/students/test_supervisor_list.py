"""A practice supervisor's student list: when each student is with them and what is due next,
instead of the school and employer columns that are the same for every row."""

from __future__ import annotations

from app.models import Role
from app.models.base import utcnow
from tests import factories
from tests.conftest import login


def _row(html: str, name: str) -> str:
    start = html.index(name)
    return html[html.rfind("<tr", 0, start) : html.index("</tr>", start)]


def test_the_supervisor_sees_the_period_with_them_and_what_is_due(client, db, world):
    coming, school, training = factories.starting_training(
        world.a.school, world.a.workplace, 5, "Kommersen"
    )
    factories.handover_note(coming, school, training)
    world.a.note.acknowledged_at = utcnow()
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    html = client.get("/students/").text
    table = html[html.index('data-testid="student-table"') :]
    assert '<th scope="col">Hos mig</th>' in table and "Næste frist" in table
    assert ">Skole<" not in table and ">Arbejdsgiver<" not in table
    # The student in training now: the note is acknowledged and the mid-period evaluation is
    # done, so the declaration on training is next, by the period's end.
    row = _row(html, world.a.student.last_name)
    assert "Oplæringserklæring" in row
    assert world.a.workplace.name in row
    # The coming student: first acknowledge the school's handover note, before the start.
    row = _row(html, "Kommersen")
    assert "Kvittér for overleveringsnotatet" in row
    assert training.start_date.strftime("%Y") in row
    assert world.b.student.last_name not in html


def test_other_roles_keep_the_school_and_employer_columns(client, db, world):
    login(client, world.user(Role.TEACHER))
    html = client.get("/students/").text
    table = html[html.index('data-testid="student-table"') :]
    assert ">Skole<" in table and ">Arbejdsgiver<" in table
    assert "Hos mig" not in table
