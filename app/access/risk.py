"""Early signs of risk (app.risk, docs/risk.md): who sees the list, and which signals a viewer
sees.

The list "Elever med risikotegn" is for the school's counsellors and contact teachers and the
employer's training coordinators, over the students each of them sees (`visible_students`).
Every case role sees the signals on the student page. A signal is built only from data the
viewer may read: the training-based ones (absence, concerns, warnings, the mid-period
evaluation) from training periods the viewer may read (`training_record_visibility`: the
school and the employer every period, a supervisor those at their workplace); the
support-based one (an overdue follow-up) only from measures the viewer may see
(`measure_visibility`: the school's counsellors and teachers, the employer side under the
student's consent). For anyone else a support-based signal is left out before anything is
counted, so the list, its counts and the student page are exactly those of a student without
support. The rules are changed by the system administrator only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import ColumnElement, true

from app.access.roles import SUPPORT_READ_ROLES, roles_required
from app.access.students import student_visibility
from app.access.support import measure_visibility
from app.access.training import training_record_visibility
from app.models import EMPLOYER_ROLES, SCHOOL_ROLES, RiskRuleCode, Role, User

RISK_LIST_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER, Role.TRAINING_COORDINATOR})
risk_list_roles = roles_required(*RISK_LIST_ROLES)


@dataclass(frozen=True)
class RiskScope:
    """SQL conditions that limit the rules to what one viewer may see: `students` on Student,
    `training` on Period (a training period whose records they read), `support` on
    SupportMeasure (joined to Student)."""

    students: ColumnElement[bool]
    training: ColumnElement[bool]
    support: ColumnElement[bool]
    # True when the viewer reads every training period of every student they see (the school's
    # and the employer's staff; not a supervisor, who reads those at their workplace): the
    # training-based signals the nightly refresh stored are then exactly the viewer's own.
    whole_training: bool = False
    # True when the viewer also sees every support measure of every student they see (the
    # school's counsellors and teachers, holding no employer role): the stored support-based
    # signals are then theirs as well (app.risk.queries).
    whole_support: bool = False


def risk_scope(user: User, on: date) -> RiskScope:
    whole_training = not user.workplace_ids(Role.SUPERVISOR)
    schools = set(user.organisation_ids(*SCHOOL_ROLES))
    whole_support = (
        whole_training
        and not user.organisation_ids(*EMPLOYER_ROLES)
        and schools <= set(user.organisation_ids(*SUPPORT_READ_ROLES))
    )
    return RiskScope(
        student_visibility(user, on),
        training_record_visibility(user, on),
        measure_visibility(user, on),
        whole_training=whole_training,
        whole_support=whole_support,
    )


def everything() -> RiskScope:
    """No viewer: every student and every record (the nightly refresh and the figures)."""
    return RiskScope(true(), true(), true(), whole_training=True, whole_support=True)


def get_rule_code_or_404(code: str) -> RiskRuleCode:
    try:
        return RiskRuleCode(code)
    except ValueError:
        abort(404)
