"""E-mail notices: which events mail whom, what the mail says, now or in the daily digest.

Every in-app notification (app.notifications.notify) is also a notice to its person here
(`notification_mail`), and two daily reminders that have no in-app notification of their own
are found by `send_reminders` (`flask mail reminders`): an open action item near its due
date (to its owner) and a partnership meeting's follow-up point past its deadline (to the
user responsible, if it has one; a follow-up has no student, so it is mailed only).

Each person chooses per kind (`MailPreference`): immediately (one mail, queued in the event's
own transaction with app.mail.enqueue), in the daily digest (`send_digests`, `flask mail
digest`: one mail a day grouping what came since the last one), or not at all. Without a
choice, the defaults of their roles apply (DEFAULTS, ROLE_DEFAULTS; docs/mail.md).

A mail never holds a student's name, number or case text: the subject and body say what kind
of thing happened, the organisation or workplace at most, and an absolute link that leads
through login to the page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.access.me import student_accounts
from app.extensions import db
from app.ics import event_calendar
from app.mail import enqueue
from app.models import (
    ActionItem,
    ActionItemStatus,
    CaseReview,
    MailChoice,
    MailDigest,
    MailNotice,
    MailPreference,
    MeetingFollowUp,
    NotificationKind,
    Period,
    PeriodKind,
    Role,
    Student,
    User,
)
from app.models.base import day_start, today, utcnow
from app.urls import external_url

K = NotificationKind
NOW, D, OFF = MailChoice.IMMEDIATELY, MailChoice.DIGEST, MailChoice.OFF

# The kinds in the order the preferences page shows them.
KINDS = [
    K.HANDOVER_WRITTEN,
    K.HANDOVER_MISSING,
    K.NOTE_ACKNOWLEDGED,
    K.WARNING_GIVEN,
    K.CONCERN_RECORDED,
    K.REVIEW_SCHEDULED,
    K.ACTION_ITEM_DUE,
    K.HELP_ANSWERED,
    K.FOLLOW_UP_OVERDUE,
    K.RISK_SIGNS,
]

# What the preferences page calls each kind.
KIND_NAME = {
    K.HANDOVER_WRITTEN: _l("A handover note is written for you"),
    K.HANDOVER_MISSING: _l("A transition you send is near and has no handover note"),
    K.NOTE_ACKNOWLEDGED: _l("Your handover note is acknowledged"),
    K.WARNING_GIVEN: _l("A warning is given to your student"),
    K.CONCERN_RECORDED: _l("A concern is recorded about your student"),
    K.REVIEW_SCHEDULED: _l("You are invited to a case review"),
    K.ACTION_ITEM_DUE: _l("An action item of yours is due"),
    K.HELP_ANSWERED: _l("The school answers your request for help"),
    K.FOLLOW_UP_OVERDUE: _l("A partnership follow-up point of yours is overdue"),
    K.RISK_SIGNS: _l("A student of yours first shows signs of risk"),
}

CHOICE_NAME = {
    NOW: _l("Immediately"),
    D: _l("In the daily summary"),
    OFF: _l("Not by e-mail"),
}

SUBJECT = {
    K.HANDOVER_WRITTEN: _l("Elevsag: There is a handover note for you"),
    K.HANDOVER_MISSING: _l("Elevsag: A transition is near and has no handover note"),
    K.NOTE_ACKNOWLEDGED: _l("Elevsag: Your handover note has been acknowledged"),
    K.WARNING_GIVEN: _l("Elevsag: A warning has been given to your student"),
    K.CONCERN_RECORDED: _l("Elevsag: A concern has been recorded about your student"),
    K.REVIEW_SCHEDULED: _l("Elevsag: You are invited to a case review"),
    K.ACTION_ITEM_DUE: _l("Elevsag: An action item of yours is due"),
    K.HELP_ANSWERED: _l("Elevsag: The school has answered your request for help"),
    K.FOLLOW_UP_OVERDUE: _l("Elevsag: A follow-up point is overdue"),
    K.RISK_SIGNS: _l("Elevsag: A student shows signs of risk"),
}

# The body's first sentence: what happened, without saying to whom.
SENTENCE = {
    K.HANDOVER_WRITTEN: _l("A handover note has been written for a student who comes to you."),
    K.HANDOVER_MISSING: _l(
        "A student you send on starts a new period soon, and no handover note has been written yet."
    ),
    K.NOTE_ACKNOWLEDGED: _l("The receiving side has acknowledged a handover note you wrote."),
    K.WARNING_GIVEN: _l(
        "The workplace has given one of your students a warning: a required level may not "
        "be reached."
    ),
    K.CONCERN_RECORDED: _l("The workplace has recorded a concern about one of your students."),
    K.REVIEW_SCHEDULED: _l(
        "You have been invited to a case review. The invitation is attached for your calendar."
    ),
    K.ACTION_ITEM_DUE: _l("An action item from a case review that you own is due."),
    K.HELP_ANSWERED: _l(
        "The school has answered your request for a case review or a conversation."
    ),
    K.FOLLOW_UP_OVERDUE: _l(
        "A follow-up point from a partnership meeting that you are responsible for is past "
        "its deadline."
    ),
    # Never the reason: the person told may not see every rule's data (app.access.risk).
    K.RISK_SIGNS: _l("One of your students now shows signs of being at risk of dropping out."),
}

# A student's own account (Role.STUDENT) is told in its own words: the thing is theirs.
STUDENT_SUBJECT = {
    K.WARNING_GIVEN: _l("Elevsag: Your workplace has given you a warning"),
    K.REVIEW_SCHEDULED: _l("Elevsag: You are invited to a meeting about your education"),
}
STUDENT_SENTENCE = {
    K.WARNING_GIVEN: _l(
        "Your workplace has given you a warning: a required level may not be reached. Read "
        "it, and confirm that you have read it."
    ),
    K.REVIEW_SCHEDULED: _l(
        "Your school and your workplace invite you to a meeting about your education. The "
        "time and place are on your plan in Elevsag."
    ),
}
STUDENT_KIND_NAME = {
    K.WARNING_GIVEN: _l("A warning is given to you"),
}


def _worded(table: dict, student_table: dict, user: User, kind: NotificationKind):
    """The text of `kind` for `user`: a student's own wording where there is one."""
    if user.own_student_id is not None and kind in student_table:
        return student_table[kind]
    return table[kind]


