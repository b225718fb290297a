"""The dashboard's figures computed ahead (app.main.snapshots, `flask figures refresh`): stored
per partnership and suppressed, replaced by a refresh, read by the page in a few statements."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.models import FigureSnapshot, Role, StudentStatus
from tests.conftest import login
from tests.indicators.data import enrolled


def _students(school, n: int) -> None:
    for _ in range(n):
        enrolled(school, date(2025, 8, 20), StudentStatus.ACTIVE, 2000)


def _refresh(runner, *args: str) -> str:
    result = runner.invoke(args=["figures", "refresh", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _intake_total(client) -> str:
    response = client.get("/overview/intake.csv?by=school")
    assert response.status_code == 200
    return response.get_data(as_text=True).splitlines()[-1].split(";")[-1]


def _snapshots(db) -> dict:
    return {s.partnership_id: s for s in db.session.execute(select(FigureSnapshot)).scalars()}


def _stored_numbers(stored) -> list:
    """Every figure stored in a snapshot's tables (None for a hidden one)."""
    out = []
    for table in stored["tables"].values():
        out += [v for row in table["cells"] for v in row]
        out += table["row_totals"] + table["column_totals"] + [table["grand_total"]]
    students = stored["students"]
    out += [v for row in students["cells"] for v in row] + students["row_totals"]
    return out


def test_each_partnership_has_its_own_snapshot(client, db, world, runner):
    _students(world.a.school, 8)
    _students(world.b.school, 12)
    db.session.commit()
    assert "2 partnership(s)" in _refresh(runner)
    stored = _snapshots(db)
    a, b = stored[world.a.partnership.id], stored[world.b.partnership.id]
    names_a = {name for _, name in a.figures["names"]}
    names_b = {name for _, name in b.figures["names"]}
    assert "SOSU-skole A" in names_a and "SOSU-skole B" not in names_a
    assert "SOSU-skole B" in names_b and "SOSU-skole A" not in names_b
    # Partnership A's users see A's figures (the world's student and 8 more), never B's.
    login(client, world.user(Role.LEADER, "a"))
    html = client.get("/overview?by=school").get_data(as_text=True)
    assert "SOSU-skole A" in html and "SOSU-skole B" not in html
    assert _intake_total(client) == "9"


def test_only_suppressed_figures_are_stored(client, db, world, runner):
    _students(world.a.school, 3)  # with the world's student, 4 at school A: a small count
    db.session.commit()
    _refresh(runner)
    numbers = _stored_numbers(_snapshots(db)[world.a.partnership.id].figures)
    assert None in numbers, "the small counts are stored hidden"
    assert not [v for v in numbers if v is not None and 0 < v < 5]


def test_a_refresh_replaces_the_stored_figures(client, db, world, runner):
    _students(world.a.school, 8)
    db.session.commit()
    _refresh(runner)
    first = _snapshots(db)[world.a.partnership.id].computed_at
    login(client, world.analyst)
    assert _intake_total(client) == "9"
    # New students count only from the next refresh: the page shows the stored figures.
    _students(world.a.school, 6)
    db.session.commit()
    assert _intake_total(client) == "9"
    _refresh(runner, "--partnership", str(world.a.partnership.id))
    assert _intake_total(client) == "15"
    rows = db.session.execute(
        select(func.count())
        .select_from(FigureSnapshot)
        .where(FigureSnapshot.partnership_id == world.a.partnership.id)
    ).scalar_one()
    assert rows == 1
    db.session.expire_all()
    assert _snapshots(db)[world.a.partnership.id].computed_at >= first


def test_if_missing_leaves_stored_figures_alone(db, world, runner):
    _refresh(runner, "--partnership", str(world.a.partnership.id))
    before = _snapshots(db)
    assert set(before) == {world.a.partnership.id}
    computed_a = before[world.a.partnership.id].computed_at
    assert "1 partnership(s)" in _refresh(runner, "--if-missing")
    db.session.expire_all()
    after = _snapshots(db)
    assert set(after) == {world.a.partnership.id, world.b.partnership.id}
    assert after[world.a.partnership.id].computed_at == computed_a
    result = runner.invoke(args=["figures", "refresh", "--partnership", "999999"])
    assert result.exit_code != 0 and "999999" in result.output


def test_the_first_request_computes_missing_figures_once(client, db, world, count_queries):
    _students(world.a.school, 8)
    db.session.commit()
    assert _snapshots(db) == {}
    login(client, world.analyst)
    assert _intake_total(client) == "9"
    assert set(_snapshots(db)) == {world.a.partnership.id}
    with count_queries() as again:
        assert client.get("/overview").status_code == 200
    assert again.count <= 5


def test_the_page_says_when_the_figures_were_computed(client, db, world, runner):
    _refresh(runner)
    login(client, world.analyst)
    html = client.get("/overview").get_data(as_text=True)
    line = html.split('data-testid="figures-computed">')[1].split("</p>")[0]
    assert line.startswith("Tallene er beregnet ")
    assert " kl. " in line and line.endswith("; de opdateres hver nat.")
    assert str(date.today().year) in line


def test_the_dashboard_reads_a_fixed_few_statements(client, db, world, runner, count_queries):
    login(client, world.analyst)
    _students(world.a.school, 10)
    db.session.commit()
    _refresh(runner)
    with count_queries() as small:
        assert client.get("/overview?by=municipality").status_code == 200
    _students(world.a.school, 190)
    db.session.commit()
    _refresh(runner)
    with count_queries() as large:
        assert client.get("/overview?by=municipality").status_code == 200
    assert large.count == small.count, "the dashboard's statements grow with the data"
    # The session and the user (2), the user's partnerships (1), the stored figures (1).
    assert small.count <= 5, small.statements
    with count_queries() as download:
        assert client.get("/overview/handover.csv?by=cohort").status_code == 200
    # The same, and the access-log row the download writes.
    assert download.count <= 6, download.statements
