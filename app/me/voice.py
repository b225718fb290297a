"""The student's own voice: reflections in a training period (a learning log the period's
supervisors and the school read) and requests for a conversation (a task on the list of the
counsellor or contact teacher asked). The caller commits."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import labels
from app.dates import date_text
from app.editing import RuleError
from app.extensions import db
from app.forms import BaseForm, enum_field, text_field
from app.history import log
from app.models import (
    REFLECTION_MAX,
    TOPIC_MAX,
    CaseEventKind,
    ConversationRequest,
    ConversationWith,
    Period,
    Reflection,
    Student,
    User,
)
from app.models.base import today


class ReflectionForm(BaseForm):
    text = text_field(
        _l("Your reflection"), required=True, max_chars=REFLECTION_MAX, multiline=True
    )


class ConversationForm(BaseForm):
    with_whom = enum_field(_l("Who would you like to talk to?"), labels.CONVERSATION_WITH)
    topic = text_field(
        _l("What would you like to talk about? (optional)"), max_chars=TOPIC_MAX, multiline=True
    )


def write_reflection(student: Student, period: Period, text: str, user: User) -> Reflection:
    if period.start_date > today():
        raise RuleError(
            _(
                "You can write reflections once the period has started (%(date)s).",
                date=date_text(period.start_date),
            ),
            "text",
        )
    reflection = Reflection(
        period_id=period.id, student_id=student.id, text=text, author_id=user.id
    )
    db.session.add(reflection)
    log(student, CaseEventKind.REFLECTION_WRITTEN, user, target=period)
    return reflection


def ask_for_conversation(
    student: Student, with_whom: ConversationWith, topic: str, user: User
) -> ConversationRequest:
    person = (
        student.counsellor if with_whom is ConversationWith.COUNSELLOR else student.contact_teacher
    )
    if person is None:
        raise RuleError(
            _("Your school has not named this person yet. Choose the other, or ask your school."),
            "with_whom",
        )
    request = ConversationRequest(
        student_id=student.id,
        with_whom=with_whom,
        addressed_to_id=person.id,
        topic=topic,
        asked_on=today(),
    )
    db.session.add(request)
    db.session.flush()
    log(student, CaseEventKind.CONVERSATION_REQUESTED, user, with_whom=with_whom.value)
    return request
