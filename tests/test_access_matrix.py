"""Every route, every role, an own-organisation and an other-organisation object.

The matrix below says who may use each endpoint. The test fails when a route exists that the
matrix does not mention, so a new page cannot ship without a decision about who may see it.
Denied requests must answer 403 or 404 (or send an anonymous user to the login page), and the
page must not show the names of students or other organisations' objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for

from app.models import EMPLOYER_ROLES, SCHOOL_ROLES, Role
from tests.conftest import PASSWORD, csrf_token
from tests.factories import Side, World

ALL = frozenset(Role)
CASE = SCHOOL_ROLES | EMPLOYER_ROLES
ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN})
SYSTEM = frozenset({Role.SYSTEM_ADMIN})
EMPLOYER_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.MUNICIPALITY_ADMIN})
NOBODY: frozenset[Role] = frozenset()
PLAN_EDITORS = SCHOOL_ROLES | {Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN}
RECEIVERS = frozenset({Role.SUPERVISOR, Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN})
COUNSELLOR = frozenset({Role.COUNSELLOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})
SCHOOL_ADMIN = frozenset({Role.SCHOOL_ADMIN})
PARTICIPANTS = frozenset({Role.COUNSELLOR, Role.TRAINING_COORDINATOR})
SUPPORT_READERS = frozenset({Role.COUNSELLOR, Role.TEACHER})
# Support arranged at the workplace and asking the school for help (app.access.support, .help).
WORKPLACE_SUPPORT = frozenset({Role.SUPERVISOR, Role.TRAINING_COORDINATOR})
# Imports (app.access.imports).
STUDENT_IMPORTERS = frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})
AGREEMENT_IMPORTERS = frozenset(
    {Role.SCHOOL_ADMIN, Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN}
)
IMPORTERS = STUDENT_IMPORTERS | AGREEMENT_IMPORTERS
STATUS_EDITORS = frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})
# The partnership (app.access.partnership).
PARTNERSHIP = frozenset({Role.PARTNERSHIP_COORDINATOR, Role.LEADER, Role.ANALYST})
COORDINATOR = frozenset({Role.PARTNERSHIP_COORDINATOR})
INITIATIVE_EDITORS = frozenset({Role.PARTNERSHIP_COORDINATOR, Role.LEADER})
STUDENT = frozenset({Role.STUDENT})
# The access-log review (app.access.auditlog): the organisation's admins and its
# data-protection adviser.
ACCESS_LOG = frozenset({Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN, Role.DATA_PROTECTION})
# Early signs of risk (app.access.risk): the list's roles.
RISK_LIST = frozenset({Role.COUNSELLOR, Role.TEACHER, Role.TRAINING_COORDINATOR})


@dataclass(frozen=True)
class Allowed:
    own: frozenset[Role]  # may use it on their own organisation's objects
    other: frozenset[Role] = NOBODY  # may use it on another organisation's objects
    public: bool = False  # anonymous visitors may use it
    post: frozenset[Role] | None = None  # who may POST on own objects, if not the same as `own`


MATRIX: dict[str, Allowed] = {
    "main.index": Allowed(own=ALL, other=ALL),
    "main.health": Allowed(own=ALL, other=ALL, public=True),
    "main.my_overview": Allowed(own=CASE, other=CASE),
    # The student's own part (app.access.me): the logged-in student's own case only; it has no
    # object in the URL, so "other" is the same request. Another student's things: 404.
    "me.plan": Allowed(own=STUDENT, other=STUDENT),
    # The learning log of one of the student's own training periods; another's period: 404.
    "me.reflections": Allowed(own=STUDENT),
    "me.ask_for_conversation": Allowed(own=STUDENT, other=STUDENT),
    # The end-of-period evaluation of the place of one of the student's own training periods.
    "me.evaluate_place": Allowed(own=STUDENT),
    # The student's consents (app.me.consents): the page and giving (no object in the URL),
    # and withdrawing one of their own consents; side B's consent (another student's) is 404
    # to side A's student. Staff record consent on the support page, not here: 403.
    "me.consents": Allowed(own=STUDENT, other=STUDENT),
    "me.withdraw_consent": Allowed(own=STUDENT),
    # The student's own warnings and issued declarations (app/me/training.py): side A's
    # student on side A's warning or training period; side B's (another student's) is 404.
    "me.warning": Allowed(own=STUDENT),
    "me.read_warning": Allowed(own=STUDENT),
    "me.comment_warning": Allowed(own=STUDENT),
    "me.warning_letter": Allowed(own=STUDENT),
    "me.declaration": Allowed(own=STUDENT),
    "me.confirm_declaration": Allowed(own=STUDENT),
    "me.declaration_pdf": Allowed(own=STUDENT),
    # Insight (app/me/insight.py): the access log about the student's own case and their own
    # access-request export; no object in the URL, so "other" is the same request. Staff use
    # the school admin's export (export.access_request*) instead: 403 here.
    "me.insight": Allowed(own=STUDENT, other=STUDENT),
    "me.export_pdf": Allowed(own=STUDENT, other=STUDENT),
    "me.export_json": Allowed(own=STUDENT, other=STUDENT),
    "me.export_files": Allowed(own=STUDENT, other=STUDENT),
    # The partnership's figures (app.access.figures): its analyst, coordinator and leaders,
    # each for the partnership their organisation is a member of.
    "main.overview": Allowed(own=PARTNERSHIP, other=PARTNERSHIP),
    # The dashboard's tables as CSV (app.main.indicators), like the overview.
    "main.overview_csv": Allowed(own=PARTNERSHIP, other=PARTNERSHIP),
    "auth.login": Allowed(own=ALL, other=ALL, public=True),
    "auth.logout": Allowed(own=ALL, other=ALL),
    "auth.set_language": Allowed(own=ALL, other=ALL, public=True),
    "auth.keep_session_alive": Allowed(own=ALL, other=ALL),
    # A person's own e-mail notification settings (app.auth.preferences): no object to own.
    "auth.mail_preferences": Allowed(own=ALL, other=ALL),
    # "Forgot password?" and the links from the invitation and reset mails: the link's token
    # is the credential, so they are public (the matrix gives each request a fresh token).
    "auth.forgot_password": Allowed(own=ALL, other=ALL, public=True),
    "auth.reset_password": Allowed(own=ALL, other=ALL, public=True),
    "auth.accept_invitation": Allowed(own=ALL, other=ALL, public=True),
    # "My sessions": everyone's own; another person's session answers 404.
    "auth.my_sessions": Allowed(own=ALL, other=ALL),
    "auth.end_login_session": Allowed(own=ALL),
    "auth.end_other_sessions": Allowed(own=ALL, other=ALL),
    # Two-factor login (app.auth.twofactor_routes): each person's own; nothing to own. The
    # code page and step-up send a person with nothing to confirm on; in the test settings no
    # role requires two-factor login, so the gate lets every role through.
    "auth.login_code": Allowed(own=ALL, other=ALL),
    "auth.two_factor": Allowed(own=ALL, other=ALL),
    "auth.two_factor_enrol": Allowed(own=ALL, other=ALL),
    "auth.two_factor_recovery_codes": Allowed(own=ALL, other=ALL),
    "auth.two_factor_disable": Allowed(own=ALL, other=ALL),
    "auth.step_up": Allowed(own=ALL, other=ALL),
    # Single sign-on (app.auth.sso): public; where the organisation has none (as here) both
    # send the visitor back to the login page, and a logged-in user to the front page.
    "auth.sso_login": Allowed(own=ALL, other=ALL, public=True),
    "auth.sso_callback": Allowed(own=ALL, other=ALL, public=True),
    # Confirming through the provider before an export: any login; after a password login
    # there is no provider, and the page sends the person back to the confirmation page.
    "auth.sso_step_up": Allowed(own=ALL, other=ALL),
    "students.index": Allowed(own=CASE, other=CASE),
    "students.show": Allowed(own=CASE),
    "students.new": Allowed(
        own=frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN}),
        other=frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN}),
    ),
    "students.edit": Allowed(own=frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})),
    # Giving the student their own access (app.access.me.can_invite_student): those who enrol
    # students at the student's school.
    "students.invite_account": Allowed(own=frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})),
    # Students' requests for a conversation: the counsellors and contact teachers they ask
    # (their own list); marking one handled: a school contact at the student's school.
    "students.conversations": Allowed(own=SUPPORT_READERS, other=SUPPORT_READERS),
    "students.conversation_handled": Allowed(own=SUPPORT_READERS),
    # "Elever med risikotegn" (app.risk): no object in the URL, so "other" is the same request;
    # it lists only the students the user sees. The rules: the system administrator only.
    "risk.at_risk": Allowed(own=RISK_LIST, other=RISK_LIST),
    "risk.rules": Allowed(own=SYSTEM, other=SYSTEM),
    "risk.edit_rule": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.index": Allowed(own=ADMINS, other=ADMINS),
    "admin.organisations": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.new_organisation": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.edit_organisation": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.workplaces": Allowed(own=EMPLOYER_ADMINS, other=EMPLOYER_ADMINS),
    "admin.new_workplace": Allowed(own=EMPLOYER_ADMINS, other=EMPLOYER_ADMINS),
    "admin.edit_workplace": Allowed(own=EMPLOYER_ADMINS, other=SYSTEM),
    "admin.users": Allowed(own=ADMINS, other=ADMINS),
    "admin.new_user": Allowed(own=ADMINS, other=ADMINS),
    "admin.edit_user": Allowed(own=ADMINS, other=SYSTEM),
    "admin.add_membership": Allowed(own=ADMINS, other=SYSTEM),
    "admin.delete_membership": Allowed(own=ADMINS, other=SYSTEM),
    "admin.send_invitation": Allowed(own=ADMINS, other=SYSTEM),
    # Resetting a user's two-factor login: like the account itself (app.access.admin).
    "admin.reset_two_factor": Allowed(own=ADMINS, other=SYSTEM),
    # An organisation's single sign-on settings (app.access.sso): its own admins, and the
    # system admin for every organisation.
    "admin.sso_settings": Allowed(own=ADMINS, other=SYSTEM),
    # Programme templates are shared by everyone; only the system admin edits them.
    "admin.programmes": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.programme_template": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.edit_template_period": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.move_template_period": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.delete_template_period": Allowed(own=SYSTEM, other=SYSTEM),
    # The journey. The world's transition goes from a school period to a training period, so
    # the school writes the handover note and the workplace side acknowledges it.
    "journey.generate_plan": Allowed(own=PLAN_EDITORS),
    "journey.new_period": Allowed(own=PLAN_EDITORS),
    "journey.edit_period": Allowed(own=PLAN_EDITORS),
    "journey.extend_period": Allowed(own=PLAN_EDITORS),
    "journey.delete_period": Allowed(own=PLAN_EDITORS),
    "journey.dropout": Allowed(own=PLAN_EDITORS),
    "journey.readmit": Allowed(own=PLAN_EDITORS),
    "journey.history": Allowed(own=CASE),
    "journey.new_agreement": Allowed(own=PLAN_EDITORS),
    "journey.edit_agreement": Allowed(own=PLAN_EDITORS),
    "journey.handover": Allowed(own=CASE),
    "journey.write_handover": Allowed(own=SCHOOL_ROLES),
    "journey.acknowledge_handover": Allowed(own=RECEIVERS),
    # Every case role may list its own organisation's drafts (the list holds no one else's).
    "journey.handover_drafts": Allowed(own=CASE, other=CASE),
    "journey.upcoming_transitions": Allowed(own=PLAN_EDITORS, other=PLAN_EDITORS),
    "journey.starting_soon": Allowed(
        own=frozenset({Role.SUPERVISOR}), other=frozenset({Role.SUPERVISOR})
    ),
    "journey.notifications": Allowed(own=ALL, other=ALL),
    "journey.open_notification": Allowed(own=CASE),
    # Support: the page and its exports show each viewer what they may see (the workplace
    # side, without consent, only that support is agreed); only the counsellor records.
    "support.overview": Allowed(own=CASE),
    "support.support_pdf": Allowed(own=CASE),
    "support.support_csv": Allowed(own=CASE),
    "support.measure": Allowed(own=SUPPORT_READERS),
    "support.new_need": Allowed(own=COUNSELLOR),
    "support.edit_need": Allowed(own=COUNSELLOR),
    "support.new_measure": Allowed(own=COUNSELLOR),
    "support.edit_measure": Allowed(own=COUNSELLOR),
    "support.add_sps_step": Allowed(own=COUNSELLOR),
    "support.new_consent": Allowed(own=COUNSELLOR),
    "support.withdraw_consent": Allowed(own=COUNSELLOR),
    "support.follow_ups": Allowed(own=SUPPORT_READERS, other=SUPPORT_READERS),
    # Attachments (app.access.attachments): as the record they belong to, here the side's SPS
    # measure (its consent to the municipality is withdrawn): the school's support readers
    # download, the counsellor adds and removes; another organisation's student is 404.
    "attachments.upload": Allowed(own=COUNSELLOR),
    "attachments.download": Allowed(own=SUPPORT_READERS),
    "attachments.delete": Allowed(own=COUNSELLOR),
    # Support arranged at the workplace: the employer's record, recorded and changed by the
    # supervisor of the period's workplace and the employer's training coordinator (the
    # school reads it on the support page and support.measure, and changes none of it: 403).
    "support.new_arrangement": Allowed(own=WORKPLACE_SUPPORT),
    "support.edit_arrangement": Allowed(own=WORKPLACE_SUPPORT),
    # Asking the school for help: the same people ask; the school contacts list the open
    # requests of their school's students and decline one (scheduling is reviews.new_review).
    "support.ask_for_help": Allowed(own=WORKPLACE_SUPPORT),
    "support.help_requests": Allowed(own=SUPPORT_READERS, other=SUPPORT_READERS),
    "support.decline_help": Allowed(own=SUPPORT_READERS),
    # Training records: the school, the employer and the period's supervisors read them; the
    # supervisor at the period's workplace writes; the school contact acknowledges.
    "training.period": Allowed(own=CASE),
    # The student's learning log, as the period's training records are read.
    "training.reflections": Allowed(own=CASE),
    "training.assess": Allowed(own=SUPERVISOR),
    "training.new_experience": Allowed(own=SUPERVISOR),
    "training.edit_experience": Allowed(own=SUPERVISOR),
    "training.learning_agreement": Allowed(own=SUPERVISOR),
    "training.mid_evaluation": Allowed(own=SUPERVISOR),
    "training.acknowledge_mid_evaluation": Allowed(own=SUPPORT_READERS),
    "training.new_warning": Allowed(own=SUPERVISOR),
    "training.follow_up_warning": Allowed(own=SUPPORT_READERS | SUPERVISOR),
    "training.add_absence": Allowed(own=SUPERVISOR),
    "training.from_training": Allowed(own=SUPPORT_READERS, other=SUPPORT_READERS),
    "training.progress": Allowed(own=CASE),
    "casefile.case_file": Allowed(own=CASE),
    "casefile.case_file_pdf": Allowed(own=CASE),
    "casefile.new_note": Allowed(own=CASE),
    "casefile.edit_note": Allowed(own=COUNSELLOR),
    # Case reviews: participants, the school's counsellors and teachers, and the employer's
    # staff when a colleague takes part; only participants write.
    "reviews.new_review": Allowed(own=SUPPORT_READERS | {Role.TRAINING_COORDINATOR}),
    "reviews.review": Allowed(own=PARTICIPANTS | {Role.TEACHER, Role.MUNICIPALITY_ADMIN}),
    "reviews.review_pdf": Allowed(own=PARTICIPANTS | {Role.TEACHER, Role.MUNICIPALITY_ADMIN}),
    "reviews.edit_review": Allowed(own=PARTICIPANTS),
    "reviews.add_action_item": Allowed(own=PARTICIPANTS),
    "reviews.update_action_item": Allowed(own=PARTICIPANTS),
    "reviews.my_reviews": Allowed(own=CASE, other=CASE),
    "reviews.my_action_items": Allowed(own=CASE, other=CASE),
    "reviews.new_meeting": Allowed(own=PARTICIPANTS, other=PARTICIPANTS),
    "reviews.meeting": Allowed(own=PARTICIPANTS | {Role.TEACHER, Role.SCHOOL_ADMIN}),
    "reviews.add_meeting_case": Allowed(own=PARTICIPANTS | {Role.TEACHER, Role.SCHOOL_ADMIN}),
    "reviews.new_meeting_case": Allowed(own=PARTICIPANTS | {Role.TEACHER, Role.SCHOOL_ADMIN}),
    # A case on the meeting's agenda (the side's review), pseudonymised or opened by name: for
    # those who may read both the meeting and the review (not the school admin, who reads
    # only the meeting; not the municipality admin, who reads only the review).
    "reviews.meeting_case": Allowed(own=PARTICIPANTS | {Role.TEACHER}),
    "reviews.open_meeting_case": Allowed(own=PARTICIPANTS | {Role.TEACHER}),
    "export.access_request": Allowed(own=SCHOOL_ADMIN),
    "export.access_request_pdf": Allowed(own=SCHOOL_ADMIN),
    "export.access_request_json": Allowed(own=SCHOOL_ADMIN),
    "export.access_request_files": Allowed(own=SCHOOL_ADMIN),
    "training.declaration": Allowed(own=CASE, post=SUPERVISOR),
    "training.issue_declaration": Allowed(own=SUPERVISOR),
    "training.declaration_pdf": Allowed(own=CASE),
    "admin.programme_goals": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.new_goal": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.edit_goal": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.support_categories": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.new_support_category": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.edit_support_category": Allowed(own=SYSTEM, other=SYSTEM),
    # The mail outbox holds every organisation's addresses: the system admin's. "Send now" is
    # for development only (MAIL_OUTBOX_SHOWS_CONTENT); elsewhere it answers 404 to everyone.
    "admin.outbox": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.send_mail_again": Allowed(own=SYSTEM, other=SYSTEM),
    "admin.send_outbox_now": Allowed(own=NOBODY),
    # Retention (app.access.retention): every admin reads the rules and the last run's counts
    # (no student in them); only the system admin changes a rule. A legal hold on a student is
    # set and lifted by the school admin of the student's school; another school's: 404.
    "retention.rules": Allowed(own=ADMINS, other=ADMINS),
    "retention.edit_rule": Allowed(own=SYSTEM, other=SYSTEM),
    "retention.legal_hold": Allowed(own=SCHOOL_ADMIN),
    "retention.lift_legal_hold": Allowed(own=SCHOOL_ADMIN),
    # Imports (app.access.imports): students and class teams by the school's counsellors and
    # admins; agreements by a school admin or the employer's staff; a batch (an uploaded
    # file's rows) only by the user who uploaded it.
    "imports.index": Allowed(own=IMPORTERS, other=IMPORTERS),
    "imports.students": Allowed(own=STUDENT_IMPORTERS, other=STUDENT_IMPORTERS),
    "imports.agreements": Allowed(own=AGREEMENT_IMPORTERS, other=AGREEMENT_IMPORTERS),
    "imports.plans": Allowed(own=STUDENT_IMPORTERS, other=STUDENT_IMPORTERS),
    "imports.batch": Allowed(own=IMPORTERS),
    "imports.check": Allowed(own=IMPORTERS),
    "imports.confirm": Allowed(own=IMPORTERS),
    "imports.cancel": Allowed(own=IMPORTERS),
    # Enrolments and statuses: the school's student administration (those who enrol students,
    # app.access.journey.can_change_status); a dropout stays with the plan editors (above).
    "journey.complete_enrolment": Allowed(own=STATUS_EDITORS),
    "journey.enrol": Allowed(own=STATUS_EDITORS),
    "journey.start_leave": Allowed(own=STATUS_EDITORS),
    "journey.end_leave": Allowed(own=STATUS_EDITORS),
    "journey.transfer": Allowed(own=STATUS_EDITORS),
    # The partnership (app.access.partnership): its coordinator, leaders and the analyst read
    # their own partnership; the coordinator at the anchor manages it; a leader edits the
    # initiatives their organisation owns (the side's initiative is the school's); the system
    # admin sets partnerships up.
    "partnership.index": Allowed(own=PARTNERSHIP | SYSTEM, other=PARTNERSHIP | SYSTEM),
    "partnership.show": Allowed(own=PARTNERSHIP),
    "partnership.plan": Allowed(own=PARTNERSHIP),
    "partnership.initiative": Allowed(own=PARTNERSHIP),
    "partnership.new_plan": Allowed(own=COORDINATOR),
    "partnership.carry_over": Allowed(own=COORDINATOR),
    "partnership.new_initiative": Allowed(own=INITIATIVE_EDITORS),
    "partnership.edit_initiative": Allowed(own=INITIATIVE_EDITORS),
    "partnership.add_note": Allowed(own=INITIATIVE_EDITORS),
    # The partnership's meetings: every partnership user of a member reads them (the PDF and
    # the calendar file too); the coordinator at the anchor manages them.
    "partnership.meetings": Allowed(own=PARTNERSHIP),
    "partnership.meeting": Allowed(own=PARTNERSHIP),
    "partnership.meeting_pdf": Allowed(own=PARTNERSHIP),
    "partnership.meeting_ics": Allowed(own=PARTNERSHIP),
    "partnership.new_meeting": Allowed(own=COORDINATOR),
    "partnership.edit_meeting": Allowed(own=COORDINATOR),
    "partnership.invitations": Allowed(own=COORDINATOR),
    "partnership.refresh_agenda": Allowed(own=COORDINATOR),
    "partnership.add_agenda_item": Allowed(own=COORDINATOR),
    "partnership.move_agenda_item": Allowed(own=COORDINATOR),
    "partnership.delete_agenda_item": Allowed(own=COORDINATOR),
    "partnership.edit_minutes": Allowed(own=COORDINATOR),
    "partnership.add_decision": Allowed(own=COORDINATOR),
    "partnership.add_follow_up": Allowed(own=COORDINATOR),
    "partnership.follow_up_done": Allowed(own=COORDINATOR),
    "partnership.mark_held": Allowed(own=COORDINATOR),
    "partnership.new_partnership": Allowed(own=SYSTEM, other=SYSTEM),
    "partnership.edit_partnership": Allowed(own=SYSTEM, other=SYSTEM),
    # The dimensioning: every partnership user of a member reads the table and its CSV; the
    # coordinator at the anchor enters the agreed places.
    "partnership.dimensioning_table": Allowed(own=PARTNERSHIP),
    "partnership.dimensioning_csv": Allowed(own=PARTNERSHIP),
    "partnership.edit_dimensioning": Allowed(own=COORDINATOR),
    # The students' evaluations of the training places, as suppressed counts: every
    # partnership user of a member, like the dimensioning table.
    "partnership.place_evaluations": Allowed(own=PARTNERSHIP),
    # API clients (app.access.api): the organisation's admins, for their organisation's clients.
    "admin.api_clients": Allowed(own=ADMINS, other=ADMINS),
    "admin.new_api_client": Allowed(own=ADMINS, other=ADMINS),
    "admin.revoke_api_client": Allowed(own=ADMINS, other=SYSTEM),
    # The access-log review (app.access.auditlog): the organisation's admins and its
    # data-protection adviser, each their own organisation's rows; no object in the URL, so
    # "other" is the same request. The adviser is refused every case page above.
    "auditlog.index": Allowed(own=ACCESS_LOG, other=ACCESS_LOG),
    "auditlog.export_csv": Allowed(own=ACCESS_LOG, other=ACCESS_LOG),
    "auditlog.flag_list": Allowed(own=ACCESS_LOG, other=ACCESS_LOG),
}

# Requests that change or end something run last, so they do not spoil the others.
LAST = (
    "attachments.delete",
    "support.withdraw_consent",
    "journey.delete_period",
    "admin.delete_template_period",
    "admin.delete_membership",
    "partnership.delete_agenda_item",
    "auth.logout",
)

# Endpoints that have no object argument: "other" means the same request as "own".
SKIP = {"static"}


def _target_user(side: Side, role: Role):
    """The user an admin of `role` would manage on `side`."""
    if role in SCHOOL_ROLES:
        return side.users[Role.TEACHER]
    return side.users[Role.TRAINING_COORDINATOR]


def _args(rule, world: World, side: Side, role: Role | None) -> dict[str, int]:
    values = {}
    for name in rule.arguments:
        if rule.endpoint == "main.overview_csv":  # the dashboard's tables, by name
            values[name] = "dropout"
        elif name == "rule_code":  # a risk rule, by its code (the same for both sides)
            values[name] = "absence"
        elif name == "programme_id":
            values[name] = world.template_periods[0].programme_id
        elif name == "template_period_id":
            values[name] = world.template_periods[0 if side is world.a else 1].id
        elif name == "period_id":
            values[name] = side.training_period.id
        elif name == "agreement_id":
            values[name] = side.student.agreements[0].id
        elif name == "notification_id":
            owner = world.user(role, "a" if side is world.a else "b") if role else None
            if role is Role.STUDENT:  # a student gets no notifications: someone else's
                owner = side.users[Role.COUNSELLOR]
            if side is world.b and role in (Role.ANALYST, Role.SYSTEM_ADMIN):
                owner = world.b.users[Role.COUNSELLOR]
            owner = owner or world.a.users[Role.COUNSELLOR]
            values[name] = owner_notification(owner)
        elif name == "student_id":
            values[name] = side.student.id
        elif name == "organisation_id":
            values[name] = side.school.id if role in SCHOOL_ROLES else side.municipality.id
        elif name == "workplace_id":
            values[name] = side.workplace.id
        elif name == "user_id":
            values[name] = _target_user(side, role).id
        elif name == "need_id":
            values[name] = side.need.id
        elif name == "measure_id":
            values[name] = side.measure.id
        elif name == "goal_id":
            from tests.factories import goals

            values[name] = goals(side.student)[0 if side is world.a else 1].id
        elif name == "review_id":
            values[name] = side.review.id
        elif name == "item_id":
            values[name] = side.action_item.id
        elif name == "meeting_id":
            values[name] = side.meeting.id
        elif name == "position":
            values[name] = 1  # the side's review, on its meeting's agenda
        elif name == "note_id":
            values[name] = side.case_note.id
        elif name == "experience_id":
            values[name] = side.experience.id
        elif name == "warning_id":
            values[name] = side.warning.id
        elif name == "consent_id":
            values[name] = side.consent.id
        elif name == "category_id":
            values[name] = side.need.category_id
        elif name == "membership_id":
            values[name] = _target_user(side, role).memberships[0].id
        elif name == "batch_id":
            values[name] = import_batch(world, side, role)
        elif name == "partnership_id":
            values[name] = side.partnership.id
        elif name == "plan_id":
            values[name] = side.plan.id
        elif name == "initiative_id":
            values[name] = side.initiative.id
        elif name == "partnership_meeting_id":
            values[name] = side.partnership_meeting.id
        elif name == "agenda_item_id":
            values[name] = side.agenda_item.id
        elif name == "follow_up_id":
            values[name] = side.follow_up.id
        elif name == "message_id":
            values[name] = failed_message()
        elif name == "token":
            values[name] = account_token(side, rule.endpoint)
        elif name == "session_id":
            values[name] = login_session(world, side, role)
        elif name == "client_id":
            values[name] = api_client_of(side, role)
        elif name == "request_id":
            values[name] = conversation_request(side)
        elif name == "kind" and rule.endpoint.startswith("retention."):  # a rule's kind
            values[name] = "sps_material"
        elif name == "kind":  # an attachment's record: the side's measure
            values[name] = "measure"
        elif name == "parent_id":
            values[name] = side.measure.id
        elif name == "attachment_id":
            values[name] = measure_attachment(side)
        elif name == "arrangement_id":
            values[name] = workplace_arrangement(side)
        elif name == "help_request_id":
            values[name] = help_request(side)
        else:  # pragma: no cover - a new kind of argument needs a value here
            raise AssertionError(f"no test value for URL argument {name!r} in {rule.rule}")
    return values


def import_batch(world: World, side: Side, role: Role | None) -> int:
    """A new uploaded batch (each request may confirm or cancel its own) of the side's user
    in `role` if that role imports, else of the side's school admin."""
    from app.extensions import db
    from app.imports import services
    from app.models import ImportKind

    owner = side.users.get(role) if role in IMPORTERS else None
    owner = owner or side.users[Role.SCHOOL_ADMIN]
    for_school = owner.has_role(Role.COUNSELLOR, Role.SCHOOL_ADMIN)
    row = {"line": 2, "values": {"number": "M1", "first_name": "A", "last_name": "B"}}
    batch = services.new_batch(
        ImportKind.STUDENTS if for_school else ImportKind.AGREEMENTS,
        side.school if for_school else side.municipality,
        owner,
        "matrix.csv",
        [row],
    )
    db.session.commit()
    return batch.id


