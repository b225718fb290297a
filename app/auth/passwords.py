"""Password hashing with Argon2id.

The parameters are an argon2-cffi profile named by the `PASSWORD_HASH_PROFILE` setting:
RFC 9106's low-memory profile (argon2-cffi's default) everywhere but in the tests, which use
its `CHEAPEST` profile so that a thousand logins do not each spend a tenth of a second. A hash
records its own parameters, so a password hashed under another profile still verifies and is
rehashed at the next login (`needs_rehash`).
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

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


# --- the password policy -------------------------------------------------------------------
#
# OWASP ASVS 4.0.3, V2.1: at least 12 characters, up to 128 or more allowed, any characters
# (spaces and all of Unicode), no composition rules, and a check against passwords known to
# be common or breached. Checked wherever a password is chosen: accepting an invitation,
# resetting a forgotten password, `flask create-user`.

MIN_LENGTH = 12
MAX_LENGTH = 200

# The 20,000 most common passwords (lower-cased, one a line, gzip), taken unchanged from
# Django 5.2's django/contrib/auth/common-passwords.txt.gz (BSD licence). Django's
# CommonPasswordValidator documents the source: Royce Williams' list of the top passwords in
# Have I Been Pwned's breach corpus, https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce
# It is read from the file here, never fetched at run time.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")

# Words a person might build a password around here, which the general list cannot know.
_LOCAL_WORDS = frozenset({"elevsag", "adgangskode", "kodeord", "password", "sosu"})
# What people put before or after a common word to make it "long enough".
_PADDING = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _email_parts(email: str | None) -> list[str]:
    """The e-mail's local part, with and without its separators (anne.b.hansen, annebhansen);
    shorter than four characters it would refuse too much to be useful."""
    local = (email or "").strip().lower().partition("@")[0]
    plain = "".join(character for character in local if character.isalnum())
    return [part for part in {local, plain} if len(part) >= 4]


def password_problems(password: str, email: str | None = None) -> list:
    """What is wrong with `password` for the user with `email`: Danish (lazy) messages for the
    form, empty if the password may be used."""
    if len(password) < MIN_LENGTH:
        return [_l("The password must be at least %(min)d characters.", min=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_l("The password can be at most %(max)d characters.", max=MAX_LENGTH)]
    problems = []
    lowered = password.lower()
    core = lowered.strip(_PADDING)
    common = common_passwords()
    if lowered in common or lowered in _LOCAL_WORDS:
        problems.append(
            _l(
                "This password is one of the most common passwords, which are tried first "
                "when accounts are attacked. Choose another."
            )
        )
    elif not core or core in common or core in _LOCAL_WORDS or len(set(lowered)) < 4:
        problems.append(
            _l(
                "This password is a common word or pattern with digits or characters added. "
                "Choose another, e.g. a few random words."
            )
        )
    compact = "".join(character for character in lowered if character.isalnum())
    if any(part in lowered or part in compact for part in _email_parts(email)):
        problems.append(_l("The password must not contain your e-mail address."))
    return problems
