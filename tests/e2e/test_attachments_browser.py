"""Attachments in headless Chromium, at desktop and phone width: the counsellor attaches the
agency's decision letter (a PDF) to a support measure and sees it listed; a web page renamed
.pdf is refused with the Danish error next to the field and in the error summary. Checked
with axe, and no page may scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def store(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize("width,height", SIZES)
def test_the_counsellor_attaches_a_pdf_to_a_measure(
    live_server, page, browser_problems, world, store, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    student, measure = world.a.student, world.a.measure
    log_in(page, live_server, world.a.users[Role.COUNSELLOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{student.id}/support/measures/{measure.id}")
    page.wait_for_load_state("load")
    box = page.get_by_test_id(f"attachments-measure-{measure.id}")
    expect(box.get_by_test_id("no-attachments")).to_be_visible()
    checked(page)

    box.get_by_label("Vedhæft en fil").set_input_files(
        {
            "name": "Afgørelse SPS.pdf",
            "mimeType": "application/pdf",
            "buffer": factories.MINIMAL_PDF,
        }
    )
    with page.expect_navigation():
        box.get_by_role("button", name="Upload").click()
    expect(page.locator("#main-content")).to_contain_text("Filen Afgørelse SPS.pdf er vedhæftet")
    link = box.get_by_test_id("attachment-link")
    expect(link).to_have_text("Afgørelse SPS.pdf")
    expect(box).to_contain_text("PDF")
    page.wait_for_load_state("load")
    checked(page)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Afgørelse SPS.pdf"

    # A web page renamed .pdf: refused, with the error next to the field and in the summary.
    box.get_by_label("Vedhæft en fil").set_input_files(
        {"name": "brev.pdf", "mimeType": "application/pdf", "buffer": HTML}
    )
    with page.expect_navigation():
        box.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Filtypen er ikke tilladt")
    expect(page.get_by_test_id("error-file")).to_contain_text("Filtypen er ikke tilladt")
    page.wait_for_load_state("load")
    checked(page)
    page.get_by_role("link", name="Annuller").click()
    expect(box.get_by_test_id("attachment-link")).to_have_count(1)
    browser_problems.assert_none()
