"""The test run's clock (tests/clock.py): a run never sees two days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.clock import MARGIN, destination

ZONE = "Europe/Copenhagen"


def _next_midnights(at: datetime) -> list[datetime]:
    out = []
    for zone in (ZoneInfo(ZONE), ZoneInfo("UTC")):
        local = at.astimezone(zone)
        out.append(datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone))
    return out


@pytest.mark.parametrize("day", [date(2026, 12, 4), date(2026, 7, 4), date(2026, 3, 28)])
def test_from_any_start_the_run_has_hours_before_either_midnight(day):
    # Every ten minutes of a winter day, a summer day and the day before summer time begins.
    start = datetime.combine(day, datetime.min.time(), UTC)
    for step in range(0, 24 * 60, 10):
        now = start + timedelta(minutes=step)
        runs_at = destination(now, ZONE) or now
        assert runs_at >= now  # the clock only ever moves on
        assert all(m - runs_at >= MARGIN for m in _next_midnights(runs_at)), now
        # So for the whole run the tests' date (UTC's) is the app's (Copenhagen's).
        for later in (runs_at, runs_at + MARGIN - timedelta(seconds=1)):
            assert later.date() == later.astimezone(ZoneInfo(ZONE)).date(), now


def test_a_run_in_the_afternoon_keeps_the_real_clock():
    assert destination(datetime(2026, 12, 4, 14, 0, tzinfo=UTC), ZONE) is None


def test_a_run_started_at_23_55_utc_runs_just_after_midnight():
    # The start of the CI run that failed on twenty-one dates.
    assert destination(datetime(2026, 12, 4, 23, 55, tzinfo=UTC), ZONE) == datetime(
        2026, 12, 5, 0, 5, tzinfo=UTC
    )


def test_a_run_an_hour_before_midnight_in_copenhagen_is_moved_too():
    # 22:30 UTC in December is 23:30 in Copenhagen.
    assert destination(datetime(2026, 12, 4, 22, 30, tzinfo=UTC), ZONE) == datetime(
        2026, 12, 5, 0, 5, tzinfo=UTC
    )


def test_a_process_started_through_command_keeps_the_runs_clock(tmp_path, monkeypatch):
    # The mail workers run in processes of their own; their clock must be the run's, or an
    # outbox row written "at 00:05" is not yet due to a worker whose clock says 21:00.
    import subprocess

    from tests import clock

    script = tmp_path / "now.py"
    script.write_text("import time\nprint(time.time())\n")
    monkeypatch.setattr(clock, "_ahead", timedelta(0))
    assert clock.command([str(script)]) == [str(script)]  # a run on the real clock: as given
    monkeypatch.setattr(clock, "_ahead", timedelta(hours=5))
    output = subprocess.run(  # noqa: S603 - our own script
        clock.command([str(script)]),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    real = clock.real_now().timestamp()
    assert abs(float(output) - (real + 5 * 3600)) < 60
