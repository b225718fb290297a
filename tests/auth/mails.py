"""Reading the invitation and reset mails the SMTP server received."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.mail.delivery import deliver_due

LINK = re.compile(r"https?://\S+")


def delivered(smtp_server, to: str | None = None) -> list:
    """Deliver the outbox; the messages received so far (for `to` only, if given)."""
    deliver_due()
    return [m for m in smtp_server.messages if to is None or to in m.envelope_to]


def link_in(message) -> str:
    links = LINK.findall(message.get_content())
    assert len(links) == 1, message.get_content()
    return links[0]


def path_of(link: str) -> str:
    return urlsplit(link).path
