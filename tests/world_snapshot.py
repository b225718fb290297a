"""The `world` fixture's data, built once per test session and copied back in for every test.

`factories.build_world()` makes some 220 rows through many ORM flushes: about a quarter of a
second per test on PostgreSQL. The first test that asks for a world builds it normally; its
rows (every table, read with plain SELECTs) and the shape of the World (its dataclasses with
each ORM object replaced by a reference to its class and primary key) are kept. Every later
test gets the same rows back with one multi-row INSERT per table and a fresh World whose
objects are loaded from them in the test's own session.

Timestamps are moved forward by the time since the snapshot, so "written just now" stays
true; dates are relative to today, so a run that crosses midnight builds a new snapshot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, inspect, literal, select, text
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from tests import factories


@dataclass(frozen=True)
class _Ref:
    """Stands for one ORM object in the template of a World."""

    cls: type
    identity: tuple


@dataclass
class Snapshot:
    day: date
    taken_at: datetime
    rows: dict[str, list[dict[str, Any]]]  # table name -> rows, in metadata.sorted_tables order
    template: Any


def _is_mapped(obj: Any) -> bool:
    return getattr(type(obj), "__mapper__", None) is not None and isinstance(
        type(obj).__mapper__, Mapper
    )


def _to_template(value: Any) -> Any:
    if _is_mapped(value):
        return _Ref(type(value), inspect(value).identity)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            "dataclass",
            type(value),
            {f.name: _to_template(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    if isinstance(value, dict):
        return {key: _to_template(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_template(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_to_template(item) for item in value)
    return value  # enums, dates, strings, numbers, None


def _refs(template: Any, found: dict[type, set[tuple]]) -> None:
    if isinstance(template, _Ref):
        found.setdefault(template.cls, set()).add(template.identity)
    elif isinstance(template, tuple) and template[:1] == ("dataclass",):
        for item in template[2].values():
            _refs(item, found)
    elif isinstance(template, dict):
        for item in template.values():
            _refs(item, found)
    elif isinstance(template, list | tuple):
        for item in template:
            _refs(item, found)


def _from_template(template: Any, loaded: dict[tuple[type, tuple], Any]) -> Any:
    if isinstance(template, _Ref):
        return loaded[(template.cls, template.identity)]
    if isinstance(template, tuple) and template[:1] == ("dataclass",):
        _, cls, fields = template
        return cls(**{name: _from_template(item, loaded) for name, item in fields.items()})
    if isinstance(template, dict):
        return {key: _from_template(item, loaded) for key, item in template.items()}
    if isinstance(template, list):
        return [_from_template(item, loaded) for item in template]
    if isinstance(template, tuple):
        return tuple(_from_template(item, loaded) for item in template)
    return template


def _count_all_rows():
    total = sum(
        (
            select(func.count()).select_from(table).scalar_subquery()
            for table in db.metadata.sorted_tables
        ),
        literal(0),
    )
    return select(total)


def _capture(world: factories.World) -> Snapshot:
    rows = {}
    for table in db.metadata.sorted_tables:
        found = [dict(row) for row in db.session.execute(select(table)).mappings()]
        if found:
            rows[table.name] = found
    db.session.commit()  # ends the read transaction; a rollback would expire the world
    return Snapshot(
        day=date.today(), taken_at=datetime.now(UTC), rows=rows, template=_to_template(world)
    )


def _shifted(rows: list[dict[str, Any]], delta) -> list[dict[str, Any]]:
    if not delta:
        return rows
    return [
        {key: value + delta if isinstance(value, datetime) else value for key, value in row.items()}
        for row in rows
    ]


def _restore(snapshot: Snapshot) -> factories.World:
    delta = datetime.now(UTC) - snapshot.taken_at
    session = db.session
    for table in db.metadata.sorted_tables:
        rows = snapshot.rows.get(table.name)
        if rows:
            # RETURNING makes SQLAlchemy batch the rows into one INSERT with many VALUES
            # ("insertmanyvalues", compiled once); without it psycopg sends one per row.
            insert = table.insert().returning(*table.primary_key.columns)
            session.execute(insert, _shifted(rows, delta))
    if session.get_bind().dialect.name == "postgresql":
        _reset_sequences(snapshot)
    session.commit()

    found: dict[type, set[tuple]] = {}
    _refs(snapshot.template, found)
    loaded: dict[tuple[type, tuple], Any] = {}
    for cls, identities in found.items():
        mapper = inspect(cls)
        if _plain(mapper):
            # Made from the rows just written, as a SELECT would load them, without one.
            table_rows = snapshot.rows[mapper.local_table.name]
            key = mapper.primary_key[0].name
            for row in table_rows:
                if (row[key],) in identities:
                    obj = _loaded_instance(mapper, _shifted([row], delta)[0])
                    loaded[(cls, (row[key],))] = obj
        elif len(mapper.primary_key) == 1:
            column = mapper.primary_key[0]
            ids = [identity[0] for identity in identities]
            for obj in session.scalars(select(cls).where(column.in_(ids))):
                loaded[(cls, inspect(obj).identity)] = obj
        else:
            for identity in identities:
                loaded[(cls, identity)] = session.get(cls, identity)
    return _from_template(snapshot.template, loaded)


def _plain(mapper: Mapper) -> bool:
    """One table, one primary key column, every column attribute a column of that table."""
    if mapper.inherits is not None or len(mapper.primary_key) != 1:
        return False
    table = mapper.local_table
    return all(
        len(prop.columns) == 1 and prop.columns[0].table is table for prop in mapper.column_attrs
    )


def _loaded_instance(mapper: Mapper, row: dict[str, Any]) -> Any:
    obj = mapper.class_manager.new_instance()
    for prop in mapper.column_attrs:
        set_committed_value(obj, prop.key, row[prop.columns[0].name])  # no events, no history
    make_transient_to_detached(obj)  # as if loaded: no pending changes, relationships lazy
    db.session.add(obj)
    return obj


def _reset_sequences(snapshot: Snapshot) -> None:
    """Point each restored table's id sequence past its highest id, in one statement."""
    calls = []
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        rows = snapshot.rows.get(table.name)
        if column is None or not rows:
            continue
        highest = max(row[column.name] for row in rows)
        calls.append(
            f"setval(pg_get_serial_sequence('{table.name}', '{column.name}'), {int(highest)})"
        )
    if calls:
        db.session.execute(text("SELECT " + ", ".join(calls)))


class WorldCache:
    """One per test session (the app fixture's lifetime)."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self._count = None

    def world(self) -> factories.World:
        # A fixture may have made rows before the test asked for the world; then it is built
        # the ordinary way. (The count flushes anything the session holds.)
        if self._count is None:
            self._count = _count_all_rows()
        if db.session.execute(self._count).scalar_one():
            return factories.build_world()
        db.session.commit()
        if self.snapshot is not None and self.snapshot.day == date.today():
            return _restore(self.snapshot)
        world = factories.build_world()
        self.snapshot = _capture(world)
        return world