# "2 handover notes for you": one kind's part of the digest's summary line.
COUNT_TEXT = {
    K.HANDOVER_WRITTEN: lambda n: ngettext(
        "%(num)d handover note for you", "%(num)d handover notes for you", n
    ),
    K.HANDOVER_MISSING: lambda n: ngettext(
        "%(num)d transition without a handover note",
        "%(num)d transitions without a handover note",
        n,
    ),
    K.NOTE_ACKNOWLEDGED: lambda n: ngettext(
        "%(num)d of your handover notes acknowledged",
        "%(num)d of your handover notes acknowledged",
        n,
    ),
    K.WARNING_GIVEN: lambda n: ngettext("%(num)d warning", "%(num)d warnings", n),
    K.CONCERN_RECORDED: lambda n: ngettext("%(num)d concern", "%(num)d concerns", n),
    K.REVIEW_SCHEDULED: lambda n: ngettext(
        "%(num)d invitation to a case review", "%(num)d invitations to case reviews", n
    ),
    K.ACTION_ITEM_DUE: lambda n: ngettext("%(num)d action item due", "%(num)d action items due", n),
    K.HELP_ANSWERED: lambda n: ngettext(
        "%(num)d answer to your request for help", "%(num)d answers to your requests for help", n
    ),
    K.FOLLOW_UP_OVERDUE: lambda n: ngettext(
        "%(num)d overdue follow-up point", "%(num)d overdue follow-up points", n
    ),
    K.RISK_SIGNS: lambda n: ngettext(
        "%(num)d student with signs of risk", "%(num)d students with signs of risk", n
    ),
}


# --- preferences -------------------------------------------------------------------------------

# Everyone's defaults; a role's own below. With several roles, the one that tells soonest wins.
DEFAULTS = {
    K.HANDOVER_WRITTEN: NOW,
    K.HANDOVER_MISSING: NOW,
    K.NOTE_ACKNOWLEDGED: D,
    K.WARNING_GIVEN: NOW,
    K.CONCERN_RECORDED: NOW,
    K.REVIEW_SCHEDULED: NOW,
    K.ACTION_ITEM_DUE: NOW,
    K.HELP_ANSWERED: NOW,
    K.FOLLOW_UP_OVERDUE: D,
    K.RISK_SIGNS: D,
}
ROLE_DEFAULTS = {
    # Counsellors follow many students' support: concerns come once a day.
    Role.COUNSELLOR: {K.CONCERN_RECORDED: D, K.HANDOVER_WRITTEN: D},
    # Training coordinators are told about the many training periods nobody is responsible for.
    Role.TRAINING_COORDINATOR: {K.HANDOVER_WRITTEN: D, K.HANDOVER_MISSING: D},
    Role.PARTNERSHIP_COORDINATOR: {K.FOLLOW_UP_OVERDUE: NOW},
    Role.LEADER: {K.FOLLOW_UP_OVERDUE: NOW},
}
_SOONEST = [NOW, D, OFF]