def measure_attachment(side: Side) -> int:
    """The side's file on its measure (made once per test, with its file in the store)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Attachment
    from tests.factories import attachment

    found = db.session.scalar(
        select(Attachment.id).where(Attachment.student_id == side.student.id).limit(1)
    )
    if found is None:
        found = attachment(side.student, "measure", side.measure.id, side.users[Role.COUNSELLOR]).id
        db.session.commit()
    return found


def failed_message() -> int:
    """A new failed outbox message (each request may send its own again)."""
    from app.extensions import db
    from app.models import MailStatus, OutboxMessage

    message = OutboxMessage(
        to_address="matrix@example.invalid",
        subject="Elevsag: test",
        body="Test",
        kind="test",
        status=MailStatus.FAILED,
        attempts=8,
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def account_token(side: Side, endpoint: str) -> str:
    """A fresh, working link token of the side's teacher for the endpoint's purpose."""
    from app.auth import tokens
    from app.extensions import db
    from app.models import TokenPurpose

    purpose = (
        TokenPurpose.INVITATION
        if endpoint == "auth.accept_invitation"
        else TokenPurpose.PASSWORD_RESET
    )
    token = tokens.issue(side.users[Role.TEACHER], purpose)
    db.session.commit()
    return token


def login_session(world: World, side: Side, role: Role | None) -> int:
    """Another login session (another browser) of the user in `role` on the own side; on the
    other side, a session of someone else."""
    import secrets

    from app.extensions import db
    from app.models import LoginSession

    owner = world.user(role) if role and side is world.a else world.b.users[Role.COUNSELLOR]
    row = LoginSession(user_id=owner.id, token_hash=secrets.token_hex(32))
    db.session.add(row)
    db.session.commit()
    return row.id


def api_client_of(side: Side, role: Role | None) -> int:
    """A new API client (each request may revoke its own) of the organisation an admin in
    `role` administers on `side`."""
    from tests.api.helpers import make_client

    client_role = Role.COUNSELLOR if role in SCHOOL_ROLES else Role.TRAINING_COORDINATOR
    return make_client(side, client_role)[0].id


def conversation_request(side: Side) -> int:
    """A new open request for a conversation from the side's student to its counsellor (each
    request may mark its own handled)."""
    from app.extensions import db
    from app.models import ConversationRequest, ConversationWith

    row = ConversationRequest(
        student_id=side.student.id,
        with_whom=ConversationWith.COUNSELLOR,
        addressed_to_id=side.users[Role.COUNSELLOR].id,
        asked_on=side.training_period.start_date,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def owner_notification(user) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Notification

    return db.session.execute(
        select(Notification.id).where(Notification.user_id == user.id)
    ).scalar_one()


def _secrets(side: Side, role: Role | None) -> list[str]:
    """Text that must not appear on a page that refused access to `side`'s objects."""
    target = _target_user(side, role)
    return [side.student.last_name, side.student.student_number, side.workplace.name, target.email]


