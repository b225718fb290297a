"""Each rule fires on constructed data and stays quiet just under its threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import (
    AbsenceKind,
    MeasureStatus,
    MeasureType,
    PeriodKind,
    RiskRuleCode,
    StudentStatus,
    SupportNeedStatus,
)
from tests import factories
from tests.risk.helpers import (
    TODAY,
    absent,
    codes_of,
    extended,
    goals_below,
    in_training,
    make_case,
    set_rule,
)

C = RiskRuleCode


@pytest.fixture
def case(db):
    return make_case()


def test_a_student_with_nothing_wrong_has_no_signal(case):
    s, _ = in_training(case, "Rolig")
    assert codes_of(s) == []


# absence: 15 % of the training period's days in the last 28 days (28 days here)


def test_absence_fires_at_fifteen_percent_and_not_just_under(case):
    over, p1 = in_training(case, "Fravaer")
    under, p2 = in_training(case, "Lidtfravaer")
    absent(p1, 5)  # 5 / 28 = 17 %
    absent(p2, 4)  # 4 / 28 = 14 %
    assert codes_of(over) == [C.ABSENCE]
    assert codes_of(under) == []


def test_absence_counts_the_period_days_in_the_window_only(case):
    # Six days into the period: 1 day absent of 6 is 16 %.
    s, p = in_training(case, "Ny", days_in=5)
    absent(p, 1)
    assert codes_of(s) == [C.ABSENCE]


def test_approved_leave_is_not_absence(case):
    s, p = in_training(case, "Orlov")
    absent(p, 10, AbsenceKind.APPROVED_LEAVE)
    assert codes_of(s) == []


def test_the_absence_threshold_is_the_admins(case):
    s, p = in_training(case, "Justeret")
    absent(p, 5)
    set_rule(C.ABSENCE, threshold=18)
    assert codes_of(s) == []


# concern: one in the last 28 days


def test_a_concern_in_the_window_fires_and_one_just_before_it_does_not(case):
    recent, p1 = in_training(case, "Bekymret")
    old, p2 = in_training(case, "Gammel")
    e1 = factories.experience(p1, case.supervisor, concern=True)
    e1.on_date = TODAY - timedelta(days=27)
    e2 = factories.experience(p2, case.supervisor, concern=True)
    e2.on_date = TODAY - timedelta(days=28)
    factories.experience(p2, case.supervisor, concern=False)
    db.session.flush()
    assert codes_of(recent) == [C.CONCERN]
    assert codes_of(old) == []


def test_concerns_below_a_higher_threshold_stay_quiet(case):
    s, p = in_training(case, "Toogen")
    factories.experience(p, case.supervisor, concern=True)
    set_rule(C.CONCERN, threshold=2)
    assert codes_of(s) == []
    factories.experience(p, case.supervisor, concern=True)
    assert codes_of(s) == [C.CONCERN]


# open warning


def test_an_open_warning_fires_and_a_followed_up_one_does_not(case):
    s, p = in_training(case, "Varslet")
    w = factories.warning(p, case.supervisor)
    assert codes_of(s) == [C.OPEN_WARNING]
    w.followed_up_at = w.issued_at
    db.session.flush()
    assert codes_of(s) == []


def test_open_warnings_under_the_threshold_stay_quiet(case):
    s, p = in_training(case, "Envarsling")
    factories.warning(p, case.supervisor)
    set_rule(C.OPEN_WARNING, threshold=2)
    assert codes_of(s) == []


# mid-period evaluation: 3 goals below the required level


def test_goals_below_the_required_level_fire_at_three_not_two(case):
    over, p1 = in_training(case, "Bagud")
    goals_below(over, p1, below=3)
    assert codes_of(over) == [C.MID_EVALUATION]


def test_two_goals_below_stay_quiet(case):
    under, p2 = in_training(case, "Lidtbagud")
    goals_below(under, p2, below=2)
    assert codes_of(under) == []


def test_goals_below_without_a_mid_period_evaluation_do_not_count(case):
    s, p = in_training(case, "Ikkeevalueret")
    goals_below(s, p, below=4)
    from app.models import MidEvaluation

    db.session.query(MidEvaluation).filter_by(period_id=p.id).delete()
    db.session.flush()
    assert codes_of(s) == []


# transition: 14 days


def _starting(case, days: int, last_name: str):
    s, school, training = factories.starting_training(case.school, case.workplace, days, last_name)
    return s, school, training


def test_a_transition_within_fourteen_days_without_a_note_fires(case):
    s, _, _ = _starting(case, 14, "Snart")
    assert codes_of(s) == [C.TRANSITION]


def test_a_transition_fifteen_days_ahead_stays_quiet(case):
    s, _, _ = _starting(case, 15, "Senere")
    assert codes_of(s) == []


def test_a_written_note_before_the_start_is_enough(case):
    s, school, training = _starting(case, 5, "Skrevet")
    factories.handover_note(s, school, training)
    assert codes_of(s) == []


def test_a_started_period_whose_note_is_not_acknowledged_fires(case):
    s, school, training = _starting(case, -3, "Startet")
    note = factories.handover_note(s, school, training)
    assert codes_of(s) == [C.TRANSITION]
    note.acknowledged_at = note.written_at
    db.session.flush()
    assert codes_of(s) == []


# follow-up of a support measure: overdue by at least 1 day


def test_an_overdue_follow_up_fires_and_one_due_today_does_not(case):
    late, _ = in_training(case, "Forsinket")
    due, _ = in_training(case, "Idag")
    need = factories.support_need(late, "dyslexia", case.counsellor)
    factories.support_measure(
        late, MeasureType.MENTOR, case.counsellor, need=need, follow_up=TODAY - timedelta(days=1)
    )
    factories.support_measure(due, MeasureType.MENTOR, case.counsellor, follow_up=TODAY)
    assert codes_of(late) == [C.FOLLOW_UP]
    assert codes_of(due) == []


def test_an_ended_measure_or_a_resolved_need_does_not_fire(case):
    s, _ = in_training(case, "Afsluttet")
    need = factories.support_need(s, "dyslexia", case.counsellor)
    m = factories.support_measure(
        s, MeasureType.MENTOR, case.counsellor, need=need, follow_up=TODAY - timedelta(days=30)
    )
    need.status = SupportNeedStatus.RESOLVED
    db.session.flush()
    assert codes_of(s) == []
    need.status = SupportNeedStatus.ACTIVE
    m.status = MeasureStatus.ENDED
    db.session.flush()
    assert codes_of(s) == []


# extensions: 2 in the last 365 days


def test_two_extensions_fire_and_one_does_not(case):
    twice, _ = in_training(case, "Tofold")
    once, _ = in_training(case, "Enkelt")
    extended(twice, 2)
    extended(once, 1)
    extended(once, 1, days_ago=400)  # outside the window
    assert codes_of(twice) == [C.EXTENSIONS]
    assert codes_of(once) == []


# the rules as a whole


def test_an_inactive_rule_never_fires(case):
    s, p = in_training(case, "Slukket")
    factories.warning(p, case.supervisor)
    set_rule(C.OPEN_WARNING, active=False)
    assert codes_of(s) == []


def test_a_student_who_left_has_no_signals(case):
    s, p = in_training(case, "Stoppet")
    factories.warning(p, case.supervisor)
    s.status = StudentStatus.DROPPED_OUT
    db.session.flush()
    assert codes_of(s) == []


def test_several_rules_give_several_reasons_in_rule_order(case):
    s, p = in_training(case, "Mange")
    extended(s, 3)
    factories.warning(p, case.supervisor)
    absent(p, 10)
    assert codes_of(s) == [C.ABSENCE, C.OPEN_WARNING, C.EXTENSIONS]


def test_school_periods_have_no_absence_signal(case):
    s = factories.student(case.school, last_name="Skole")
    p = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=30), TODAY + timedelta(days=30)
    )
    absent(p, 20)
    assert codes_of(s) == []
