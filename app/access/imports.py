"""Who may import students, class teams and training agreements from a file, and create the
plans of a class team in one step (app.imports, docs/import.md).

- Students and class teams: the school's counsellors and admins, the same people who enrol a
  student one by one (STUDENT_CREATOR_ROLES), for their own school only.
- Training agreements: a school admin for the students of their school (any employer); a
  training coordinator or municipality admin only agreements with their own organisation as
  the employer (the student identified by number and name, app.imports.services).
- Plans for a class team: the school's counsellors and admins, for their own school's teams.
- An uploaded batch (its rows are personal data) is seen only by the user who uploaded it,
  while they still hold an import role for its organisation; anyone else gets 404.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from app.access.roles import EMPLOYER_STAFF_ROLES, STUDENT_CREATOR_ROLES
from app.extensions import db
from app.models import ClassTeam, ImportBatch, ImportKind, Organisation, Role, User

STUDENT_IMPORT_ROLES = STUDENT_CREATOR_ROLES
AGREEMENT_IMPORT_SCHOOL_ROLES = frozenset({Role.SCHOOL_ADMIN})
AGREEMENT_IMPORT_EMPLOYER_ROLES = EMPLOYER_STAFF_ROLES
AGREEMENT_IMPORT_ROLES = AGREEMENT_IMPORT_SCHOOL_ROLES | AGREEMENT_IMPORT_EMPLOYER_ROLES
BULK_PLAN_ROLES = STUDENT_CREATOR_ROLES
IMPORT_ROLES = STUDENT_IMPORT_ROLES | AGREEMENT_IMPORT_ROLES | BULK_PLAN_ROLES


def student_import_organisation_ids(user: User) -> set[int]:
    return set(user.organisation_ids(*STUDENT_IMPORT_ROLES))


def agreement_import_organisation_ids(user: User) -> set[int]:
    """The schools and employers `user` may import agreements for."""
    return set(user.organisation_ids(*AGREEMENT_IMPORT_SCHOOL_ROLES)) | set(
        user.organisation_ids(*AGREEMENT_IMPORT_EMPLOYER_ROLES)
    )


def import_organisation_ids(user: User, kind: ImportKind) -> set[int]:
    if kind == ImportKind.STUDENTS:
        return student_import_organisation_ids(user)
    return agreement_import_organisation_ids(user)


def importable_organisations(user: User, kind: ImportKind) -> list[Organisation]:
    """The organisations `user` may import `kind` for, by name (a choice list)."""
    ids = import_organisation_ids(user, kind)
    if not ids:
        return []
    query = select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
    return list(db.session.execute(query).scalars())


def can_import_students(user: User) -> bool:
    return bool(student_import_organisation_ids(user))


def can_import_agreements(user: User) -> bool:
    return bool(agreement_import_organisation_ids(user))


def can_create_team_plans(user: User) -> bool:
    return bool(user.organisation_ids(*BULK_PLAN_ROLES))


def get_import_organisation_or_404(user: User, kind: ImportKind, organisation_id) -> Organisation:
    """An organisation chosen on an upload form: one `user` may import `kind` for."""
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        abort(404)
    if organisation_id not in import_organisation_ids(user, kind):
        abort(404)
    return db.get_or_404(Organisation, organisation_id)


def get_batch_or_404(user: User, batch_id: int) -> ImportBatch:
    """An uploaded batch: the uploader's own, for an organisation they may still import for."""
    batch = db.session.get(ImportBatch, batch_id)
    if (
        batch is None
        or batch.user_id != user.id
        or batch.organisation_id not in import_organisation_ids(user, batch.kind)
    ):
        abort(404)
    return batch


def team_plan_school_ids(user: User) -> set[int]:
    return set(user.organisation_ids(*BULK_PLAN_ROLES))


def team_plan_teams(user: User):
    """`select(ClassTeam)` of the teams whose plans `user` may create."""
    return select(ClassTeam).where(ClassTeam.school_id.in_(team_plan_school_ids(user) or {-1}))


def get_team_or_404(user: User, team_id) -> ClassTeam:
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        abort(404)
    return db.one_or_404(team_plan_teams(user).where(ClassTeam.id == team_id))
