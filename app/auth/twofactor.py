"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) and recovery codes.

pyotp computes the codes: a small, maintained library that does only this, with no service
behind it. segno draws the enrolment QR code as SVG in the page itself: pure Python, no
image library, and nothing is sent anywhere. Who must use two-factor login, and what a login
without it reaches, is decided in app.access.twofactor.

A code is accepted in its 30-second step and the one before or after (clock drift), and
only once: the step of the last code used is stored, and a conditional UPDATE refuses a
step that is not newer, so two requests cannot both use one code.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets

import pyotp
import segno
from sqlalchemy import delete, or_, update

from app.access.twofactor import RECOVERY, TOTP
from app.extensions import db
from app.models import RecoveryCode, User
from app.models.base import utcnow

ISSUER = "Elevsag"
RECOVERY_CODES = 10
VALID_WINDOW = 1  # steps before and after the current one


class CodeResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REUSED = "reused"


# --- enrolment ------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret of the user's enrolment in progress, made now if there is none. The caller
    commits. An enrolment counts only once confirmed with a code (`confirm_enrolment`)."""
    if user.totp_secret is None or user.two_factor_enabled:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = None
        user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User, title: str) -> str:
    """The enrolment QR code as an inline <svg> element (no image file, nothing fetched)."""
    qr = segno.make(provisioning_uri(user), error="m")
    return qr.svg_inline(
        scale=5, title=title, light="#fff", svgclass="two-factor-qr", lineclass=None
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> CodeResult:
    """Turn two-factor login on if `code` fits the secret in progress. The caller commits."""
    if user.totp_secret is None or user.two_factor_enabled:
        return CodeResult.WRONG
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return CodeResult.WRONG
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return CodeResult.OK


def turn_off(user: User) -> None:
    """Remove the secret and the recovery codes. The caller commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- codes ----------------------------------------------------------------------------------


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_step(secret: str, code: str) -> int | None:
    code = normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str) -> CodeResult:
    """A code from the user's app: right, wrong, or one already used. A right code is used up
    here (the caller commits)."""
    if not user.two_factor_enabled:
        return CodeResult.WRONG
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return CodeResult.WRONG
    used = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return CodeResult.REUSED
    user.totp_last_step = step
    return CodeResult.OK


def looks_like_totp(code: str) -> bool:
    code = normalise(code)
    return len(code) == 6 and code.isdigit()


# --- recovery codes -------------------------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """RECOVERY_CODES new one-time codes (50 random bits each), shown once; the old ones stop
    working. Only their hashes are stored. The caller commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def use_recovery_code(user: User, code: str) -> CodeResult:
    """Use one of the user's recovery codes: it works once. The caller commits."""
    if not user.two_factor_enabled or len(normalise(code)) != 10:
        return CodeResult.WRONG
    digest = _hash(code)
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return CodeResult.OK
    exists = db.session.execute(
        db.select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest
        )
    ).first()
    return CodeResult.REUSED if exists else CodeResult.WRONG


def recovery_codes_left(user: User) -> int:
    return (
        db.session.execute(
            db.select(db.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).scalar_one()
        or 0
    )


def check_any(user: User, code: str) -> tuple[CodeResult, str]:
    """A code from the app or a recovery code; the result and which kind was tried
    (app.access.twofactor.TOTP or RECOVERY)."""
    if looks_like_totp(code):
        return check_code(user, code), TOTP
    return use_recovery_code(user, code), RECOVERY