def default_choice(user: User, kind: NotificationKind) -> MailChoice:
    choices = [ROLE_DEFAULTS.get(role, {}).get(kind, DEFAULTS[kind]) for role in user.roles]
    return min(choices or [DEFAULTS[kind]], key=_SOONEST.index)


def _own_choices(user_ids) -> dict[int, dict[str, MailChoice]]:
    """The choices the users in `user_ids` made themselves, by user id, in one query."""
    own: dict[int, dict[str, MailChoice]] = {user_id: {} for user_id in user_ids}
    for p in db.session.execute(
        select(MailPreference).where(MailPreference.user_id.in_(list(own)))
    ).scalars():
        own[p.user_id][p.kind] = p.choice
    return own


def choices(
    user: User, own: dict[str, MailChoice] | None = None
) -> dict[NotificationKind, MailChoice]:
    """The user's choice for every kind: their own (`own`, if already loaded), else their
    roles' default."""
    if own is None:
        own = _own_choices([user.id])[user.id]
    return {kind: own.get(kind.value) or default_choice(user, kind) for kind in KINDS}


def save_choices(user: User, chosen: dict[NotificationKind, MailChoice]) -> None:
    """Keep the user's choices (the caller commits)."""
    existing = {
        p.kind: p
        for p in db.session.execute(
            select(MailPreference).where(MailPreference.user_id == user.id)
        ).scalars()
    }
    for kind, choice in chosen.items():
        row = existing.get(kind.value)
        if row is None:
            db.session.add(MailPreference(user_id=user.id, kind=kind.value, choice=choice))
        else:
            row.choice = choice


# --- links -------------------------------------------------------------------------------------


def _period_place(student: Student, period: Period) -> str:
    if period.kind == PeriodKind.TRAINING and period.workplace is not None:
        return period.workplace.name
    return student.school.name


def _notification_link(
    kind: NotificationKind, student: Student, period: Period, about: object | None
) -> str:
    if isinstance(about, CaseReview):
        return external_url("reviews.review", student_id=student.id, review_id=about.id)
    if kind == K.REVIEW_SCHEDULED:
        return external_url("reviews.my_reviews")
    if kind == K.ACTION_ITEM_DUE:
        return external_url("reviews.my_action_items")
    if kind == K.HELP_ANSWERED:
        return external_url("support.overview", student_id=student.id) + "#help-requests"
    if kind == K.RISK_SIGNS:
        return external_url("students.show", student_id=student.id)
    if kind in (K.WARNING_GIVEN, K.CONCERN_RECORDED):
        return external_url("training.period", student_id=student.id, period_id=period.id)
    return external_url("journey.handover", student_id=student.id, period_id=period.id)


def review_calendar(review: CaseReview) -> str:
    """The case review as an invitation for the participants' calendars: the kind of meeting
    and the organisation holding it, never the student (the file travels by e-mail)."""
    host = urlsplit(external_url("main.index")).hostname or "elevsag"
    with force_locale("da"):  # one file for all participants; there may be no request
        summary = f"{_l('Case review')} – {review.organisation.name}"
    return event_calendar(
        uid=f"case-review-{review.id}@{host}",
        summary=summary,
        on_date=review.on_date,
        at_time=review.at_time,
        stamp=review.updated_at or utcnow(),
        location=review.location,
        attendees=[(person.name, person.email) for person in review.participants],
        method="REQUEST",
    ).decode()


# --- telling -----------------------------------------------------------------------------------


def _render(template: str, **context) -> str:
    """A mail template, without the page's context processors (there may be no request)."""
    return current_app.jinja_env.get_template(template).render(**context)


def _render_notice(user: User, kind: NotificationKind, link: str, place: str) -> tuple[str, str]:
    with force_locale(user.locale or "da"):
        subject = str(_worded(SUBJECT, STUDENT_SUBJECT, user, kind))
        body = _render(
            "mail/notice.txt",
            sentence=str(_worded(SENTENCE, STUDENT_SENTENCE, user, kind)),
            place=place,
            link=link,
            settings_link=external_url("auth.mail_preferences"),
        )
    return subject, body


