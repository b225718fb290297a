"""The analyst's overview: small counts are hidden so that no total gives them away."""

from __future__ import annotations

from html.parser import HTMLParser

from app.models import StudentStatus
from tests import factories
from tests.conftest import login

HIDDEN = None


class _TableParser(HTMLParser):
    """The overview table as rows of cell texts (header cell first), skipping the bar chart."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = False
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == "overview-table":
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if attrs.get("aria-hidden") == "true":
                self._skip += 1
            else:
                self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        if tag in ("td", "th") and self._in_table:
            if self._skip:
                self._skip -= 1
            elif self._cell is not None:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
                self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def shown_table(html: str) -> list[list[int | None]]:
    """The figures of every body row (and the totals row, if any), the row total last:
    an int where the page shows one, HIDDEN elsewhere."""
    parser = _TableParser()
    parser.feed(html)
    body = [row for row in parser.rows[1:] if len(row) > 2]  # header row first
    return [[int(text) if text.isdigit() else HIDDEN for text in row[1:]] for row in body]


def attackers_subtraction(table: list[list[int | None]], has_totals_row: bool) -> list[str]:
    """Try to recover every hidden figure from a line's total minus its visible cells (and
    from hidden cells that must all be 1, as zeros are shown). Returns what was recovered."""
    lines = [(f"row {i}", row) for i, row in enumerate(table)]
    if has_totals_row:
        lines += [(f"column {j}", [row[j] for row in table]) for j in range(len(table[0]))]
    recovered = []
    for name, line in lines:
        hidden = [k for k, v in enumerate(line) if v is HIDDEN]
        if len(hidden) == 1:
            recovered.append(f"{name}: figure {hidden[0]} by subtraction")
        elif hidden and line[-1] is not HIDDEN:
            rest = line[-1] - sum(v for v in line[:-1] if v is not HIDDEN)
            if rest == len(hidden):
                recovered.append(f"{name}: hidden figures all 1")
    return recovered


def _students(world, code: str, **by_status: int) -> None:
    for status, n in by_status.items():
        for _ in range(n):
            factories.student(world.a.school, code, status=StudentStatus(status))


def test_a_hidden_count_cannot_be_worked_out_from_the_totals(client, db, world):
    # The example: GF1 with 8 active and 1 completed, total 9.
    _students(world, "GF1", active=8, completed=1)
    _students(world, "SSH", active=12, on_leave=6, dropped_out=7, completed=9)
    _students(world, "PA", active=20, on_leave=2, completed=11)
    db.session.commit()
    login(client, world.analyst)
    response = client.get("/overview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = shown_table(html)
    assert table, "the overview table has rows"
    has_totals_row = 'data-testid="overview-totals"' in html
    assert attackers_subtraction(table, has_totals_row) == []
    # Not everything is hidden: SSH's total (all its cells are 5 or more) and the grand total.
    assert has_totals_row
    assert [row[-1] for row in table].count(34) == 1
    # The world's SSA student at school A; school B's is in another partnership.
    assert table[-1][-1] == 1 + 8 + 12 + 6 + 7 + 9 + 20 + 2 + 11 + 1


def test_a_hidden_row_total_draws_no_bar(client, db, world):
    # The world's SSA student at school A and three GF1 students: both totals are hidden, so only
    # PA's row has a bar (a bar's length would give its total away).
    _students(world, "GF1", active=3)
    _students(world, "PA", active=20)
    db.session.commit()
    login(client, world.analyst)
    html = client.get("/overview").get_data(as_text=True)
    assert html.count("<rect") == 1
