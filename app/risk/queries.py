"""Reads other areas share: a student's signals for the student page, and the head of the
list for "My overview"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.access.risk import RiskScope, risk_scope
from app.models import RiskRuleCode, User
from app.risk.rules import Found, Rule, Signal, evaluate
from app.risk.texts import explain


def signals_of(scope: RiskScope, on: date, rules: list[Rule] | None = None) -> Found:
    """The students in `scope` with signals, and their names (app.risk.rules.evaluate)."""
    return evaluate(scope, on, rules)


@dataclass(frozen=True)
class Shown:
    code: RiskRuleCode
    text: str


def student_signals(user: User, student_id: int, on: date) -> list[Shown]:
    """The signals of one student that `user` may see, worded (the student page)."""
    found: list[Signal] = evaluate(risk_scope(user, on), on, student_id=student_id).signals.get(
        student_id, []
    )
    return [Shown(s.code, explain(s)) for s in found]