def _rules(app):
    """The routes of pages (the API's are in API_MATRIX, tested with tokens below)."""
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint not in SKIP and r.endpoint not in API_MATRIX
    ]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in SKIP}
    known = MATRIX.keys() | API_MATRIX.keys()
    assert endpoints - known == set(), "add the new endpoints to MATRIX or API_MATRIX"
    assert known - endpoints == set(), "remove endpoints that no longer exist"
    assert MATRIX.keys() & API_MATRIX.keys() == set()


def add_review_objects(world: World) -> None:
    from app.extensions import db
    from tests.factories import review_objects

    for side in (world.a, world.b):
        review_objects(side)
        side.review.meeting_id = side.meeting.id  # the meeting's one case
    db.session.commit()


def _issue_declarations(world: World) -> None:
    """The declaration's PDF exists only once it is issued (and then the declaration is locked,
    so the supervisor's POSTs are refused with a message, not an error)."""
    from app.extensions import db
    from app.models import Declaration
    from app.models.base import utcnow

    for side in (world.a, world.b):
        db.session.add(
            Declaration(
                period_id=side.training_period.id,
                approved=True,
                issued_at=utcnow(),
                issued_by_id=side.users[Role.SUPERVISOR].id,
            )
        )
    db.session.commit()


def _login(client, user):
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302


