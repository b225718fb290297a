"""A real SMTP server on loopback (aiosmtpd) for the mail tests.

`smtp_server` starts one, points the app's mail settings at it for the test, and gives the
messages it received (`smtp_server.messages`, each an `email.message.EmailMessage`).
`smtp_server.stop()` / `.start()` take it away and bring it back on the same port.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask_mailman import Mail


class _Collect:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.handler = _Collect()
        self.controller: Controller | None = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(app):
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5
    )
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)
    yield server
    server.stop()
    app.extensions["mailman"] = Mail.init_mail({**app.config, "MAIL_BACKEND": "locmem"})
