"""Changes to the student record itself. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass, fields

from app.editing import check_version
from app.history import log
from app.models import CaseEventKind, Student, User


@dataclass
class StudentRecord:
    first_name: str
    last_name: str
    student_number: str
    email: str
    phone: str
    birth_year: int | None
    contact_teacher: User | None
    counsellor: User | None


def update_record(
    student: Student, record: StudentRecord, user: User, seen_version: int | None
) -> list[str]:
    """Save corrections to the record; one history line names what changed (not the values).
    Returns the names of the changed fields (none: nothing is written)."""
    check_version(student, seen_version)
    changed = [
        f.name for f in fields(record) if getattr(student, f.name) != getattr(record, f.name)
    ]
    for name in changed:
        setattr(student, name, getattr(record, name))
    if changed:
        log(student, CaseEventKind.STUDENT_RECORD_CHANGED, user, fields=changed)
    return changed
