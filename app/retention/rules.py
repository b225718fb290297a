"""The retention rules: per kind of record, what it covers, when its clock starts, and the
default, least and most a rule may keep (docs/retention.md says why).

How long is data (`RetentionRule.keep`, edited by the system admin); what a kind covers and
what starts its clock is code, here, and in the statements of app/retention/services.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import RetentionKind, RetentionRule


@dataclass(frozen=True)
class Spec:
    kind: RetentionKind
    in_days: bool  # keep counts days (else years)
    default: int
    least: int
    most: int
    covers: object
    clock: object


SPECS: dict[RetentionKind, Spec] = {
    s.kind: s
    for s in (
        Spec(
            RetentionKind.SPS_MATERIAL,
            False,
            5,
            5,
            20,
            _l("SPS measures (study-support hours, IT package, interpreter, ...) and their steps"),
            _l("the day the measure ended"),
        ),
        Spec(
            RetentionKind.OTHER_SUPPORT,
            False,
            5,
            1,
            20,
            _l("Other support measures, resolved support needs, and consents that ended"),
            _l("the day the measure ended, the need was resolved or the consent ended"),
        ),
        Spec(
            RetentionKind.CASE_CONTENT,
            False,
            5,
            2,
            20,
            _l(
                "The case of a student who has left: notes, handover notes, reviews and action "
                "items, training records, warnings, declarations, reflections, conversation "
                "requests, the case history, and the name and contact details (anonymised)"
            ),
            _l(
                "the day the student completed, dropped out or transferred (their last "
                "enrolment ended)"
            ),
        ),
        Spec(
            RetentionKind.ACCESS_LOG,
            True,
            183,
            90,
            3650,
            _l("The access log"),
            _l("the day the access happened"),
        ),
    )
}


def ensure_rules() -> dict[RetentionKind, RetentionRule]:
    """Every kind's rule, adding a missing one with its default (the migration seeds them;
    a database made without migrations, as in the tests, gets them here)."""
    rules = {r.kind: r for r in db.session.execute(select(RetentionRule)).scalars()}
    for kind, spec in SPECS.items():
        if kind not in rules:
            rules[kind] = RetentionRule(kind=kind, keep=spec.default)
            db.session.add(rules[kind])
    db.session.flush()
    return {kind: rules[kind] for kind in SPECS}


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for 29 February)."""
    year = day.year - years
    if day.month == 2 and day.day == 29:
        return date(year, 2, 28)
    return day.replace(year=year)


def cutoff(kind: RetentionKind, keep: int, today: date) -> date:
    """Records of `kind` whose clock started before this day are due: kept `keep` years (or
    days) and a day. A measure that ended exactly five years ago stays until tomorrow."""
    if SPECS[kind].in_days:
        return today - timedelta(days=keep)
    return years_before(today, keep)
