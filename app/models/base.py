"""Declarative base with a naming convention, so Alembic can name and drop constraints."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Column, DateTime, Enum, ForeignKey, MetaData, Table
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The app's time zone (BABEL_DEFAULT_TIMEZONE, Europe/Copenhagen): its days are Danish."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(moment: datetime) -> date:
    """The Danish calendar day of a stored moment (naive ones are UTC, as they are stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone()).date()


def day_start(day: date) -> datetime:
    """The first moment of the Danish calendar day `day`, in UTC (as moments are stored)."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def today(now: datetime | None = None) -> date:
    """Today in Denmark: the date every rule is decided on (visibility, deadlines, "upcoming",
    the access log's days, the daily digest, the risk rules' windows). A server's own clock is
    often UTC, still yesterday in the hour or two before midnight in Copenhagen. `now` (aware)
    is for tests of that hour."""
    return local_date(now or datetime.now(UTC))


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite drops the offset; PostgreSQL keeps it. This type makes both return aware UTC
    datetimes so comparisons behave the same on either database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str, *, constraint: bool = True) -> Enum:
    """Store an enum by its value, as a plain string with a CHECK constraint.

    Non-native enums keep migrations identical on SQLite and PostgreSQL. `constraint=False`
    for vocabularies that grow with every feature (the kinds of case-history lines): the app
    still refuses unknown values, and a new value needs no table rebuild.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=constraint,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A many-to-many link table: two (column, "table.id") foreign keys, deleted with either
    side (ON DELETE CASCADE), that together are the primary key."""
    return Table(
        name,
        Base.metadata,
        *(
            Column(column, ForeignKey(target, ondelete="CASCADE"), primary_key=True)
            for column, target in (left, right)
        ),
    )
