"""Who may see and do what. The one place where access is decided.

Rules (docs/domain.md, "Access and privacy rules"), deny by default:
- school staff (counsellor, teacher, school admin) see the students enrolled at their school;
- municipality or region staff (training coordinator, municipality admin) see the students
  with a current or future training agreement with their organisation;
- a practice supervisor sees the students with a training period at their workplace, from
  SUPERVISOR_DAYS_BEFORE days before it starts until SUPERVISOR_DAYS_AFTER days after it ends;
- the partnership analyst never sees a named student; the system admin sees no case content;
- the partnership coordinator and leaders see their partnership's action plan, never a named
  student (app.access.partnership).

The package holds the roles and role sets (`roles`), the students a user sees (`students`),
and one module per area with its can_* predicates and its get_<thing>_or_404 loaders. Routes
load through these loaders: a thing the user may not see answers 404 (its existence does not
leak), a thing the user may see but not change answers 403. Only this package aborts for an
access reason; templates receive can_* flags and `nav` (nav.nav_sections) instead of testing
roles.

The names below are re-exported for `from app.access import ...` and `access.<name>`.
"""

from app.access import (  # noqa: F401
    account,
    admin,
    api,
    attachments,
    auditlog,
    casefile,
    export,
    help,
    imports,
    journey,
    me,
    nav,
    partnership,
    retention,
    reviews,
    risk,
    roles,
    sso,
    students,
    support,
    training,
    twofactor,
)
from app.access.account import get_own_login_session_or_404  # noqa: F401
from app.access.admin import (  # noqa: F401
    administered_organisation_ids,
    administered_organisations,
    administered_users,
    administered_workplaces,
    can_edit_account,
    get_administered_organisation_or_404,
    get_administered_user_or_404,
    get_administered_workplace_or_404,
    is_system_admin,
    scope_to_administered,
)
from app.access.casefile import case_event_visibility  # noqa: F401
from app.access.imports import (  # noqa: F401
    can_create_team_plans,
    can_import_agreements,
    can_import_students,
    get_batch_or_404,
)
from app.access.journey import (  # noqa: F401
    can_acknowledge_handover,
    can_edit_plan,
    can_read_handover,
    can_write_handover,
)
from app.access.nav import nav_sections  # noqa: F401
from app.access.reviews import (  # noqa: F401
    can_edit_review,
    can_read_meeting,
    can_read_meeting_case,
    can_read_review,
    can_schedule_review,
    is_review_participant,
)
from app.access.roles import (  # noqa: F401
    ADMIN_ROLES,
    CASE_ROLES,
    EMPLOYER_STAFF_ROLES,
    MEETING_ORGANISER_ROLES,
    MEETING_STAFF_ROLES,
    ORG_ADMIN_ROLES,
    PLAN_EDITOR_ROLES,
    REVIEW_SCHEDULER_ROLES,
    REVIEW_SCHOOL_ROLES,
    SCHOOL_CONTACT_ROLES,
    SUPPORT_EDIT_ROLES,
    SUPPORT_READ_ROLES,
    WORKPLACE_ADMIN_ROLES,
    WORKPLACE_SUPPORT_ROLES,
    case_roles_required,
    roles_required,
)
from app.access.students import (  # noqa: F401
    acting_organisation_id,
    employer_ids_of,
    get_case_student_or_404,
    get_student_or_404,
    is_employer_staff_for,
    is_school_staff_for,
    student_visibility,
    visible_students,
)
from app.access.support import (  # noqa: F401
    SupportView,
    can_edit_support,
    can_record_workplace_support,
    consent_categories,
    consented_to,
    school_view,
    students_with_visible_support,
    support_view,
)
from app.access.training import (  # noqa: F401
    can_read_training,
    can_write_training,
    is_school_contact_for,
)
