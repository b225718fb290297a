"""Configuration, read from the environment.

`ELEVSAG_CONFIG` picks the class: ``production`` (default), ``development`` or ``test``.
Production refuses to start without a real SECRET_KEY; development keeps a random key in
``instance/secret_key`` so a newcomer needs no setup.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _engine_options(url: str, connect_timeout: int) -> dict:
    """Every pooled connection is pinged before use, so connections that a database restart
    killed are replaced instead of failing the request. On PostgreSQL a connection attempt
    gives up after `connect_timeout` seconds: a database that does not answer makes the
    request answer 503 instead of holding the worker (libpq's default is to wait forever)."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": connect_timeout}
    return options


def _ratelimit_storage() -> str:
    """Where the login limiter counts: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory
    (which only one process can use: see Config.validate)."""
    return os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"


class Config:
    """Production settings. Everything security-relevant is on."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'elevsag.sqlite'}")
    DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 5)
    # E-mail (app.mail): the SMTP server the outbox worker sends through, the sender, and how
    # a failed attempt is retried (back-off MAIL_RETRY_SECONDS x 2^(attempt-1)).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Elevsag <noreply@elevsag.invalid>")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 60)
    MAIL_CLAIM_TIMEOUT_SECONDS = _int("MAIL_CLAIM_TIMEOUT_SECONDS", 600)
    # The RQ queue on Redis that `flask mail worker` serves (app.mail.queue). Unset, nothing
    # is pushed: messages wait in the outbox for `flask mail deliver` (cron) or the sweeper.
    MAIL_QUEUE_URL = os.environ.get("MAIL_QUEUE_URL") or None
    MAIL_QUEUE_NAME = os.environ.get("MAIL_QUEUE_NAME", "elevsag-mail")
    # The worker's sweeper delivers whatever is due this often, Redis or not.
    MAIL_SWEEP_SECONDS = _int("MAIL_SWEEP_SECONDS", 30)
    # The admin outbox page shows each message's text and a "send now" button (development).
    MAIL_OUTBOX_SHOWS_CONTENT = False
    # The site's address as people reach it, for links in e-mails (app.urls.external_url),
    # e.g. https://elevsag.example.dk. Production requires it: without it a link would take
    # the host from the request, which a client chooses (and a daily command has no request).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    REQUIRE_PUBLIC_BASE_URL = True
    # Links that let a person choose a password (app.auth.tokens): an invitation lasts this
    # many days, a "forgot password" link this many minutes.
    INVITATION_DAYS = _int("INVITATION_DAYS", 7)
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
    # argon2-cffi parameter profile for password hashes (app.auth.passwords).
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # noqa: S105 (a profile name, not a secret)
    SQLALCHEMY_ENGINE_OPTIONS = _engine_options(SQLALCHEMY_DATABASE_URI, DATABASE_CONNECT_TIMEOUT)
    # A database that is briefly away answers 503 with this Retry-After (app/errors.py).
    DATABASE_RETRY_AFTER_SECONDS = 5

    # Sessions: server-side login sessions (see app/auth/sessions.py) referenced from a
    # signed cookie that scripts cannot read and other sites do not send.
    SESSION_COOKIE_NAME = "elevsag_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 9))
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 60)
    # Pages warn this long before the idle logout, with a button to stay logged in.
    SESSION_WARN_MINUTES = _int("SESSION_WARN_MINUTES", 3)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    HTTPS = True
    # How many proxies in front of the app set X-Forwarded-For / -Proto (the TLS proxy of the
    # README's deployment: 1). The login limit per address needs the client's address, not
    # the proxy's; with 0 the headers are ignored, so a client cannot forge its address.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the login session
    WTF_I18N_ENABLED = False  # forms translate through our own catalogue (app/forms.py)

    # Login throttling. The counts must be shared by every process that serves the app: with
    # `gunicorn -w 2` and memory storage each worker counted on its own, and 10 of 20 wrong
    # passwords got through (issue 12). So production wants Redis (REDIS_URL) and refuses
    # memory storage unless ELEVSAG_SINGLE_PROCESS says only one process serves the app.
    RATELIMIT_STORAGE_URI = _ratelimit_storage()
    # Empty by default, as in Flask-Limiter: the limiter keeps the first prefix it is given
    # (even across create_app() calls), so a default here would hide a test's own prefix.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    SINGLE_PROCESS = _bool("ELEVSAG_SINGLE_PROCESS", False)
    REQUIRE_SHARED_RATELIMIT_STORAGE = True
    RATELIMIT_HEADERS_ENABLED = True
    # A moving window: with fixed windows, 5 failures just before a window ends and 5 just
    # after would both be let through.
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    # "Forgot password?": every request counts (it sends mail), per address typed and per
    # client address.
    RESET_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LIMIT_PER_ACCOUNT", "3 per hour")
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "10 per hour")
    # Two-factor login (app.auth.twofactor, docs/accounts.md). Users holding one of these roles
    # must use it; None means the roles that can see support or health data, and the
    # data-protection adviser (app.access.twofactor.DEFAULT_REQUIRED_ROLES). A set of role
    # values, e.g. {"counsellor"}.
    TWO_FACTOR_REQUIRED_ROLES: frozenset[str] | None = None
    # Further roles that must use it (TWO_FACTOR_EXTRA_ROLES=analyst,leader): the roles that see
    # support or health data always must; an organisation's policy may add the others.
    TWO_FACTOR_EXTRA_ROLES = frozenset(
        role.strip()
        for role in os.environ.get("TWO_FACTOR_EXTRA_ROLES", "").split(",")
        if role.strip()
    )
    # Failed codes (login code page, confirming before an export) per account and per client.
    TWO_FACTOR_LIMIT_PER_ACCOUNT = os.environ.get(
        "TWO_FACTOR_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
    )
    TWO_FACTOR_LIMIT_PER_ADDRESS = os.environ.get(
        "TWO_FACTOR_LIMIT_PER_ADDRESS", "30 per 15 minutes"
    )
    # Exporting a whole case asks for the code (or the password) again when the person last
    # proved who they are longer ago than this.
    STEP_UP_MINUTES = _int("STEP_UP_MINUTES", 5)

    # Single sign-on (app.auth.sso): how long a call to an organisation's OpenID Connect
    # provider may take, and whether an issuer may be plain http on this machine
    # (http://127.0.0.1 or http://localhost: development and the tests' own provider).
    SSO_HTTP_TIMEOUT = _int("SSO_HTTP_TIMEOUT", 10)
    SSO_ALLOW_LOOPBACK_HTTP = False

    # The JSON API (app.api, docs/api.md): calls per client (its token), and the most
    # transitions one call lists.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    API_TRANSITIONS_MAX = _int("API_TRANSITIONS_MAX", 500)

    # Attachments (app.attachments, docs/attachments.md). Files are kept outside the web root:
    # in a folder (ATTACHMENT_STORAGE=local, ATTACHMENT_DIR, default instance/attachments) or
    # in an S3-compatible object store (ATTACHMENT_STORAGE=s3 and the S3_* settings).
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "local")
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(INSTANCE_DIR / "attachments"))
    ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None  # None: AWS itself
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_REGION = os.environ.get("S3_REGION") or None
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_PREFIX = os.environ.get("S3_PREFIX", "attachments/")
    # The virus scan: ClamAV's daemon on a Unix socket (CLAMD_SOCKET) or TCP (CLAMD_HOST and
    # CLAMD_PORT). Unset, files are stored unscanned; set but unreachable, uploads are refused.
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET") or None
    CLAMD_HOST = os.environ.get("CLAMD_HOST") or None
    CLAMD_PORT = _int("CLAMD_PORT", 3310)
    CLAMD_TIMEOUT = _int("CLAMD_TIMEOUT", 30)
    # The largest request body: an attachment at its limit and the form around it. A larger
    # POST is answered with a friendly page (app/errors.py, 413) before it is read.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", ATTACHMENT_MAX_BYTES + 1024 * 1024)
    # Form fields other than files are kept in memory up to this (werkzeug's default 500 kB).
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = {"da": "Dansk", "en": "English"}

    STUDENTS_PER_PAGE = 25
    CASE_FILE_PER_PAGE = 25
    # A note can be corrected by its author for this long; after that, add a new note.
    NOTE_EDIT_MINUTES = _int("NOTE_EDIT_MINUTES", 30)
    ADMIN_ROWS_PER_PAGE = 25
    # A practice supervisor sees a student from this many days before a training period at
    # their workplace starts until this many days after it ends.
    SUPERVISOR_DAYS_BEFORE = _int("SUPERVISOR_DAYS_BEFORE", 14)
    SUPERVISOR_DAYS_AFTER = _int("SUPERVISOR_DAYS_AFTER", 30)
    # ...and the handover note for that period from this many days before it starts.
    HANDOVER_DAYS_BEFORE = _int("HANDOVER_DAYS_BEFORE", 14)
    # Remind the sending side this many days before a transition that has no handover note.
    HANDOVER_REMINDER_DAYS = _int("HANDOVER_REMINDER_DAYS", 14)
    # Every date typed into a form lies in these years (1 January to 31 December), so a typo
    # such as 0001 or 9999 never reaches the database or date arithmetic.
    DATE_MIN_YEAR = _int("DATE_MIN_YEAR", 2000)
    DATE_MAX_YEAR = _int("DATE_MAX_YEAR", 2100)
    # A training period lasts from a few days to about a year: the longest in the templates is
    # 40 weeks (SSA), which leaves room for extensions. School periods have no minimum.
    TRAINING_PERIOD_MIN_DAYS = _int("TRAINING_PERIOD_MIN_DAYS", 3)
    PERIOD_MAX_DAYS = _int("PERIOD_MAX_DAYS", 400)
    # A new or moved period starts at most this many years before or after today.
    PERIOD_START_MAX_YEARS = _int("PERIOD_START_MAX_YEARS", 10)
    # The declaration on training can be issued from this many days before its period ends.
    DECLARATION_DAYS_BEFORE_END = _int("DECLARATION_DAYS_BEFORE_END", 14)
    # E-mail notices (app.mail.notices): how many days before its due date an open action
    # item is e-mailed to its owner.
    ACTION_ITEM_REMINDER_DAYS = _int("ACTION_ITEM_REMINDER_DAYS", 1)

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random string of at least 32 characters "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if cls.REQUIRE_PUBLIC_BASE_URL and not (cls.PUBLIC_BASE_URL or "").startswith(
            ("https://", "http://")
        ):
            raise RuntimeError(
                "PUBLIC_BASE_URL must be set to the site's address as people reach it, e.g. "
                "https://elevsag.example.dk: invitation and password-reset mails link to it."
            )
        from app.models.user import Role  # the role names; config.py is read before the app

        unknown = sorted(set(cls.TWO_FACTOR_EXTRA_ROLES) - {role.value for role in Role})
        if unknown:
            raise RuntimeError(
                f"TWO_FACTOR_EXTRA_ROLES names roles that do not exist: {', '.join(unknown)} "
                f"(the roles: {', '.join(role.value for role in Role)})."
            )
        storage = cls.RATELIMIT_STORAGE_URI or ""
        if (
            cls.REQUIRE_SHARED_RATELIMIT_STORAGE
            and storage.startswith("memory:")
            and not cls.SINGLE_PROCESS
        ):
            raise RuntimeError(
                f"The login limiter would count in memory ({storage}): every gunicorn worker "
                "would count failed logins on its own, and the login limits would not hold. "
                "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0), or ELEVSAG_SINGLE_PROCESS=1 "
                "if exactly one process serves the app."
            )


def _development_secret() -> str:
    """A random key kept in instance/, so sessions survive a restart of `make run`."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class DevelopmentConfig(Config):
    SESSION_COOKIE_SECURE = False
    HTTPS = False
    REQUIRE_SHARED_RATELIMIT_STORAGE = False  # `make run` needs no Redis
    REQUIRE_PUBLIC_BASE_URL = False  # links in mail take the host from the request
    MAIL_BACKEND = "console"  # `make run` needs no SMTP server: a sent mail is printed
    MAIL_OUTBOX_SHOWS_CONTENT = True  # the outbox page shows what would be mailed
    SSO_ALLOW_LOOPBACK_HTTP = True  # a test provider on http://127.0.0.1

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _development_secret()  # made on first use, not on import
        super().validate()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SQLALCHEMY_ENGINE_OPTIONS = _engine_options(
        SQLALCHEMY_DATABASE_URI, Config.DATABASE_CONNECT_TIMEOUT
    )
    SESSION_COOKIE_SECURE = False
    HTTPS = False
    MAIL_BACKEND = "locmem"  # kept in memory; the mail tests start a real SMTP server instead
    PUBLIC_BASE_URL = "https://elevsag.test"
    MAIL_QUEUE_URL = None  # nothing is pushed to Redis unless a test says so
    RATELIMIT_STORAGE_URI = "memory://"
    REQUIRE_SHARED_RATELIMIT_STORAGE = False
    REQUIRE_PUBLIC_BASE_URL = False
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    # No role needs two-factor login in tests, or every test's login would stop at the code
    # page; the two-factor tests turn it on (tests/auth/test_two_factor.py).
    TWO_FACTOR_REQUIRED_ROLES: frozenset[str] | None = frozenset()
    # argon2-cffi's profile for tests: a login costs microseconds, not a tenth of a second.
    PASSWORD_HASH_PROFILE = "CHEAPEST"  # noqa: S105 (a profile name, not a secret)
    SSO_ALLOW_LOOPBACK_HTTP = True  # the tests' OpenID Connect provider (tests/auth)
    STUDENTS_PER_PAGE = 10
    ADMIN_ROWS_PER_PAGE = 10


CONFIGS = {"production": Config, "development": DevelopmentConfig, "test": TestConfig}


def config_from_env() -> type[Config]:
    name = os.environ.get("ELEVSAG_CONFIG", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"ELEVSAG_CONFIG must be one of {', '.join(CONFIGS)}") from None
