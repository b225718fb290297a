"""The day the access rules are decided on."""

from __future__ import annotations

from datetime import date


def today() -> date:
    return date.today()
