"""The partnership's meetings (partnerskabsmøder): four a year, where the action plan's
initiatives are followed up.

A meeting has an agenda (built from the initiatives due or behind, a line for the latest
figures, cases for joint evaluation written without a name, and free items), minutes,
decisions (each may set an initiative's status) and follow-ups with an owner organisation and
a deadline, and the partnership users invited to it. Like the rest of the partnership, nothing
here names a student; changes are audited (app.audit).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, link_table, utcnow
from app.models.columns import Versioned, parent_id_column, user_id_column
from app.models.organisation import Organisation
from app.models.partnership import Initiative, InitiativeStatus, Partnership
from app.models.user import User

partnership_meeting_invitee = link_table(
    "partnership_meeting_invitee",
    ("meeting_id", "partnership_meeting.id"),
    ("user_id", "user_account.id"),
)


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"


class AgendaItemKind(enum.StrEnum):
    INITIATIVE = "initiative"  # built: an initiative due or behind
    FIGURES = "figures"  # built: the latest figures (the dashboard)
    CASE = "case"  # a case for joint evaluation, described without a name
    FREE = "free"  # anything else the coordinator puts on the agenda


class PartnershipMeeting(Versioned, Base):
    __tablename__ = "partnership_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = parent_id_column("partnership")
    title: Mapped[str] = mapped_column(String(200))
    on_date: Mapped[date] = mapped_column(index=True)
    at_time: Mapped[time | None] = mapped_column(Time())
    # A meeting room's address, or the text of an online meeting's link.
    place: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = user_id_column()

    partnership: Mapped[Partnership] = relationship()
    agenda: Mapped[list[MeetingAgendaItem]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="(MeetingAgendaItem.position, MeetingAgendaItem.id)",
    )
    decisions: Mapped[list[MeetingDecision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDecision.id"
    )
    follow_ups: Mapped[list[MeetingFollowUp]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="(MeetingFollowUp.deadline, MeetingFollowUp.id)",
    )
    invitees: Mapped[list[User]] = relationship(
        secondary=partnership_meeting_invitee, order_by="User.name"
    )

    @property
    def held(self) -> bool:
        return self.status == MeetingStatus.HELD

    def __repr__(self) -> str:
        return f"<PartnershipMeeting {self.title!r} {self.on_date}>"


class MeetingAgendaItem(Base):
    __tablename__ = "partnership_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = parent_id_column("partnership_meeting")
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind, "agenda_item_kind"))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL"), index=True
    )

    meeting: Mapped[PartnershipMeeting] = relationship(back_populates="agenda")
    initiative: Mapped[Initiative | None] = relationship()


class MeetingDecision(Base):
    """A decision of the meeting; tied to an initiative, it may set the initiative's status."""

    __tablename__ = "partnership_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = parent_id_column("partnership_meeting")
    text: Mapped[str] = mapped_column(Text)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL"), index=True
    )
    new_status: Mapped[InitiativeStatus | None] = mapped_column(
        enum_column(InitiativeStatus, "initiative_status")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()

    meeting: Mapped[PartnershipMeeting] = relationship(back_populates="decisions")
    initiative: Mapped[Initiative | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class MeetingFollowUp(Base):
    """A follow-up point (opfølgningspunkt): who does what by when."""

    __tablename__ = "partnership_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = parent_id_column("partnership_meeting")
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    responsible_user_id: Mapped[int | None] = user_id_column()
    responsible_name: Mapped[str] = mapped_column(String(120), default="")
    deadline: Mapped[date]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()

    meeting: Mapped[PartnershipMeeting] = relationship(back_populates="follow_ups")
    owner: Mapped[Organisation] = relationship()
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    @property
    def responsible(self) -> str:
        if self.responsible_user is not None:
            return self.responsible_user.name
        return self.responsible_name
