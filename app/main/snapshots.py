"""The partnership dashboard's figures, computed ahead and stored (app.models.FigureSnapshot).

`refresh` computes every table of every breakdown for a partnership with the SQL of
app.main.indicators and the joint suppression of app.statistics, and stores only what may be
shown: a hidden figure is stored as null, never its count. `flask figures refresh` runs it for
every partnership (nightly, from cron); the dashboard and its CSV downloads read the stored
figures (`current`), a fixed few statements however many students there are. A partnership
with no stored figures yet gets them computed and stored by the first request that asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.access.figures import FigureScope, scope_of
from app.extensions import db
from app.main.indicators import (
    ORGANISATION_BREAKDOWNS,
    SPS_HOURS_LABEL,
    TABLES,
    Breakdown,
    Figures,
    Sums,
    Table,
    definitions,
    groups,
    hour_sums,
    table_of,
)
from app.models import (
    FigureSnapshot,
    Partnership,
    Programme,
    Student,
    StudentStatus,
)
from app.models.base import today as today_
from app.models.base import utcnow
from app.statistics import Figure, SuppressedTable, suppress

FORMAT = 2  # the layout of FigureSnapshot.figures; a snapshot of another layout is recomputed


def _shown(figure: Figure):
    """What is stored of a figure: its value, or None when it is hidden."""
    if figure.hidden:
        return None
    return str(figure.value) if isinstance(figure.value, Decimal) else figure.value


def _figure(stored, kind=int) -> Figure:
    return Figure(None, True) if stored is None else Figure(kind(stored), False)


def _store_table(t: SuppressedTable) -> dict:
    return {
        "rows": list(t.rows),
        "columns": list(t.columns),
        "cells": [[_shown(t.cells[(r, c)]) for c in t.columns] for r in t.rows],
        "row_totals": [_shown(t.row_totals[r]) for r in t.rows],
        "column_totals": [_shown(t.column_totals[c]) for c in t.columns],
        "grand_total": _shown(t.grand_total),
    }


def _load_table(stored: Mapping) -> SuppressedTable:
    rows, columns = stored["rows"], stored["columns"]
    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells={
            (r, c): _figure(v)
            for r, line in zip(rows, stored["cells"], strict=True)
            for c, v in zip(columns, line, strict=True)
        },
        row_totals={r: _figure(v) for r, v in zip(rows, stored["row_totals"], strict=True)},
        column_totals={
            c: _figure(v) for c, v in zip(columns, stored["column_totals"], strict=True)
        },
        grand_total=_figure(stored["grand_total"]),
    )


def _key(name: str, by: Breakdown) -> str:
    return f"{name}:{by.value}"


def _students(scope: FigureScope) -> dict:
    """The first table of the page: students per programme and current status, suppressed."""
    rows = db.session.execute(
        select(Programme.code, Programme.name, Student.status, func.count(Student.id))
        .join(Student, Student.programme_id == Programme.id)
        .where(scope.students())
        .group_by(Programme.code, Programme.name, Student.status)
        .order_by(Programme.code)
    ).all()
    names: dict[str, str] = {}
    counts: dict[tuple[str, StudentStatus], int] = {}
    for code, name, status, count in rows:
        names[code] = name
        counts[(code, StudentStatus(status))] = count
    statuses = list(StudentStatus)
    stored = _store_table(suppress(counts, list(names), statuses))
    stored["columns"] = [s.value for s in statuses]
    stored["names"] = [names[code] for code in names]
    return stored


def compute(scope: FigureScope, day: date) -> dict:
    """Every table of the dashboard for `scope` as of `day`, suppressed, as stored."""
    figures = Figures(scope, Breakdown.SCHOOL, day)
    tables = figures.suppressed()
    stored = {key: _store_table(t.figures) for key, t in tables.items()}
    out = {_key(name, by): value for (name, by), value in stored.items()}
    for by in Breakdown:
        support = out[_key("support", by)]
        sums = hour_sums(SPS_HOURS_LABEL, support["rows"], figures.sps_hours(by))
        support["sums"] = {
            "rows": [_shown(sums.rows[r]) for r in support["rows"]],
            "total": _shown(sums.total),
        }
    # The intake tables' columns are the groups of their breakdown, the others' rows.
    organisations = {
        k
        for (name, by), t in tables.items()
        if by in ORGANISATION_BREAKDOWNS
        for k in (t.figures.columns if name == "intake" else t.figures.rows)
    }
    known = figures.organisation_names()
    names = [(k, known[k]) for k in sorted(organisations) if k in known]
    codes = {k: p.code for k, p in figures.programmes.items()}
    return {
        "format": FORMAT,
        "students": _students(scope),
        "names": [[k, name] for k, name in names],
        "codes": [[k, code] for k, code in codes.items()],
        "tables": out,
    }


@dataclass
class Snapshot:
    """The stored figures of one partnership, as the dashboard shows them."""

    computed_at: datetime
    as_of: date
    figures: dict

    def _groups(self, by: Breakdown, keys):
        codes = dict(self.figures["codes"])
        names = dict(self.figures["names"])
        return groups(by, keys, codes, names)

    def table(self, name: str, by: Breakdown) -> Table:
        """One table in a breakdown (the intake by cohort is shown by programme)."""
        key = (
            ("intake", Breakdown.PROGRAMME)
            if name == "intake" and by is Breakdown.COHORT
            else (
                name,
                by,
            )
        )
        stored = self.figures["tables"][_key(*key)]
        table = table_of(key, _load_table(stored), definitions(), self._groups)
        if "sums" in stored:
            sums = stored["sums"]
            table.sums = Sums(
                label=SPS_HOURS_LABEL,
                rows={
                    r: _figure(v, Decimal) for r, v in zip(table.rows, sums["rows"], strict=True)
                },
                total=_figure(sums["total"], Decimal),
            )
        if name == "risk_dropouts":
            table.denominators = self.table("risk_population", by)
        return table

    def tables(self, by: Breakdown) -> dict[str, Table]:
        return {name: self.table(name, by) for name in TABLES}

    def students(self) -> dict:
        """The students per programme and status: the page's first table."""
        stored = self.figures["students"]
        t = _load_table(stored)
        statuses = [StudentStatus(s) for s in stored["columns"]]
        shown = {code: t.row_totals[code].shown for code in t.rows}
        return {
            "names": dict(zip(t.rows, stored["names"], strict=True)),
            "statuses": statuses,
            "cells": {(r, s): t.cells[(r, s.value)].shown for r in t.rows for s in statuses},
            "row_totals": shown,
            "column_totals": {s: t.column_totals[s.value].shown for s in statuses},
            "grand_total": t.grand_total.shown,
            "peak": max((v for v in shown.values() if v is not None), default=0),
        }


