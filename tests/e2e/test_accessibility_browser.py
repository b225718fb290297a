"""axe-core in headless Chromium over the main pages, at desktop and at phone width.

Every page in PAGES is opened as the role that uses it, at 1280x800 and at 390x844, and
axe-core (bundled by axe-playwright-python, injected into the page once it has loaded) checks
it with axe's default rules (WCAG 2.0-2.2 A and AA, axe's best practices) and the three more
that `tests.e2e.helpers.AXE_OPTIONS` turns on (target size, duplicate ids).
A page fails on any violation of impact "serious" or "critical"; the message names the page,
the width, each rule, its impact and the CSS selectors of the offending elements. Moderate and
minor findings are not asserted.

One scan runs once for the module (one browser context per role and width, logged in once);
each parametrised test then asserts on its own page's result, so a failure is named after the
page and the width. To add a page, add a Page to PAGES: a name, the role that sees it, its
path (with {placeholders} from `ids()`) and, for a form with its errors shown, an `action`
that submits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from app.auth import tokens
from app.extensions import db
from app.models import AuditAction, AuditEvent, Programme, Role, TokenPurpose
from tests import factories
from tests.e2e.conftest import TIMEOUT_MS, serve
from tests.e2e.helpers import axe_problems, log_in

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def submit_empty(page) -> None:
    """Submit the page's (first) form as it is, and wait for the page with its errors."""
    with page.expect_navigation():
        page.locator("#main-content form[method=post] button[type=submit]").first.click()
    assert page.get_by_test_id("error-summary").count() == 1, f"no errors shown on {page.url}"


def wrong_password(page) -> None:
    page.locator("#email").fill("ingen@example.org")
    page.locator("#password").fill("forkert-kodeord")
    with page.expect_navigation():
        page.locator("form[action$='/login']").get_by_role("button").click()
    assert page.locator(".form-error-message, .alert-error").count() > 0


def open_menu_on_phones(page) -> None:
    """Open the menu drawer where there is one (below DKFDS's desktop breakpoint)."""
    button = page.get_by_test_id("menu-open")
    if button.is_visible():
        button.click()
        page.get_by_test_id("mobile-drawer").wait_for(state="visible")
        page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")


@dataclass(frozen=True)
class Page:
    name: str
    role: Role | None  # None: not logged in
    path: str  # with {placeholders} from ids()
    status: int = 200
    action: Callable | None = None  # what to do on the page before axe looks at it


C, T, SUP, SA, SYS = (
    Role.COUNSELLOR,
    Role.TRAINING_COORDINATOR,
    Role.SUPERVISOR,
    Role.SCHOOL_ADMIN,
    Role.SYSTEM_ADMIN,
)
S = "/students/{student}"
P = S + "/periods/{period}"

