"""Configuration that must be right before the app may start (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from app import create_app
from config import Config, DevelopmentConfig, TestConfig

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s" * 40


def _production(**settings) -> type[Config]:
    settings.setdefault("PUBLIC_BASE_URL", "https://elevsag.example.dk")
    return type("Production", (Config,), {"SECRET_KEY": SECRET, **settings})


# --- the login limiter's storage -------------------------------------------------------------


def test_production_refuses_an_in_memory_limiter_store():
    """With several workers each would count failed logins on its own (issue 12)."""
    production = _production(RATELIMIT_STORAGE_URI="memory://", SINGLE_PROCESS=False)
    with pytest.raises(RuntimeError, match=r"memory://.*REDIS_URL.*ELEVSAG_SINGLE_PROCESS"):
        production.validate()
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app(production)


def test_production_accepts_memory_when_told_it_is_one_process():
    _production(RATELIMIT_STORAGE_URI="memory://", SINGLE_PROCESS=True).validate()


def test_production_accepts_a_redis_store():
    _production(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", SINGLE_PROCESS=False).validate()


def test_development_and_tests_keep_the_in_memory_store():
    """`make run` and the test suite need no Redis."""
    assert TestConfig.RATELIMIT_STORAGE_URI == "memory://"
    TestConfig.validate()
    dev = type("Dev", (DevelopmentConfig,), {"SECRET_KEY": SECRET})
    dev.RATELIMIT_STORAGE_URI = "memory://"
    dev.SINGLE_PROCESS = False
    dev.validate()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "memory://"),
        ({"REDIS_URL": "redis://cache:6379/2"}, "redis://cache:6379/2"),
        (
            {"REDIS_URL": "redis://cache:6379/2", "RATELIMIT_STORAGE_URI": "memcached://m:11211"},
            "memcached://m:11211",
        ),
    ],
)
def test_redis_url_configures_the_limiter_store(monkeypatch, environment, expected):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert config._ratelimit_storage() == expected


def _start(environment: dict) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RATELIMIT_STORAGE_URI", "REDIS_URL", "ELEVSAG_SINGLE_PROCESS"}
    }
    env.update(
        ELEVSAG_CONFIG="production",
        SECRET_KEY=SECRET,
        DATABASE_URL="sqlite://",
        PUBLIC_BASE_URL="https://elevsag.example.dk",
    )
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wsgi_refuses_to_start_with_memory_store_and_starts_with_single_process_set():
    refused = _start({})
    assert refused.returncode != 0
    assert "RuntimeError" in refused.stderr and "REDIS_URL" in refused.stderr
    assert _start({"ELEVSAG_SINGLE_PROCESS": "1"}).returncode == 0


# --- the database connection -----------------------------------------------------------------


def test_pool_pre_ping_stays_on(app):
    from app.extensions import db

    for config_class in (Config, DevelopmentConfig, TestConfig):
        assert config_class.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True
    assert db.engine.pool._pre_ping is True


def test_postgresql_connections_get_a_connect_timeout():
    options = config._engine_options("postgresql+psycopg://u@db/elevsag", 7)
    assert options == {"pool_pre_ping": True, "connect_args": {"connect_timeout": 7}}
    # sqlite3.connect() has no such argument (its `timeout` is the lock wait).
    assert config._engine_options("sqlite:///x.sqlite", 7) == {"pool_pre_ping": True}
