"""The list "Elever med risikotegn" and the rules' admin page. Access: app.access.risk."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app import audit
from app.access.risk import get_rule_code_or_404, risk_list_roles, risk_scope
from app.access.roles import system_admin_only
from app.editing import submit
from app.extensions import db
from app.models import RiskRuleCode, Student, User
from app.models.base import today
from app.pagination import paginate_list
from app.risk import bp
from app.risk.forms import FilterForm, RuleForm
from app.risk.queries import signals_of
from app.risk.rules import WINDOW_RULES, load_rules
from app.risk.services import RuleChange, save_rule
from app.risk.texts import RULE_NAME, THRESHOLD_MEANING, explain, rule_text


@bp.route("/students/at-risk")
@risk_list_roles
def at_risk():
    """The students the user sees with at least one signal, by name, each with its reasons;
    filtered by one reason, or to the user's own students."""
    on = today()
    form = FilterForm(request.args)
    scope = risk_scope(current_user, on)
    if form.mine.data:
        mine = or_(
            Student.contact_teacher_id == current_user.id,
            Student.counsellor_id == current_user.id,
        )
        scope = replace(scope, students=scope.students & mine)
    found = signals_of(scope, on)
    active = [r for r in found.rules if r.active]
    form.reason.choices = [("", _("All reasons"))] + [
        (r.code.value, str(RULE_NAME[r.code])) for r in active
    ]
    signals = found.signals
    counts = {r.code: 0 for r in active}
    for listed in signals.values():
        for code in {s.code for s in listed}:
            counts[code] += 1
    reason = _reason(form.reason.data)
    ids = [
        sid
        for sid in found.by_name()
        if reason is None or any(s.code == reason for s in signals[sid])
    ]
    page = paginate_list(ids, current_app.config["STUDENTS_PER_PAGE"], load=_students)
    audit.record_search(
        {
            "list": "at_risk",
            "reason": reason.value if reason else None,
            "mine": form.mine.data or None,
            "page": page.page if page.page > 1 else None,
        }
    )
    return render_template(
        "risk/at_risk.html",
        form=form,
        page=page,
        reasons={s.id: [explain(x) for x in signals[s.id]] for s in page.items},
        counts=counts,
        total=len(signals),
        rules=active,
        rule_name=RULE_NAME,
        rule_text=rule_text,
    )


def _students(ids: list[int]) -> list[Student]:
    """The students of one page, in the list's order (by name), with their programme."""
    loaded = {
        s.id: s
        for s in db.session.execute(
            select(Student).where(Student.id.in_(ids)).options(joinedload(Student.programme))
        ).scalars()
    }
    return [loaded[i] for i in ids]


def _reason(value: str | None) -> RiskRuleCode | None:
    try:
        return RiskRuleCode(value) if value else None
    except ValueError:
        return None


# --- the rules (system administrator) --------------------------------------------------------


@bp.route("/admin/risk-rules")
@system_admin_only
def rules():
    rows = load_rules()
    editors = {
        u.id: u
        for u in db.session.execute(
            select(User).where(User.id.in_({r.row.updated_by_id for r in rows if r.row}))
        ).scalars()
    }
    return render_template(
        "risk/rules.html",
        rules=rows,
        editors=editors,
        rule_name=RULE_NAME,
        threshold_meaning=THRESHOLD_MEANING,
        window_rules=WINDOW_RULES,
    )


@bp.route("/admin/risk-rules/<rule_code>/edit", methods=["GET", "POST"])
@system_admin_only
def edit_rule(rule_code: str):
    code = get_rule_code_or_404(rule_code)
    rule = next(r for r in load_rules() if r.code == code)
    needs_window = code in WINDOW_RULES
    form = RuleForm(
        obj=rule.row if request.method == "GET" and rule.row else None,
        data=None if rule.row or request.method != "GET" else _default_data(rule),
        needs_window=needs_window,
    )
    url = url_for("risk.edit_rule", rule_code=code.value)

    def change():
        save_rule(
            code,
            RuleChange(
                active=form.active.data,
                threshold=form.threshold.data,
                window_days=form.window_days.data if needs_window else None,
                description=form.description.data,
            ),
            current_user,
            form.seen_version() if rule.row else None,
        )

    done = submit(
        form,
        change,
        stale_url=url,
        done=_("The rule was saved."),
        redirect_to=redirect(url_for("risk.rules")),
    )
    if done is not None:
        return done
    return render_template(
        "risk/rule_form.html",
        form=form,
        rule=rule,
        rule_name=RULE_NAME,
        threshold_meaning=THRESHOLD_MEANING,
        needs_window=needs_window,
    )


def _default_data(rule) -> dict:
    return {
        "active": rule.active,
        "threshold": rule.threshold,
        "window_days": rule.window_days,
        "description": rule.description,
    }