PAGES = [
    Page("login", None, "/login"),
    Page("login-wrong-password", None, "/login", action=wrong_password),
    Page("not-found-anonymous", None, "/no-such-page", status=404),
    Page("forgot-password", None, "/password/forgot"),
    Page("forgot-password-errors", None, "/password/forgot", action=submit_empty),
    Page("choose-password", None, "/password/reset/{reset_token}"),
    Page("choose-password-errors", None, "/invitation/{invitation_token}", action=submit_empty),
    Page("link-problem", None, "/password/reset/forged", status=404),
    # The counsellor at the school: students, support, case file, reviews, lists.
    Page("students", C, "/students/"),
    Page("menu-drawer", C, "/notifications", action=open_menu_on_phones),
    Page("student-new", C, "/students/new"),
    Page("student", C, S),
    Page("history", C, S + "/history"),
    Page("goals-progress", C, S + "/goals"),
    Page("period-new", C, S + "/periods/new"),
    Page("dropout", C, S + "/dropout"),
    Page("handover", C, S + "/handovers/{period}"),
    Page("handover-write", C, S + "/handovers/{period}/write"),
    Page("support", C, S + "/support"),
    Page("support-measure", C, S + "/support/measures/{measure}"),
    Page("attachment-upload-errors", C, S + "/attachments/measure/{measure}", action=submit_empty),
    Page("support-need-errors", C, S + "/support/needs/new", action=submit_empty),
    Page("support-measure-new", C, S + "/support/measures/new"),
    Page("help-requests", C, "/help-requests"),
    Page("consent-new", C, S + "/consents/new"),
    Page("case-file", C, S + "/case-file"),
    Page("case-note-new", C, S + "/notes/new"),
    Page("training-period", C, P + "/training"),
    Page("declaration", C, P + "/declaration"),
    Page("reviews", C, "/reviews"),
    Page("review", C, S + "/reviews/{review}"),
    Page("review-new-errors", C, S + "/reviews/new", action=submit_empty),
    Page("review-edit", C, S + "/reviews/{review}/edit"),
    Page("meeting", C, "/meetings/{meeting}"),
    Page("meeting-new", C, "/meetings/new"),
    Page("notifications", C, "/notifications"),
    Page("my-sessions", C, "/account/sessions"),
    Page("two-factor", C, "/account/two-factor"),
    Page("two-factor-enrol", C, "/account/two-factor/enrol"),
    Page("two-factor-enrol-errors", C, "/account/two-factor/enrol", action=submit_empty),
    Page("step-up-errors", C, "/account/confirm", action=submit_empty),
    Page("transitions", C, "/transitions"),
    Page("follow-ups", C, "/follow-ups"),
    Page("from-training", C, "/from-training"),
    Page("students-at-risk", C, "/students/at-risk"),
    Page("not-found", C, "/students/999999", status=404),
    # The municipality's training coordinator owns the review's action item.
    Page("action-items", T, "/action-items"),
    # The supervisor at the workplace: starting soon and the training period's forms.
    Page("starting-soon", SUP, "/starting-soon"),
    Page("assess-goals", SUP, P + "/assessments"),
    Page("experience-errors", SUP, P + "/experiences/new", action=submit_empty),
    Page("experience-edit", SUP, P + "/experiences/{experience}/edit"),
    Page("warning-new", SUP, P + "/warnings/new"),
    Page("mid-evaluation", SUP, P + "/mid-evaluation"),
    Page("learning-agreement", SUP, P + "/learning-agreement"),
    Page("declaration-supervisor", SUP, P + "/declaration"),
    # Support arranged at the workplace, and asking the school for help.
    Page("support-supervisor", SUP, S + "/support"),
    Page("arrangement-errors", SUP, S + "/support/workplace/new", action=submit_empty),
    Page("help-errors", SUP, S + "/help/new", action=submit_empty),
    # Administration and export.
    Page("access-request", SA, S + "/access-request"),
    Page("admin", SYS, "/admin/"),
    Page("admin-users", SYS, "/admin/users"),
    Page("admin-risk-rules", SYS, "/admin/risk-rules"),
    Page("admin-risk-rule", SYS, "/admin/risk-rules/absence/edit"),
    Page("admin-user-new-errors", SYS, "/admin/users/new", action=submit_empty),
    Page("admin-user-edit", SYS, "/admin/users/{user}/edit"),
    Page("admin-organisations", SYS, "/admin/organisations"),
    Page("admin-workplaces", SYS, "/admin/workplaces"),
    Page("admin-programmes", SYS, "/admin/programmes"),
    Page("admin-programme-template", SYS, "/admin/programmes/{template_programme}"),
    Page("admin-goals", SYS, "/admin/programmes/{programme}/goals"),
    Page("admin-goal-edit", SYS, "/admin/goals/{goal}/edit"),
    Page("admin-support-categories", SYS, "/admin/support-categories"),
    Page("retention-rules", SYS, "/admin/retention"),
    Page("retention-rule-edit", SYS, "/admin/retention/sps_material/edit"),
    Page("legal-hold-errors", SA, S + "/legal-hold", action=submit_empty),
    Page("admin-sso", Role.MUNICIPALITY_ADMIN, "/admin/organisations/{municipality}/sso"),
    Page(
        "admin-sso-errors",
        Role.MUNICIPALITY_ADMIN,
        "/admin/organisations/{municipality}/sso",
        action=submit_empty,
    ),
    Page("admin-api-clients", SA, "/admin/api-clients"),
    Page("admin-api-client-new-errors", SA, "/admin/api-clients/new", action=submit_empty),
    # The access-log review (app.auditlog): the school admin's and the data-protection adviser's.
    Page("access-log", Role.DATA_PROTECTION, "/access-log/"),
    Page("access-log-errors", SA, "/access-log/?date_from=2026-03-10&date_to=2026-03-01"),
    Page("access-log-flags", Role.DATA_PROTECTION, "/access-log/flags"),
    # The student's own part (app.me) and what the school and supervisor see of it.
    Page("my-plan", Role.STUDENT, "/me/"),
    Page("my-consents", Role.STUDENT, "/me/consents"),
    Page("my-warning", Role.STUDENT, "/me/warnings/{warning}"),
    Page(
        "my-learning-log-errors",
        Role.STUDENT,
        "/me/periods/{period}/reflections",
        action=submit_empty,
    ),
    Page("my-conversation-errors", Role.STUDENT, "/me/conversation", action=submit_empty),
    # Insight: the access log about the student (rows from log_reads), whole and filtered.
    Page("my-insight", Role.STUDENT, "/me/insight"),
    Page("my-insight-filtered", Role.STUDENT, "/me/insight?organisation={school}"),
    Page("conversation-requests", C, "/students/conversations"),
    Page("learning-log", SUP, P + "/reflections"),
    Page("overview", Role.ANALYST, "/overview"),
    Page("overview-by-age", Role.ANALYST, "/overview?by=age"),
]