def tell(
    user: User,
    kind: NotificationKind,
    link: str,
    *,
    place: str = "",
    ref: str = "",
    calendar: str | None = None,
    own: dict[str, MailChoice] | None = None,
) -> MailNotice | None:
    """Record a notice to `user` and, if they want it immediately, queue its mail in the
    current transaction. Nothing for an inactive account. `own`: the user's own choices, if
    the caller loaded them already."""
    if not user.active:
        return None
    choice = choices(user, own)[kind]
    notice = MailNotice(
        user_id=user.id, kind=kind.value, ref=ref, link=link, place=place[:200], choice=choice
    )
    db.session.add(notice)
    if choice == NOW:
        subject, body = _render_notice(user, kind, link, place)
        enqueue(user.email, subject, body, kind=kind.value, user=user, calendar=calendar)
    return notice


def notification_mail(
    user_ids: list[int],
    kind: NotificationKind,
    student: Student,
    period: Period,
    about: object | None = None,
) -> None:
    """The mail side of app.notifications.notify: one notice per person told."""
    if not user_ids:
        return
    link = _notification_link(kind, student, period, about)
    place = _period_place(student, period)
    calendar = review_calendar(about) if isinstance(about, CaseReview) else None
    users = db.session.execute(
        select(User).where(User.id.in_(user_ids)).options(joinedload(User.memberships))
    ).unique()
    own = _own_choices(user_ids)  # everyone's choices in one query, not one per person
    for user in users.scalars():
        # A student's own account reads their case on their own pages (app.me), not staff's.
        to = external_url("me.plan") if user.own_student_id is not None else link
        tell(user, kind, to, place=place, calendar=calendar, own=own.get(user.id, {}))


def warning_to_student(student: Student, period: Period, warning_id: int) -> None:
    """Tell the student's own account (if they have one) of a warning given to them, with a
    link to it on their own pages (me.warning)."""
    accounts = db.session.execute(
        student_accounts(student.id).options(joinedload(User.memberships))
    ).unique()
    link = external_url("me.warning", warning_id=warning_id)
    place = _period_place(student, period)
    for user in accounts.scalars():
        tell(user, K.WARNING_GIVEN, link, place=place, ref=f"warning:{warning_id}")


# --- the daily reminders -----------------------------------------------------------------------


def _already(user_id: int, kind: NotificationKind, ref: str) -> bool:
    return db.session.execute(
        select(
            exists().where(
                MailNotice.user_id == user_id, MailNotice.kind == kind.value, MailNotice.ref == ref
            )
        )
    ).scalar_one()


def _current_period(student_id: int, on: date) -> Period | None:
    return db.session.execute(
        select(Period)
        .where(Period.student_id == student_id, Period.end_date >= on)
        .order_by(Period.start_date)
        .limit(1)
    ).scalar_one_or_none()


def remind_action_items(on: date) -> int:
    """Tell owners of open action items due within ACTION_ITEM_REMINDER_DAYS (or overdue):
    once per item and due date; an in-app notification too when the student has a period."""
    from app.notifications import notify  # app.notifications calls this module

    until = on + timedelta(days=current_app.config["ACTION_ITEM_REMINDER_DAYS"])
    items = db.session.execute(
        select(ActionItem)
        .where(
            ActionItem.status == ActionItemStatus.OPEN,
            ActionItem.owner_id.is_not(None),
            ActionItem.due_date <= until,
        )
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.review))
        .order_by(ActionItem.id)
    ).scalars()
    told = 0
    for item in items:
        ref = f"action_item:{item.id}:{item.due_date.isoformat()}"
        if item.owner is None or _already(item.owner.id, K.ACTION_ITEM_DUE, ref):
            continue
        period = _current_period(item.student_id, on)
        if period is not None:
            student = db.session.get(Student, item.student_id)
            notify([item.owner.id], K.ACTION_ITEM_DUE, student, period, again=True, mail=False)
        place = item.review.organisation.name if item.review else ""
        link = external_url("reviews.my_action_items")
        if tell(item.owner, K.ACTION_ITEM_DUE, link, place=place, ref=ref):
            told += 1
    return told


