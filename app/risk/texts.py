"""How the rules and signals read to people: plain language, English here and Danish in the
catalogue ("Fravær 22 % af dagene de sidste 4 uger", "Varsling åben siden 3. mar. 2026")."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.dates import date_text
from app.labels import PERIOD_KIND
from app.models import RiskRuleCode
from app.risk.rules import Signal

C = RiskRuleCode

RULE_NAME = {
    C.ABSENCE: _l("Absence in training"),
    C.CONCERN: _l("Concern from training"),
    C.OPEN_WARNING: _l("Open warning"),
    C.MID_EVALUATION: _l("Goals below the required level"),
    C.TRANSITION: _l("Transition without handover"),
    C.FOLLOW_UP: _l("Support follow-up overdue"),
    C.EXTENSIONS: _l("Repeated extensions"),
}

# What the threshold counts, per rule (the admin page and the list's explanation of the rules).
THRESHOLD_MEANING = {
    C.ABSENCE: _l(
        "Percent of the training period's days in the window (absence, not approved leave)"
    ),
    C.CONCERN: _l("Number of concerns recorded in the window"),
    C.OPEN_WARNING: _l("Number of warnings not followed up"),
    C.MID_EVALUATION: _l("Number of goals below the required level at the mid-period evaluation"),
    C.TRANSITION: _l(
        "Days before a new place starts without a note, or after it started without an "
        "acknowledged note"
    ),
    C.FOLLOW_UP: _l("Days a support measure's follow-up is overdue"),
    C.EXTENSIONS: _l("Number of period extensions in the window"),
}


def _window(days: int | None) -> str:
    days = days or 0
    if days and days % 7 == 0:
        return ngettext("the last week", "the last %(num)d weeks", days // 7)
    return ngettext("the last day", "the last %(num)d days", days)


def explain(signal: Signal) -> str:
    """One signal in a sentence."""
    s = signal
    if s.code == C.ABSENCE:
        return _(
            "Absence %(percent)d %% of the days in %(window)s",
            percent=s.value,
            window=_window(s.window_days),
        )
    if s.code == C.CONCERN:
        return ngettext(
            "%(num)d concern from training in %(window)s, latest %(date)s",
            "%(num)d concerns from training in %(window)s, latest %(date)s",
            s.value,
            window=_window(s.window_days),
            date=date_text(s.on),
        )
    if s.code == C.OPEN_WARNING:
        return ngettext(
            "Warning open since %(date)s",
            "%(num)d warnings open, the first since %(date)s",
            s.value,
            date=date_text(s.on),
        )
    if s.code == C.MID_EVALUATION:
        return ngettext(
            "%(num)d goal below the required level at the mid-period evaluation %(date)s",
            "%(num)d goals below the required level at the mid-period evaluation %(date)s",
            s.value,
            date=date_text(s.on),
        )
    if s.code == C.TRANSITION:
        period = s.period or (str(PERIOD_KIND[s.period_kind]) if s.period_kind else "")
        if s.missing:
            return _(
                "No handover note for %(period)s, starting %(date)s",
                period=period,
                date=date_text(s.on),
            )
        return _(
            "Handover note for %(period)s not acknowledged (started %(date)s)",
            period=period,
            date=date_text(s.on),
        )
    if s.code == C.FOLLOW_UP:
        return _("Support follow-up overdue since %(date)s", date=date_text(s.on))
    return ngettext(
        "%(num)d extension in %(window)s",
        "%(num)d extensions in %(window)s",
        s.value,
        window=_window(s.window_days),
    )


def rule_text(rule) -> str:
    """What makes a rule fire, with its threshold and window, in a sentence (the list's
    explanation of the rules)."""
    n, days = rule.threshold, rule.window_days or 0
    if rule.code == C.ABSENCE:
        return _(
            "Absence (not approved leave) of at least %(threshold)d %% of a training period's "
            "days in the last %(days)d days.",
            threshold=n,
            days=days,
        )
    if rule.code == C.CONCERN:
        return _(
            "At least %(threshold)d concern(s) recorded in training in the last %(days)d days.",
            threshold=n,
            days=days,
        )
    if rule.code == C.OPEN_WARNING:
        return _("At least %(threshold)d warning(s) not followed up.", threshold=n)
    if rule.code == C.MID_EVALUATION:
        return _(
            "At least %(threshold)d goal(s) below the required level in an ongoing training "
            "period whose mid-period evaluation is signed.",
            threshold=n,
        )
    if rule.code == C.TRANSITION:
        return _(
            "A new place starts within %(threshold)d days without a handover note, or started "
            "in the last %(threshold)d days without an acknowledged note.",
            threshold=n,
        )
    if rule.code == C.FOLLOW_UP:
        return _(
            "A support measure's follow-up is overdue by at least %(threshold)d day(s) "
            "(seen only by those who may see the student's support).",
            threshold=n,
        )
    return _(
        "At least %(threshold)d period extension(s) in the last %(days)d days.",
        threshold=n,
        days=days,
    )
