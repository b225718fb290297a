"""The dates the app accepts, and date arithmetic that cannot overflow.

Python's dates end at year 1 and 9999: adding days to a typed 9999-12-31 raises OverflowError.
Forms bound every date to the window from settings (DATE_MIN_YEAR to DATE_MAX_YEAR); services
that compute dates from stored or typed ones use `add`, and turn a date outside the window into
a RuleError at the field, never a server error.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, g
from flask_babel import format_date, format_time, get_locale, get_timezone
from flask_babel import gettext as _

from app.editing import RuleError


def window() -> tuple[date, date]:
    """The first and last date a form or a computed plan may hold."""
    config = current_app.config
    return date(config["DATE_MIN_YEAR"], 1, 1), date(config["DATE_MAX_YEAR"], 12, 31)


def in_window(value: date) -> bool:
    first, last = window()
    return first <= value <= last


def window_message() -> str:
    first, last = window()
    return _(
        "The date must be between %(first)s and %(last)s.",
        first=date_text(first),
        last=date_text(last),
    )


def check_in_window(value: date | None, field: str | None) -> None:
    """A RuleError at `field` for a date outside the window (None: no date, nothing to check)."""
    if value is not None and not in_window(value):
        raise RuleError(window_message(), field)


def add(value: date, delta: timedelta) -> date | None:
    """`value + delta`, or None where that is before year 1 or after year 9999."""
    try:
        return value + delta
    except OverflowError:
        return None


def add_clamped(value: date, delta: timedelta) -> date:
    """`value + delta`, held at the first or last date Python knows. For comparisons with a
    stored date that may predate the window (nothing is saved from it)."""
    result = add(value, delta)
    if result is not None:
        return result
    return date.max if delta > timedelta(0) else date.min


def shifted_into_window(value: date, delta: timedelta, field: str | None) -> date:
    """`value + delta` where the result must lie in the window, else a RuleError at `field`."""
    result = add(value, delta)
    if result is None or not in_window(result):
        raise RuleError(window_message(), field)
    return result


# --- Showing dates: the one format (docs/dates.md) -----------------------------------------
# Templates use the filters `date` and `datetime` (registered in app/__init__.py); Python code
# that puts a date into a message uses these functions. Through Flask-Babel, so English gets
# English and a datetime is shown in the app's time zone (Europe/Copenhagen).


def date_text(value) -> str:
    """A date as people read it: "3. dec. 2026" (English: "Dec 3, 2026"); "" for none."""
    if value is None or value == "":
        return ""
    return _remembered("date", value, "medium")


def datetime_text(value) -> str:
    """A moment: "3. dec. 2026 kl. 14.05" (English: "Dec 3, 2026 at 2:05 PM"); "" for none."""
    if value is None or value == "":
        return ""
    return _remembered("datetime", value, "medium")


def pattern_text(value, format: str | None = None) -> str:
    """A date in a pattern of its own, e.g. "MMM" for the timeline's months (the template
    filter `format_date`)."""
    if value is None:  # Babel's "now": not kept
        return format_date(value, format)
    return _remembered("pattern", value, format)


def _format(kind: str, value, format: str | None) -> str:
    if kind == "datetime":
        return _(
            "%(date)s at %(time)s",
            date=format_date(value, format),
            time=format_time(value, "short"),
        )
    return format_date(value, format)


# A date's text depends only on the value, the pattern, the language and the time zone, and a
# page shows the same few dates many times (a period's dates in the table, the timeline and its
# labels): Babel formats each anew (about 15 µs a date, 90 µs a moment with its time), so the
# texts are kept, keyed by all four. Bounded: emptied when full.
_TEXTS: dict[tuple, str] = {}
_TEXTS_MAX = 20_000


def _remembered(kind: str, value, format: str | None) -> str:
    # Flask-Babel keeps the request's language and time zone in g._flask_babel once chosen
    # (as app.install_fast_gettext reads them); asked for the first time, it chooses them.
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None) or get_locale()
    timezone = getattr(ctx, "babel_tzinfo", None) or get_timezone()
    key = (kind, type(value), value, format, locale, timezone)
    text = _TEXTS.get(key)
    if text is None:
        text = _format(kind, value, format)
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        _TEXTS[key] = text
    return text
