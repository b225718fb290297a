"""People who log in, what role they hold where, and their login sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column
from app.models.organisation import Organisation, OrganisationKind, Workplace


class Role(enum.StrEnum):
    COUNSELLOR = "counsellor"  # vejleder / SPS-koordinator
    TEACHER = "teacher"  # kontaktlærer
    SCHOOL_ADMIN = "school_admin"
    TRAINING_COORDINATOR = "training_coordinator"  # uddannelseskonsulent / elevkoordinator
    SUPERVISOR = "supervisor"  # oplæringsvejleder, tied to one workplace
    MUNICIPALITY_ADMIN = "municipality_admin"
    ANALYST = "analyst"  # partnership analyst: aggregate figures only
    SYSTEM_ADMIN = "system_admin"
    # The partnership (app.partnership): no case roles, they never see a named student.
    PARTNERSHIP_COORDINATOR = "partnership_coordinator"  # at the anchor municipality
    LEADER = "leader"  # school director, municipal head: a member organisation's leader
    # The student's own account (app.me): sees only their own case, never another student's.
    # Not a school role: the membership's organisation is the school that invited them, and
    # `Membership.student_id` is the one case it opens.
    STUDENT = "student"
    # The data-protection role (databeskyttelsesrådgiver, DPO) of a school, municipality or
    # region: reviews its organisation's access log (app.auditlog), never case content.
    DATA_PROTECTION = "data_protection"

    @property
    def organisation_kinds(self) -> frozenset[OrganisationKind]:
        """The kinds of organisation a membership with this role may belong to."""
        return ROLE_ORGANISATION_KINDS[self]


SCHOOL_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER, Role.SCHOOL_ADMIN})
EMPLOYER_ROLES = frozenset({Role.TRAINING_COORDINATOR, Role.SUPERVISOR, Role.MUNICIPALITY_ADMIN})
_EMPLOYER_KINDS = frozenset({OrganisationKind.MUNICIPALITY, OrganisationKind.REGION})
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    **{role: frozenset({OrganisationKind.SCHOOL}) for role in SCHOOL_ROLES},
    **dict.fromkeys(EMPLOYER_ROLES, _EMPLOYER_KINDS),
    Role.ANALYST: frozenset(OrganisationKind),
    Role.SYSTEM_ADMIN: frozenset(),  # not tied to an organisation
    # Coordinates from the anchor municipality; like the employer roles it fits a region too
    # (an organisation's kind may change between the two).
    Role.PARTNERSHIP_COORDINATOR: _EMPLOYER_KINDS,
    Role.LEADER: frozenset(OrganisationKind),
    Role.STUDENT: frozenset({OrganisationKind.SCHOOL}),
    Role.DATA_PROTECTION: frozenset(OrganisationKind),
}


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-factor login (app.auth.twofactor): the TOTP secret (base32), set when enrolment
    # starts; the enrolment counts only once confirmed with a code (totp_enabled_at). The time
    # step of the last code used, so a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    # Flask-Login protocol. The login session's token, not the user id, goes into the cookie
    # (see app/auth/sessions.py), so these are written out rather than taken from UserMixin.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    # Set by app.auth.sessions when the user logs in or is loaded from a login session.
    login_token = None  # not a column
    session_ends_at = None  # not a column: when the login session ends if nothing happens
    login_session = None  # not a column: this request's LoginSession row

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        if not self.login_token:
            raise RuntimeError("log users in through app.auth.sessions.start_session")
        return self.login_token

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(m.role for m in self.memberships)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def organisation_ids(self, *roles: Role) -> set[int]:
        """Organisations where the user holds one of `roles`."""
        return {
            m.organisation_id
            for m in self.memberships
            if m.role in roles and m.organisation_id is not None
        }

    def workplace_ids(self, *roles: Role) -> set[int]:
        return {m.workplace_id for m in self.memberships if m.role in roles and m.workplace_id}

    @property
    def own_student_id(self) -> int | None:
        """The student whose own account this is (Role.STUDENT), else None."""
        return next((m.student_id for m in self.memberships if m.role is Role.STUDENT), None)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(Base):
    """A role a user holds in an organisation (and, for supervisors, at one workplace)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "organisation_id", "workplace_id"),
        CheckConstraint(
            "(role = 'system_admin') = (organisation_id IS NULL)", name="org_unless_system_admin"
        ),
        CheckConstraint(
            "(role = 'supervisor') = (workplace_id IS NOT NULL)", name="workplace_iff_supervisor"
        ),
        CheckConstraint(
            "(role = 'student') = (student_id IS NOT NULL)", name="student_iff_student_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"), index=True)
    # A student's own account: the one student (case) it opens. One account per student.
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation | None] = relationship()
    workplace: Mapped[Workplace | None] = relationship()


class LoginSession(Base):
    """A server-side login. The cookie carries only a random token; its hash is stored here.

    Logging out revokes the row, so a copied cookie stops working at once.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The browser's User-Agent header at login (cut to 255 characters), so the person can
    # tell their sessions apart on "My sessions".
    user_agent: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # How the second factor was shown in this session: "totp" (a code from the app),
    # "recovery" (a recovery code), "provider" (the organisation's identity provider did
    # multi-factor); None: not (yet) shown. `verified_at`: when the person last proved who
    # they are in this session (login, a code, or the password again before an export).
    second_factor: Mapped[str | None] = mapped_column(String(16))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