def _request(client, method: str, url: str):
    # A message flashed by the previous request (whose redirect is not followed) would show on
    # this page; it is not this page's content.
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client)})


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_access_matrix(app, client, world, role):
    _issue_declarations(world)
    add_review_objects(world)
    user = world.user(role) if role else None
    if user:
        _login(client, user)
    unexpected = []
    # Other-organisation targets first: a wrongly allowed POST there would show up as such.
    for target_name, side in (("other", world.b), ("own", world.a)):
        for rule in sorted(_rules(app), key=lambda r: (r.endpoint in LAST, r.endpoint)):
            allowed = MATRIX[rule.endpoint]
            with app.test_request_context():
                url = url_for(rule.endpoint, **_args(rule, world, side, role))
            for method in _methods(rule):
                response = _request(client, method, url)
                status = response.status_code
                case = f"{method} {url} as {role.value if role else 'anonymous'} ({target_name})"
                if status >= 500:
                    unexpected.append(f"{case}: {status}")
                    continue
                if role is None:
                    ok = (
                        status < 400
                        if allowed.public
                        else (status == 302 and response.headers["Location"].startswith("/login"))
                    )
                else:
                    permitted = allowed.own if target_name == "own" else allowed.other
                    if method == "POST" and target_name == "own" and allowed.post is not None:
                        permitted = allowed.post
                    if role in permitted:
                        to_login = response.headers.get("Location", "").startswith("/login")
                        ok = status < 400 and (not to_login or rule.endpoint == "auth.logout")
                    else:
                        ok = status in (403, 404)
                        leaked = [s for s in _secrets(side, role) if s in response.text]
                        if target_name == "other" and leaked:
                            unexpected.append(f"{case}: page shows {leaked}")
                        # A student's own name is in the page header: the check is that
                        # no one else's student shows.
                        shown = world.b.student if role is Role.STUDENT else world.a.student
                        if shown.last_name in response.text:
                            unexpected.append(f"{case}: page shows a student's name")
                if not ok:
                    unexpected.append(f"{case}: {status}")
                if rule.endpoint == "auth.logout" and user:
                    _login(client, user)
    assert unexpected == []