def ids(world: factories.World) -> dict[str, int]:
    side = world.a
    return {
        "student": side.student.id,
        "period": side.training_period.id,
        "measure": side.measure.id,
        "experience": side.experience.id,
        "warning": side.warning.id,
        "review": side.review.id,
        "meeting": side.meeting.id,
        "user": side.users[Role.TEACHER].id,
        "school": side.school.id,
        "municipality": side.municipality.id,
        "programme": side.student.programme_id,
        "goal": factories.goals(side.student)[0].id,
        "template_programme": db.session.query(Programme).filter_by(code="TEST").one().id,
        "reset_token": tokens.issue(side.users[Role.COUNSELLOR], TokenPurpose.PASSWORD_RESET),
        "invitation_token": tokens.issue(side.users[Role.TEACHER], TokenPurpose.INVITATION),
    }


def log_reads(side: factories.Side) -> None:
    """The school and the municipality read the student's case: rows for their insight page."""
    for organisation, role in ((side.school, C), (side.municipality, SUP)):
        db.session.add(
            AuditEvent(
                user_id=side.users[role].id,
                action=AuditAction.VIEW,
                object_type="student",
                object_id=side.student.id,
                student_id=side.student.id,
                organisation_id=organisation.id,
            )
        )


def scan(
    browser, base_url: str, urls: dict[str, str], wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Open the wanted (page, width)s; what blocks each one: "" when nothing."""
    findings: dict[tuple[str, str], str] = {}
    for width, (w, h) in WIDTHS.items():
        pages = [p for p in PAGES if (p.name, width) in wanted]
        for role in dict.fromkeys(p.role for p in pages):
            context = browser.new_context(viewport={"width": w, "height": h})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            logged_in = ""
            if role is not None:
                try:
                    log_in(page, base_url, urls[f"user:{role.value}"], factories.PASSWORD)
                except (AssertionError, PlaywrightError) as error:
                    logged_in = f"could not log in as {role.value}: {error}"
            for p in (p for p in pages if p.role is role):
                url = base_url + urls[p.name]
                findings[p.name, width] = logged_in or check(page, url, p)
            context.close()
    return findings


def check(page, url: str, p: Page) -> str:
    try:
        response = page.goto(url)
        if response.status != p.status:
            return f"{urlsplit(url).path} answered {response.status}, not {p.status}"
        if p.action:
            p.action(page)
        problems = axe_problems(page)
    except Exception as error:  # reported as this page's failure
        return f"could not check {url}: {error}"
    # Every page works at phone width: nothing makes the page itself scroll sideways (a wide
    # table scrolls in its own container or stacks its cells).
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems += f"\n  {urlsplit(url).path} is wider than the screen"
    return problems.strip("\n")


@pytest.fixture(scope="module")
def axe_findings(request, app, browser) -> dict[tuple[str, str], str]:
    """Build the world, serve the app and scan the pages once for the whole module: those of
    the selected tests (all of them, unless -k picks some).

    The tables are emptied after the first test, as after every test; the scan is done by then.
    """
    wanted = {
        (item.callspec.params["name"], item.callspec.params["width"])
        for item in request.session.items
        if item.module is request.module
    }
    with app.app_context():
        world = factories.build_world()
        factories.review_objects(world.a)
        # Support arranged at the workplace and an open request for help: their rows on the
        # support pages and the list of requests.
        factories.workplace_arrangement(world.a)
        factories.help_request(world.a)
        log_reads(world.a)
        db.session.commit()
        values = ids(world)
        db.session.commit()  # the link tokens
        urls = {p.name: p.path.format(**values) for p in PAGES}
        for role in {p.role for p in PAGES} - {None}:
            urls[f"user:{role.value}"] = world.user(role, "a").email
        db.session.remove()
    with serve(app) as base_url:
        return scan(browser, base_url, urls, wanted)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [p.name for p in PAGES])
def test_no_serious_or_critical_axe_violations(axe_findings, name, width):
    problems = axe_findings[name, width]
    assert problems == "", f"axe on {name} at {width} width {WIDTHS[width]}:\n{problems}"
