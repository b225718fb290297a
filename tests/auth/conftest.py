"""The account mails are delivered to a real SMTP server on loopback, as in tests/mail."""

from tests.mail.conftest import smtp_server  # noqa: F401