# --- the JSON API (app.api): bearer tokens of API clients, never a login -------------------
#
# A client acts with the access of its role in its organisation (app.access.api). Each entry
# says which client roles may use the endpoint on their own organisation's objects and on
# another's (denied: 403 or 404, nothing leaks). Every client role is tried with a token of
# side A's organisation and one of side B's, each against both sides' objects.

CLIENT_ROLES = frozenset(
    {
        Role.COUNSELLOR,
        Role.TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TRAINING_COORDINATOR,
        Role.MUNICIPALITY_ADMIN,
    }
)
CLIENT_CREATORS = frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})


@dataclass(frozen=True)
class ApiAllowed:
    own: frozenset[Role]  # client roles that may use it on their organisation's objects
    other: frozenset[Role] = NOBODY  # ... on another organisation's objects
    public: bool = False  # no token needed


API_MATRIX: dict[str, ApiAllowed] = {
    "api-docs.openapi_json": ApiAllowed(own=CLIENT_ROLES, other=CLIENT_ROLES, public=True),
    # Lists without an object: "other" is the same request; they list only the own students.
    "api.list_students": ApiAllowed(own=CLIENT_ROLES, other=CLIENT_ROLES),
    "api.list_transitions": ApiAllowed(own=CLIENT_ROLES, other=CLIENT_ROLES),
    "api.create_student": ApiAllowed(own=CLIENT_CREATORS, other=CLIENT_CREATORS),
    "api.get_student": ApiAllowed(own=CLIENT_ROLES),
    "api.update_student": ApiAllowed(own=CLIENT_CREATORS),
    "api.list_periods": ApiAllowed(own=CLIENT_ROLES),
    "api.list_agreements": ApiAllowed(own=CLIENT_ROLES),
    "api.create_agreement": ApiAllowed(own=CLIENT_ROLES),
    "api.update_agreement": ApiAllowed(own=CLIENT_ROLES),
    "api.list_enrolments": ApiAllowed(own=CLIENT_ROLES),
    "api.create_enrolment": ApiAllowed(own=CLIENT_CREATORS),
}

