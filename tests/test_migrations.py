"""The migrations, run from an empty database, give exactly the models; downgrades work.

Each test gets a fresh database of the kind the suite runs on: a temporary SQLite file, or
a throwaway database on the PostgreSQL server of TEST_DATABASE_URL (dropped afterwards).
"""

from __future__ import annotations

import logging
import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig


@pytest.fixture
def empty_database_url(tmp_path):
    """A fresh, empty database of the same kind as the one the suite runs on."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"elevsag_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def keep_logging():
    """migrations/env.py runs logging.config.fileConfig(alembic.ini), which replaces the root
    handlers and disables every logger it does not name. Undo that for the tests after us."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    disabled = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


@pytest.fixture
def migration_app(empty_database_url, keep_logging):
    """The app, configured like the tests but on the empty database."""

    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(MigrationConfig)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _differences() -> list:
    """What autogenerate would write, with the options migrations/env.py uses."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


def test_migrations_have_one_head(migration_app):
    with migration_app.app_context():
        heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, f"the migrations branch: heads {heads}; merge them"


def test_upgrade_from_empty_matches_the_models(migration_app):
    with migration_app.app_context():
        assert _tables() == set()
        upgrade()
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        assert _current_revision() == head
        assert _tables() == set(db.metadata.tables)
        assert _differences() == []
        # And what `flask db check` runs, through migrations/env.py (raises on differences).
        command.check(_alembic_config())


def test_downgrade_to_empty_and_back_up(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert _tables() == set()
        assert _current_revision() is None
        upgrade()
        assert _differences() == []


def test_the_enrolment_migration_keeps_every_case_row(migration_app):
    """Upgrading a database that holds cases: each student gets one enrolment holding their
    periods, and nothing that refers to a student is lost. (On SQLite, altering the student
    table copies it; with foreign keys enforced, dropping the old copy deleted every case row.)"""
    with migration_app.app_context():
        upgrade(revision="a9c4e1d27b63")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisation (id, name, kind, code, active, created_at)"
                    " VALUES (1, 'Skolen', 'school', 'S1', true, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO programme (id, code, name, level, duration_weeks, active)"
                    " VALUES (1, 'SSA', 'Social- og sundhedsassistent', 'main', 143, true)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO student (id, student_number, first_name, last_name, email,"
                    " phone, school_id, programme_id, status, start_date, created_at,"
                    " updated_at, version_id) VALUES (1, 'E1', 'Aya', 'Test', '', '', 1, 1,"
                    " 'active', '2026-08-03', '2026-01-01', '2026-01-01', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO period (id, student_id, kind, title, start_date, end_date,"
                    " status, updated_at, version_id) VALUES (1, 1, 'school', 'Skoleperiode 1',"
                    " '2026-08-03', '2026-10-30', 'planned', '2026-01-01', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO case_event (student_id, at, kind, details)"
                    " VALUES (1, '2026-01-01', 'student_created', '{}')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            enrolment = conn.execute(
                text("SELECT id, programme_id, school_id, start_date, status FROM enrolment")
            ).one()
            assert tuple(enrolment)[1:] == (1, 1, enrolment.start_date, "active")
            assert str(enrolment.start_date) == "2026-08-03"
            assert conn.execute(text("SELECT enrolment_id FROM period")).scalar_one() == (
                enrolment.id
            )
            assert conn.execute(text("SELECT count(*) FROM case_event")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM student")).scalar_one() == 1
