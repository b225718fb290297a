"""The mail outbox page in headless Chromium, at desktop and phone width: the system admin
sends a failed message again; in development the page shows the text and "Send nu" sends what
is due. Checked with axe, and the page must not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import MailStatus, OutboxMessage, Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]
LONG_ADDRESS = "en.meget.lang.adresse.til.en.praktikvejleder@plejecenter-solsikken.example.org"
LONG_ERROR = (
    "SMTPRecipientsRefused: {'" + LONG_ADDRESS + "': (550, b'5.1.1 <" + LONG_ADDRESS + "> "
    "Recipient address rejected: User unknown in virtual mailbox table')}"
)


@pytest.mark.parametrize("width,height", SIZES)
def test_the_admin_sends_a_failed_message_again_and_sends_now_in_development(
    app, live_server, page, browser_problems, width, height
):
    app.config["MAIL_OUTBOX_SHOWS_CONTENT"] = True
    page.set_viewport_size({"width": width, "height": height})
    admin = factories.user(Role.SYSTEM_ADMIN)
    failed = OutboxMessage(
        to_address=LONG_ADDRESS,
        subject="Elevsag: Der er en overleveringsnote til dig",
        body="Log ind for at læse den:\nhttps://elevsag.example.org/handovers/1",
        kind="handover_written",
        status=MailStatus.FAILED,
        attempts=8,
        last_error=LONG_ERROR,
    )
    db.session.add(failed)
    db.session.commit()

    log_in(page, live_server, admin.email, factories.PASSWORD)
    page.goto(f"{live_server}/admin/outbox")
    row = page.get_by_test_id(f"message-{failed.id}")
    expect(row.get_by_test_id("status")).to_contain_text("Fejlet")
    expect(page.get_by_test_id(f"content-{failed.id}")).to_contain_text("overleveringsnote")
    checked(page)

    row.get_by_test_id("send-again").click()
    expect(page.locator("#main-content")).to_contain_text("sat i kø og bliver sendt igen")
    expect(row.get_by_test_id("status")).to_contain_text("Venter på at blive sendt")
    page.get_by_test_id("send-now").click()
    expect(page.locator("#main-content")).to_contain_text("1 besked(er) sendt")
    expect(page.get_by_test_id(f"message-{failed.id}").get_by_test_id("status")).to_contain_text(
        "Sendt"
    )
    checked(page)