# A body of the right shape for each change, so the answer is about access, not shape.
API_BODIES = {
    "api.create_student": {
        "first_name": "Matrix",
        "last_name": "Elev",
        "student_number": "MATRIX-1",
        "programme": "SSA",
        "start_date": "2030-01-01",
    },
    "api.update_student": {"version": 1},
    "api.create_agreement": {"employer_id": 1, "kind": "training", "start_date": "2030-01-01"},
    "api.update_agreement": {"version": 1},
    "api.create_enrolment": {"programme": "SSA", "start_date": "2030-01-01", "version": 1},
}


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint in API_MATRIX]


def _api_url(app, rule, side: Side) -> str:
    args = {}
    for name in rule.arguments:
        if name == "student_id":
            args[name] = side.student.id
        elif name == "agreement_id":
            args[name] = side.student.agreements[0].id
        else:  # pragma: no cover - a new kind of argument needs a value here
            raise AssertionError(f"no test value for API argument {name!r} in {rule.rule}")
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _api_request(client, method: str, url: str, endpoint: str, headers: dict):
    return client.open(url, method=method, json=API_BODIES.get(endpoint), headers=headers)


@pytest.mark.parametrize("role", sorted(CLIENT_ROLES), ids=lambda r: r.value)
def test_api_matrix(app, client, world, role):
    from tests.api.helpers import make_client

    app.config["API_RATE_LIMIT"] = "100000 per minute"
    unexpected = []
    for own_side, other_side, label in ((world.a, world.b, "A"), (world.b, world.a, "B")):
        _client, headers = make_client(own_side, role)
        for target_name, side in (("other", other_side), ("own", own_side)):
            for rule in sorted(_api_rules(app), key=lambda r: r.endpoint):
                allowed = API_MATRIX[rule.endpoint]
                url = _api_url(app, rule, side)
                for method in _methods(rule):
                    response = _api_request(client, method, url, rule.endpoint, headers)
                    status = response.status_code
                    case = f"{method} {url} as {role.value} of {label} ({target_name})"
                    permitted = allowed.own if target_name == "own" else allowed.other
                    if status >= 500:
                        unexpected.append(f"{case}: {status}")
                    elif role in permitted:
                        if status in (401, 403, 404):
                            unexpected.append(f"{case}: {status}")
                    else:
                        if status not in (403, 404):
                            unexpected.append(f"{case}: {status}")
                        if response.mimetype != "application/problem+json":
                            unexpected.append(f"{case}: not a problem document")
                        leaked = [
                            s
                            for s in (side.student.last_name, side.student.student_number)
                            if s in response.text
                        ]
                        if target_name == "other" and leaked:
                            unexpected.append(f"{case}: shows {leaked}")
                    listed = rule.endpoint in ("api.list_students", "api.list_transitions")
                    if (
                        target_name == "other"
                        and listed
                        and side.student.last_name in response.text
                    ):
                        unexpected.append(f"{case}: lists the other side's student")
    assert unexpected == []


def test_api_answers_401_without_a_token_even_when_logged_in(app, client, world):
    """A login cookie of any role never authenticates an API call; only the document is
    public."""
    for role in (None, Role.COUNSELLOR, Role.SYSTEM_ADMIN):
        if role is not None:
            _login(client, world.user(role))
        for rule in _api_rules(app):
            url = _api_url(app, rule, world.a)
            for method in _methods(rule):
                response = _api_request(client, method, url, rule.endpoint, {})
                if API_MATRIX[rule.endpoint].public:
                    assert response.status_code == 200, f"{method} {url}"
                else:
                    assert response.status_code == 401, f"{method} {url} as {role}"
                    assert response.mimetype == "application/problem+json"


def workplace_arrangement(side: Side) -> int:
    """Support arranged at the side's workplace, recorded by its supervisor."""
    from tests.factories import workplace_arrangement as arrangement

    row = arrangement(side)
    from app.extensions import db

    db.session.commit()
    return row.id


def help_request(side: Side) -> int:
    """A new open request for a case review from the side's supervisor (each request may
    decline its own)."""
    from tests.factories import help_request as make

    row = make(side)
    from app.extensions import db

    db.session.commit()
    return row.id
