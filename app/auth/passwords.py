"""Password hashing with Argon2id.

The parameters are an argon2-cffi profile named by the `PASSWORD_HASH_PROFILE` setting:
RFC 9106's low-memory profile (argon2-cffi's default) everywhere but in the tests, which use
its `CHEAPEST` profile so that a thousand logins do not each spend a tenth of a second. A hash
records its own parameters, so a password hashed under another profile still verifies and is
rehashed at the next login (`needs_rehash`).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """The hasher of `profile` and a hash verified against when the account does not exist,
    so a wrong e-mail takes as long as a wrong password and response times do not reveal
    which accounts exist."""
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    return hasher, hasher.hash("elevsag-no-such-account")


def _hasher() -> tuple[PasswordHasher, str]:
    profile = DEFAULT_PROFILE
    if has_app_context():
        profile = current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE)
    return _hasher_for(profile)


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(password_hash)