def _snapshot(row: FigureSnapshot) -> Snapshot:
    return Snapshot(row.computed_at, row.as_of, row.figures)


def refresh(partnerships: Iterable[Partnership], day: date | None = None) -> int:
    """Compute the figures of `partnerships` and replace their stored ones, all in the
    caller's transaction (the caller commits: readers see the old figures until then)."""
    day = day or today_()
    computed = [(p.id, compute(scope_of(p), day)) for p in partnerships]
    ids = [pid for pid, _ in computed]
    db.session.execute(delete(FigureSnapshot).where(FigureSnapshot.partnership_id.in_(ids)))
    now = utcnow()
    for pid, figures in computed:
        db.session.add(
            FigureSnapshot(partnership_id=pid, computed_at=now, as_of=day, figures=figures)
        )
    db.session.flush()
    return len(computed)


def current(partnership: Partnership) -> Snapshot:
    """The stored figures of `partnership` (one statement). None stored yet (a fresh install,
    a new partnership): computed and stored now, once."""
    row = db.session.execute(
        select(FigureSnapshot).where(FigureSnapshot.partnership_id == partnership.id)
    ).scalar_one_or_none()
    if row is not None and row.figures.get("format") == FORMAT:
        return _snapshot(row)
    try:
        refresh([partnership])
        db.session.commit()
    except IntegrityError:  # another request stored them first
        db.session.rollback()
    row = db.session.execute(
        select(FigureSnapshot).where(FigureSnapshot.partnership_id == partnership.id)
    ).scalar_one()
    return _snapshot(row)
