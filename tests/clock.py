"""One calendar day for a whole test run.

The tests take "today" when their modules are imported (`TODAY = date.today()`, dates in
parametrised cases), the app takes it again at each request. A run that crosses midnight sees
the two disagree, and tests of "from the set day", "not in the future" or "due today" fail on
the clock, not on the code (CI did, on a run started at 23:55 UTC).

So a run that starts within `MARGIN` of midnight, in Copenhagen (the app's day) or in UTC (the
server's date, which the tests' `date.today()` reads), is moved on with time-machine to just
after UTC's midnight (past Copenhagen's too), and keeps ticking from there: it then sees one day
for the next 21 hours. Other runs keep the real clock. Only wall-clock time moves (`time.time`,
`datetime.now`, `date.today`); `time.monotonic` and the browser's own clock do not, so waits
and timeouts are untouched, and cookies only ever expire later than they would.
"""

from __future__ import annotations

import os
import runpy
import sys
import time as clock_time
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

MARGIN = timedelta(hours=3)  # longer than any run (CI's limit is 25 minutes)
AFTER = timedelta(minutes=5)


def _next_midnight(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), zone).astimezone(UTC)


def destination(now: datetime, zone: str) -> datetime | None:
    """Where a run starting at `now` (aware) is moved to, or None where it keeps the clock.

    Copenhagen's midnight comes an hour or two before UTC's, so just after UTC's next midnight
    both days have most of their hours ahead."""
    zones = (ZoneInfo(zone), ZoneInfo("UTC"))
    if all(_next_midnight(now, z) - now >= MARGIN for z in zones):
        return None
    return _next_midnight(now, ZoneInfo("UTC")) + AFTER


def real_now() -> datetime:
    """The real time, whether or not some clock is moved."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.datetime.datetime.now(UTC)
    return datetime.now(UTC)


_travel: time_machine.travel | None = None
_ahead = timedelta(0)  # how far the run's clock is ahead of the real one


def hold_the_day(zone: str) -> datetime | None:
    """Move the clock if this run would cross a midnight; return where it was moved to.

    The run's own zone is UTC, whatever the machine's: the tests' `date.today()` is then UTC's
    date, which, away from the two midnights, is Copenhagen's date too (`today()` in the app)."""
    global _travel, _ahead
    if _travel is not None:
        return None
    os.environ["TZ"] = "UTC"
    clock_time.tzset()
    now = datetime.now(UTC)
    to = destination(now, zone)
    if to is not None:
        _travel, _ahead = time_machine.travel(to, tick=True), to - real_now()
        _travel.start()
    return to


def command(args: list[str]) -> list[str]:
    """`args` (a Python program and its arguments, e.g. the `flask` script), to be run in a
    process that keeps this run's clock."""
    if not _ahead:
        return args
    return [sys.executable, "-m", "tests.clock", str(_ahead.total_seconds()), *args]


if __name__ == "__main__":
    # python -m tests.clock SECONDS PROGRAM ARGS...: PROGRAM with the clock SECONDS ahead.
    ahead, program = float(sys.argv[1]), sys.argv[2]
    time_machine.travel(datetime.now(UTC) + timedelta(seconds=ahead), tick=True).start()
    sys.argv = sys.argv[2:]
    runpy.run_path(program, run_name="__main__")
