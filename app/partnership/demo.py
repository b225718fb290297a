"""The demo partnership's meetings: one held last quarter (minutes, a decision, a follow-up)
and one planned next month, both with the demo's partnership users invited. Called by
app.demo_data once the partnership and its action plan exist."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from app import dates
from app.extensions import db
from app.models import (
    AgendaItemKind,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    MeetingAgendaItem,
    MeetingDecision,
    MeetingFollowUp,
    MeetingStatus,
    Partnership,
    PartnershipMeeting,
    User,
)
from app.partnership import meeting_services

_DECIDED = "Fælles informationsaftener for voksne ansøgere"


def seed_meetings(partnership: Partnership, coordinator: User, today: date) -> None:
    # The titles and agenda lines are written in Danish, the demo's language (no request here).
    with force_locale("da"):
        _seed(partnership, coordinator, today)


def _seed(partnership: Partnership, coordinator: User, today: date) -> None:
    people = meeting_services.partnership_people(partnership)
    held_on = today - timedelta(days=45)
    held = PartnershipMeeting(
        partnership=partnership,
        title=meeting_services.default_title(held_on),
        on_date=held_on,
        at_time=time(13, 0),
        place="Odense Rådhus, mødelokale 3 (demo)",
        status=MeetingStatus.HELD,
        minutes=(
            "Alle medlemmer var repræsenteret.\n"
            "Informationsaftenerne gav flere voksne ansøgere end ventet. Fraværsopfølgningen "
            "drøftes igen på næste møde med tal fra skolerne."
        ),
        created_by_id=coordinator.id,
        updated_by_id=coordinator.id,
        invitees=people,
    )
    planned_on = today + timedelta(days=30)
    planned = PartnershipMeeting(
        partnership=partnership,
        title=meeting_services.default_title(planned_on),
        on_date=planned_on,
        at_time=time(9, 30),
        place="Online: linket sendes i kalenderinvitationen (demo)",
        created_by_id=coordinator.id,
        updated_by_id=coordinator.id,
        invitees=people,
    )
    db.session.add_all([held, planned])
    db.session.flush()
    for meeting in (held, planned):
        meeting_services.build_agenda(meeting)
    db.session.add(
        MeetingAgendaItem(
            meeting_id=planned.id,
            kind=AgendaItemKind.CASE,
            title="SSA-elev, frafald ved overgang til 1. oplæringsperiode",
            text="Hvad kunne skole og kommune have gjort før overgangen?",
            position=len(planned.agenda) + 1,
        )
    )
    decided = db.session.execute(
        select(Initiative).where(Initiative.title == _DECIDED)
    ).scalar_one_or_none()
    if decided is not None:
        text = "Initiativet er gennemført; erfaringerne deles med de øvrige skoler."
        db.session.add(
            MeetingDecision(
                meeting_id=held.id,
                text=text,
                initiative_id=decided.id,
                new_status=InitiativeStatus.DONE,
                created_by_id=coordinator.id,
            )
        )
        decided.status = InitiativeStatus.DONE
        db.session.add(
            InitiativeNote(
                initiative_id=decided.id,
                text=f"Besluttet på partnerskabsmødet {dates.date_text(held_on)}: {text}",
                noted_on=held_on,
                author_id=coordinator.id,
            )
        )
    db.session.add(
        MeetingFollowUp(
            meeting_id=held.id,
            text="Skolerne sender fraværstal for første oplæringsperiode til koordinatoren.",
            owner_id=partnership.anchor_id,
            responsible_user_id=coordinator.id,
            deadline=planned_on - timedelta(days=7),
            created_by_id=coordinator.id,
        )
    )
    db.session.flush()
