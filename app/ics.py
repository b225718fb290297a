"""iCalendar files (RFC 5545) of one event: a partnership meeting to download, a case review
invitation sent by e-mail (app.mail.notices)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

TIMEZONE = "Europe/Copenhagen"
DURATION = timedelta(hours=2)


def event_calendar(
    *,
    uid: str,
    summary: str,
    on_date: date,
    at_time: time | None,
    stamp: datetime,
    location: str = "",
    description: str = "",
    attendees: Iterable[tuple[str, str]] = (),
    method: str | None = None,
    prodid: str = "-//Elevsag//Elevsag//DA",
) -> bytes:
    """One event: `at_time` on `on_date` for two hours (Copenhagen time), or the whole day.
    `attendees` are (name, e-mail address). With `method` ("REQUEST"), the file is an
    invitation a mail program offers to put in the calendar."""
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstamp", stamp)
    if at_time is not None:
        start = datetime.combine(on_date, at_time, tzinfo=ZoneInfo(TIMEZONE))
        event.add("dtstart", start)
        event.add("dtend", start + DURATION)
    else:
        event.add("dtstart", on_date)
        event.add("dtend", on_date + timedelta(days=1))
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CONFIRMED")
    for name, address in attendees:
        event.add("attendee", f"mailto:{address}", parameters={"cn": name})
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