def remind_follow_ups(on: date) -> int:
    """Tell the user responsible for a partnership follow-up point past its deadline, once per
    point and deadline (mail only: the in-app notifications are about students)."""
    rows = db.session.execute(
        select(MeetingFollowUp)
        .where(
            MeetingFollowUp.done_at.is_(None),
            MeetingFollowUp.responsible_user_id.is_not(None),
            MeetingFollowUp.deadline < on,
        )
        .options(joinedload(MeetingFollowUp.responsible_user), joinedload(MeetingFollowUp.owner))
        .order_by(MeetingFollowUp.id)
    ).scalars()
    told = 0
    for follow_up in rows:
        user = follow_up.responsible_user
        ref = f"follow_up:{follow_up.id}:{follow_up.deadline.isoformat()}"
        if user is None or _already(user.id, K.FOLLOW_UP_OVERDUE, ref):
            continue
        link = external_url("partnership.meeting", partnership_meeting_id=follow_up.meeting_id)
        if tell(user, K.FOLLOW_UP_OVERDUE, link, place=follow_up.owner.name, ref=ref):
            told += 1
    return told


def send_reminders(on: date) -> int:
    told = remind_action_items(on) + remind_follow_ups(on)
    db.session.commit()
    return told


# --- the daily digest --------------------------------------------------------------------------


def _render_digest(user: User, notices: list[MailNotice], day: date) -> tuple[str, str]:
    kinds = [kind for kind in KINDS if any(n.kind == kind.value for n in notices)]
    yesterday = day_start(day - timedelta(days=1))
    with force_locale(user.locale or "da"):
        counts = [COUNT_TEXT[kind](sum(n.kind == kind.value for n in notices)) for kind in kinds]
        items = [
            {
                "text": str(_worded(KIND_NAME, STUDENT_KIND_NAME, user, K(n.kind))),
                "place": n.place,
                "link": n.link,
            }
            for n in notices
        ]
        body = _render(
            "mail/digest.txt",
            yesterday=all(n.created_at >= yesterday for n in notices),
            summary=", ".join(counts),
            items=items,
            settings_link=external_url("auth.mail_preferences"),
        )
        subject = str(_l("Elevsag: Your daily summary"))
    return subject, body


def send_digests(day: date) -> int:
    """One mail per person with notices waiting for the digest from before `day`; a person
    whose digest for `day` was already written gets none. The number of mails queued."""
    waiting = db.session.execute(
        select(MailNotice)
        .join(User, User.id == MailNotice.user_id)
        .where(
            MailNotice.choice == D,
            MailNotice.digest_id.is_(None),
            MailNotice.created_at < day_start(day),
            User.active.is_(True),
            ~exists().where(and_(MailDigest.user_id == User.id, MailDigest.day == day)),
        )
        .order_by(MailNotice.user_id, MailNotice.created_at, MailNotice.id)
    ).scalars()
    per_user: dict[int, list[MailNotice]] = defaultdict(list)
    for notice in waiting:
        per_user[notice.user_id].append(notice)
    db.session.commit()
    sent = 0
    for user_id, notices in per_user.items():
        user = db.session.get(User, user_id)
        digest = MailDigest(user_id=user_id, day=day)
        db.session.add(digest)
        try:
            db.session.flush()  # a second run the same day stops here (unique user and day)
        except IntegrityError:
            db.session.rollback()
            continue
        for notice in notices:
            notice.digest_id = digest.id
        subject, body = _render_digest(user, notices, day)
        enqueue(user.email, subject, body, kind="digest", user=user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        sent += 1
    return sent


# --- commands ----------------------------------------------------------------------------------


def _day_option(f):
    return click.option(
        "--day",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The day to run for (YYYY-MM-DD; default today).",
    )(f)


@click.command("digest")
@_day_option
@with_appcontext
def digest_command(day: datetime | None) -> None:
    """Send each person who chose the daily summary one mail with what came before today
    (Copenhagen's day)."""
    sent = send_digests(day.date() if day else today())
    click.echo(f"Daily summaries queued: {sent}")


@click.command("reminders")
@_day_option
@with_appcontext
def reminders_command(day: datetime | None) -> None:
    """Tell owners of action items that are due and of overdue partnership follow-up points."""
    told = send_reminders(day.date() if day else today())
    click.echo(f"Reminders: {told}")


COMMANDS = [digest_command, reminders_command]


def register_commands(app) -> None:
    """`flask mail digest` and `flask mail reminders`, in the `mail` group whoever made it."""
    group = app.cli.commands.get("mail")
    if group is None:
        group = AppGroup("mail", help="E-mail: the outbox and the notices.")
        app.cli.add_command(group)
    for command in COMMANDS:
        group.add_command(command)
