"""The student's own access to Elevsag (app.me), given by the school from the student's page.

The account is made for the address on the student record and invited by e-mail like staff
(app.auth.account_mail): the student chooses their password through the link. One account per
student (`Membership.student_id` is unique). The caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select

from app import audit
from app.access.me import student_accounts
from app.auth import tokens
from app.auth.account_mail import send_invitation
from app.auth.passwords import hash_password
from app.editing import RuleError
from app.extensions import db
from app.history import log
from app.models import (
    AccountToken,
    AuditAction,
    CaseEventKind,
    Membership,
    Role,
    Student,
    TokenPurpose,
    User,
)


@dataclass(frozen=True)
class StudentAccess:
    """What the student's page says of the student's own access."""

    account: User | None
    invitation: AccountToken | None  # the latest invitation link, used or not

    @property
    def in_use(self) -> bool:
        return self.account is not None and self.account.last_login_at is not None


def account_of(student: Student) -> User | None:
    return db.session.execute(student_accounts(student.id)).scalar_one_or_none()


# Read on every student page: built once (with its cache key), the student bound when run.
_ACCOUNT_AND_INVITATION = (
    student_accounts(bindparam("student_id"))
    .add_columns(AccountToken)
    .outerjoin(
        AccountToken,
        and_(
            AccountToken.user_id == User.id,
            AccountToken.purpose == TokenPurpose.INVITATION,
        ),
    )
    .order_by(AccountToken.created_at.desc(), AccountToken.id.desc())
    .limit(1)
)


def access_of(student: Student) -> StudentAccess:
    """The student's account and its newest invitation link, in one statement."""
    row = db.session.execute(_ACCOUNT_AND_INVITATION, {"student_id": student.id}).first()
    return StudentAccess(*row) if row else StudentAccess(None, None)


def invite(student: Student, actor: User) -> User:
    """Make the student's account, or bring it up to date with the record's address, and mail
    a new invitation link (an older one stops working). RuleError when the record has no
    address, or the address belongs to someone else's account."""
    email = (student.email or "").strip().lower()
    if not email:
        raise RuleError(_("Add the student's e-mail address to the student record first."))
    account = account_of(student)
    holder = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if holder is not None and holder is not account:
        raise RuleError(
            _("The address %(email)s already belongs to another account in Elevsag.", email=email)
        )
    if account is None:
        # A random secret no one knows: nobody logs in before the student chooses a password.
        account = User(
            name=student.full_name,
            email=email,
            password_hash=hash_password(secrets.token_urlsafe(32)),
        )
        account.memberships.append(
            Membership(role=Role.STUDENT, organisation_id=student.school_id, student_id=student.id)
        )
        db.session.add(account)
        db.session.flush()
        audit.record(AuditAction.CREATE, obj=account, student=student)
    else:
        if not account.active:
            raise RuleError(_("The student's access is closed. Ask an administrator."))
        if account.email != email:
            tokens.revoke(account)  # links already mailed went to the old address
            account.email = email
        account.name = student.full_name
        audit.record(AuditAction.UPDATE, obj=account, student=student, criterion="invitation sent")
    send_invitation(account)
    log(student, CaseEventKind.STUDENT_ACCOUNT_INVITED, actor)
    return account
