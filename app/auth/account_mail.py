"""The invitation and password-reset mails: a new link token and the mail that carries it.

Both are queued with `app.mail.enqueue` in the caller's transaction, so the token and its
mail are committed together. The mail holds the link and nothing else about the person (no
name, no roles); it is written in the user's language, Danish if they have not chosen one.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app import mail
from app.auth import tokens
from app.dates import datetime_text
from app.models import TokenPurpose, User
from app.urls import external_url

INVITATION_KIND = "invitation"
PASSWORD_RESET_KIND = "password_reset"  # noqa: S105 (a mail kind, not a secret)


def _body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def invitation_text(link: str, until) -> tuple[str, str]:
    subject = _("Elevsag: You are invited to Elevsag")
    body = _body(
        _("You have been created as a user of Elevsag, the shared case files for SOSU students."),
        _("Choose your password through this link:") + "\n" + link,
        _(
            "The link works once, until %(until)s. If it has expired, ask your administrator "
            "to send you a new invitation.",
            until=datetime_text(until),
        ),
        _("If you did not expect this e-mail, you can ignore it."),
    )
    return subject, body


def reset_text(link: str, minutes: int) -> tuple[str, str]:
    subject = _("Elevsag: Choose a new password")
    body = _body(
        _("Someone asked for a new password for your Elevsag account, presumably you."),
        _("Choose a new password through this link:") + "\n" + link,
        _(
            "The link works once, for %(minutes)d minutes. When you have chosen the new "
            "password, you are logged out everywhere.",
            minutes=minutes,
        ),
        _("If you did not ask for this, you can ignore this e-mail: your password stays as it is."),
    )
    return subject, body


def send_invitation(user: User) -> None:
    """A new invitation link for `user` (older ones stop working) and its mail, in the
    current transaction."""
    token = tokens.issue(user, TokenPurpose.INVITATION)
    link = external_url("auth.accept_invitation", token=token)
    until = tokens.latest_expiry(TokenPurpose.INVITATION)
    with force_locale(user.locale or "da"):
        subject, body = invitation_text(link, until)
    mail.enqueue(user.email, subject, body, kind=INVITATION_KIND, user=user)


def prepare_reset(user: User | None) -> None:
    """The work of "Forgot password?" for the address typed: the same steps whether or not
    it belongs to an active account (a token made, the mail written), but the token is stored
    and the mail queued only if it does."""
    raw_and_hash = tokens.new_token()
    link = external_url("auth.reset_password", token=raw_and_hash[0])
    minutes = int(tokens.lifetime(TokenPurpose.PASSWORD_RESET).total_seconds() // 60)
    with force_locale((user.locale if user else None) or "da"):
        subject, body = reset_text(link, minutes)
    if user is None or not user.active:
        return
    tokens.issue(user, TokenPurpose.PASSWORD_RESET, raw_and_hash)
    mail.enqueue(user.email, subject, body, kind=PASSWORD_RESET_KIND, user=user)
