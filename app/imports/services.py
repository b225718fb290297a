"""Checking and applying an import (docs/import.md).

An upload is read into an `ImportBatch` (its rows, never the file). Checking a batch gives each
row an outcome: "create", "update" (with the fields that change), "unchanged" or "refused"
(with the reasons, in the user's language). The check reads the database set-based: one query
for all student numbers of a chunk of rows, one for the programmes, the class teams, the
employers; never a query per row. The preview is the dry run: nothing but the batch is stored.

Confirming checks every row again against the database as it is now (another import may have
run meanwhile) and applies the good rows in the caller's transaction, with a case-history line
per student or agreement and one access-log row for the import. The caller commits once: an
error stores nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from app import audit, dates
from app.access import acting_organisation_id
from app.editing import RuleError
from app.extensions import db
from app.forms import looks_like_cpr
from app.imports.reading import AGREEMENT_COLUMNS, STUDENT_COLUMNS, normal_header
from app.journey import services as journey
from app.models import (
    AgreementKind,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    ClassTeam,
    Enrolment,
    ImportBatch,
    ImportKind,
    Organisation,
    Period,
    Programme,
    Student,
    StudentStatus,
    TrainingAgreement,
    User,
)
from app.models.base import today, utcnow
from app.models.student import new_student

BATCH_HOURS = 2  # an unconfirmed batch is deleted after this long
CHUNK = 500  # rows checked per request of the progress bar (and per IN list)

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"

_NUMBER = re.compile(r"^[A-Za-z0-9-]+$")
_PHONE = re.compile(r"^\+?[0-9 ]{8,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MARKUP = re.compile(r"[<>{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = (
    re.compile(r"^(?P<d>\d{1,2})[-./](?P<m>\d{1,2})[-./](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)
_LIMITS = {"number": 20, "first_name": 80, "last_name": 80, "email": 254, "team": 40}


# --- batches ------------------------------------------------------------------------------------


def new_batch(
    kind: ImportKind, organisation: Organisation, user: User, file_name: str, rows: list[dict]
) -> ImportBatch:
    """A batch of read rows for `user` to check and confirm. Expired batches go first."""
    delete_expired()
    for row in rows:  # a CPR-shaped number is never stored, not even in the batch
        values = row["values"]
        cpr = [key for key, value in values.items() if looks_like_cpr(value)]
        if cpr:
            row["cpr"] = cpr
            for key in cpr:
                values[key] = ""
    batch = ImportBatch(
        kind=kind,
        organisation_id=organisation.id,
        user_id=user.id,
        file_name=file_name[:200],
        expires_at=utcnow() + timedelta(hours=BATCH_HOURS),
        rows=rows,
        results=[],
    )
    db.session.add(batch)
    return batch


def delete_expired() -> int:
    """Delete the batches nobody confirmed or cancelled in time; how many there were."""
    result = db.session.execute(delete(ImportBatch).where(ImportBatch.expires_at < utcnow()))
    return result.rowcount or 0


def check_next(batch: ImportBatch, size: int | None = CHUNK) -> None:
    """Check the next `size` rows of `batch` (all that are left with None)."""
    start = batch.checked
    end = batch.total if size is None else min(batch.total, start + size)
    if start >= end:
        return
    organisation = db.session.get(Organisation, batch.organisation_id)
    if batch.kind == ImportKind.STUDENTS:
        plans = _plan_students(organisation, batch.rows, start, end)
    else:
        plans = _plan_agreements(organisation, batch.rows, start, end)
    batch.results = [*batch.results, *(p.result() for p in plans)]


def counts(results: list[dict]) -> dict[str, int]:
    found = dict.fromkeys((CREATE, UPDATE, UNCHANGED, REFUSED), 0)
    for result in results:
        found[result["action"]] += 1
    return found


def apply(batch: ImportBatch, user: User) -> dict[str, int]:
    """Check every row again and apply the good ones; write the history and the access log,
    and delete the batch. The caller commits."""
    organisation = db.session.get(Organisation, batch.organisation_id)
    plans = []
    for start in range(0, batch.total, CHUNK):
        end = min(batch.total, start + CHUNK)
        if batch.kind == ImportKind.STUDENTS:
            plans.extend(_plan_students(organisation, batch.rows, start, end, teams=plans))
        else:
            plans.extend(_plan_agreements(organisation, batch.rows, start, end, earlier=plans))
    logs: list[tuple] = []
    for plan in plans:
        plan.apply(user, logs)
    db.session.flush()  # all new rows in a few multi-row INSERTs; their ids for the history
    _log_all(logs, user)
    found = counts([p.result() for p in plans])
    audit.record(
        AuditAction.CREATE if found[CREATE] else AuditAction.UPDATE,
        obj=batch,
        user=user,
        criterion=(
            f"import {batch.kind.value}: file={batch.file_name}; rows={batch.total}; "
            f"created={found[CREATE]}; updated={found[UPDATE]}; "
            f"unchanged={found[UNCHANGED]}; refused={found[REFUSED]}"
        ),
    )
    db.session.delete(batch)
    return found


# How each kind of line counts in the access log (as app.history.log has it).
_AUDIT_ACTION = {
    CaseEventKind.STUDENT_IMPORTED: AuditAction.CREATE,
    CaseEventKind.AGREEMENT_CREATED: AuditAction.CREATE,
}


def _log_all(logs: list[tuple], user: User) -> None:
    """The case-history line and the access-log row of each change, as `app.history.log`
    writes them (attributed to `user`, for the organisation they act for), inserted together:
    thousands of rows in a few statements instead of an ORM object each."""
    at = utcnow()
    events, rows = [], []
    for student, kind, details in logs:
        organisation_id = acting_organisation_id(user, student)
        events.append(
            {
                "student_id": student.id,
                "user_id": user.id,
                "kind": kind,
                "details": details,
                "organisation_id": organisation_id,
                "at": at,
            }
        )
        rows.append(
            {
                "action": _AUDIT_ACTION.get(kind, AuditAction.UPDATE),
                "user_id": user.id,
                "student_id": student.id,
                "object_type": "student",
                "object_id": student.id,
                "criterion": "",
                "organisation_id": organisation_id,
                "at": at,
            }
        )
    if events:
        db.session.execute(insert(CaseEvent), events)
        db.session.execute(insert(AuditEvent), rows)


# --- shared checks ------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """dd-mm-yyyy (also with . or /) or yyyy-mm-dd; None if it is not a real date."""
    for pattern in _DATE_FORMATS:
        match = pattern.match(text.strip())
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def _column_label(key: str, columns) -> str:
    return next(c.label for c in columns if c.key == key)


@dataclass
class _Row:
    """A row being checked: its values, what it becomes, and why not."""

    line: int
    values: dict[str, str]
    columns: tuple
    reasons: list[str] = field(default_factory=list)
    action: str = CREATE
    changes: list[str] = field(default_factory=list)

    def refuse(self, message: str) -> None:
        self.reasons.append(message)

    def result(self, detail: str) -> dict:
        """What the preview shows of the row; `detail` is the class team or the employer."""
        v = self.values
        return {
            "line": self.line,
            "number": v.get("number", ""),
            "name": f"{v.get('first_name', '')} {v.get('last_name', '')}".strip(),
            "detail": detail,
            "action": REFUSED if not self.ok else self.action,
            "changes": self.changes,
            "reasons": self.reasons,
        }

    @property
    def ok(self) -> bool:
        return not self.reasons

    def common_checks(self, row: dict, required: tuple[str, ...]) -> None:
        for key in row.get("cpr", ()):
            self.refuse(
                _(
                    "Column “%(column)s” holds a number shaped like a CPR number. CPR numbers "
                    "are never stored: use the school's student number.",
                    column=_column_label(key, self.columns),
                )
            )
        for key in required:
            if not self.values.get(key) and key not in row.get("cpr", ()):
                self.refuse(
                    _(
                        "Column “%(column)s” is empty.",
                        column=_column_label(key, self.columns),
                    )
                )
        for key, limit in _LIMITS.items():
            if len(self.values.get(key, "")) > limit:
                self.refuse(
                    _(
                        "Column “%(column)s” is too long (at most %(max)d characters).",
                        column=_column_label(key, self.columns),
                        max=limit,
                    )
                )
        for key, value in self.values.items():
            if _MARKUP.search(value):
                self.refuse(
                    _(
                        "Column “%(column)s” must not contain the characters < > { } or "
                        "control characters.",
                        column=_column_label(key, self.columns),
                    )
                )
        number = self.values.get("number", "")
        if number and len(number) <= 20 and not _NUMBER.match(number):
            self.refuse(_("The student number may hold letters, digits and - only."))

    def date(self, key: str) -> date | None:
        text = self.values.get(key, "")
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.refuse(
                _(
                    "“%(value)s” in column “%(column)s” is not a date. Write it as dd-mm-åååå "
                    "or åååå-mm-dd.",
                    value=text[:20],
                    column=_column_label(key, self.columns),
                )
            )
        elif not dates.in_window(value):
            self.refuse(dates.window_message())
            return None
        return value


def _duplicates(rows: list[dict], key) -> dict[str, list[int]]:
    """The keys that occur on more than one row of the whole file, with their lines."""
    lines: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        k = key(row["values"])
        if k:
            lines[k].append(row["line"])
    return {k: v for k, v in lines.items() if len(v) > 1}


def _lines_text(lines: list[int], own: int) -> str:
    return ", ".join(str(n) for n in lines if n != own)


# --- students and class teams -------------------------------------------------------------------


def programme_code(text: str) -> str:
    """A programme as people write it ("EUX PA", "eux-pa", "Ssa") as its code ("EUX_PA")."""
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


@dataclass
class _StudentPlan:
    row: _Row
    school: Organisation
    student: Student | None = None
    programme: Programme | None = None
    team: ClassTeam | None = None
    start: date | None = None
    updates: dict = field(default_factory=dict)

    def result(self) -> dict:
        return self.row.result(self.row.values.get("team", ""))

    def apply(self, user: User, logs: list) -> None:
        if not self.row.ok or self.row.action == UNCHANGED:
            return
        if self.team is not None and self.team.id is None:
            db.session.add(self.team)
        if self.row.action == CREATE:
            v = self.row.values
            student = new_student(
                student_number=v["number"],
                first_name=v["first_name"],
                last_name=v["last_name"],
                email=v.get("email", ""),
                phone=v.get("phone", ""),
                birth_year=self.updates.get("birth_year"),
                school=self.school,
                programme=self.programme,
                start_date=self.start,
                status=StudentStatus.ACTIVE,
            )
            student.enrolments[0].class_team = self.team
            student.enrolments[0].created_by_id = user.id
            db.session.add(student)
            self.student = student
            logs.append((student, CaseEventKind.STUDENT_IMPORTED, {"team": v.get("team") or "–"}))
        else:
            student = self.student
            for name, value in self.updates.items():
                if name == "class_team":
                    student.enrolments[-1].class_team = value
                else:
                    setattr(student, name, value)
            logs.append(
                (student, CaseEventKind.STUDENT_UPDATED, {"fields": list(self.row.changes)})
            )


def _students_by_number(chunk: list[dict], load) -> dict[str, Student]:
    """The students the rows of `chunk` name by student number (case-folded), in one query,
    with the relationship `load` loaded."""
    numbers = {r["values"]["number"].casefold() for r in chunk if r["values"].get("number")}
    return {
        s.student_number.casefold(): s
        for s in db.session.execute(
            select(Student)
            .where(func.lower(Student.student_number).in_(numbers or {""}))
            .options(selectinload(load))
        ).scalars()
    }


def _plan_students(
    school: Organisation, rows: list[dict], start: int, end: int, teams: list | None = None
) -> list[_StudentPlan]:
    chunk = rows[start:end]
    duplicates = _duplicates(rows, lambda v: v.get("number", "").casefold())
    programmes = {
        p.code: p
        for p in db.session.execute(select(Programme).where(Programme.active.is_(True))).scalars()
    }
    existing = _students_by_number(chunk, Student.enrolments)
    team_rows = db.session.execute(select(ClassTeam).where(ClassTeam.school_id == school.id))
    known_teams = {t.code.casefold(): t for t in team_rows.scalars()}
    # Teams first named earlier in the file (new ones), so later rows join the same team.
    for earlier in teams or ():
        if earlier.team is not None and earlier.team.id is None:
            known_teams.setdefault(earlier.team.code.casefold(), earlier.team)
    # The same for rows of this chunk, and of earlier chunks in a preview (file order decides).
    for previous in rows[:start]:
        _new_team_from(previous["values"], school, programmes, known_teams)

    plans = []
    for raw in chunk:
        row = _Row(raw["line"], dict(raw["values"]), STUDENT_COLUMNS)
        plan = _StudentPlan(row, school)
        plans.append(plan)
        v = row.values
        row.common_checks(raw, ("number", "first_name", "last_name", "programme", "start"))
        number = v.get("number", "").casefold()
        if number in duplicates:
            row.refuse(
                _(
                    "The student number is on more than one row of the file (also line %(lines)s).",
                    lines=_lines_text(duplicates[number], row.line),
                )
            )
        plan.start = row.date("start")
        if v.get("programme"):
            plan.programme = programmes.get(programme_code(v["programme"]))
            if plan.programme is None:
                row.refuse(
                    _(
                        "Unknown programme “%(value)s”. Use one of %(codes)s.",
                        value=v["programme"][:20],
                        codes=", ".join(Programme.display_code(c) for c in sorted(programmes)),
                    )
                )
        if v.get("email") and not _EMAIL.match(v["email"]):
            row.refuse(_("“%(value)s” is not a valid e-mail address.", value=v["email"][:60]))
        if v.get("phone") and not _PHONE.match(v["phone"]):
            row.refuse(_("The phone number must have 8 to 20 digits, spaces and an optional +."))
        if v.get("birth_year"):
            year = v["birth_year"]
            if not year.isdigit() or not 1930 <= int(year) <= today().year - 13:
                row.refuse(
                    _(
                        "The birth year must be a year between 1930 and %(last)d.",
                        last=today().year - 13,
                    )
                )
            else:
                plan.updates["birth_year"] = int(year)
        if v.get("team") and plan.programme is not None:
            plan.team = _new_team_from(v, school, programmes, known_teams, plan.start)
            if plan.team is not None and plan.team.programme is not plan.programme:
                row.refuse(
                    _(
                        "The class team %(team)s is a team of %(programme)s.",
                        team=plan.team.code,
                        programme=plan.team.programme.short_name,
                    )
                )
        student = existing.get(number)
        if student is not None:
            if student.school_id != school.id:
                row.refuse(_("The student number belongs to a student who is not at this school."))
            else:
                plan.student = student
                row.action = UPDATE
                _compare(plan, student)
    return plans


def _new_team_from(values, school, programmes, known_teams, start=None) -> ClassTeam | None:
    """The team a row names: a known one, or a new one (not yet added) for the first row
    that names it, with that row's programme and start date."""
    code = values.get("team", "")
    if not code or len(code) > 40:
        return None
    team = known_teams.get(code.casefold())
    if team is None:
        programme = programmes.get(programme_code(values.get("programme", "")))
        start = start or parse_date(values.get("start", ""))
        if programme is None or start is None:
            return None
        team = ClassTeam(school=school, code=code, programme=programme, start_date=start)
        known_teams[code.casefold()] = team
    return team


def _compare(plan: _StudentPlan, student: Student) -> None:
    """What an existing student's row changes: the name, contact details, birth year and class
    team (empty cells change nothing). A different programme is refused: a change of programme
    is a new enrolment, recorded on the student page."""
    row, v = plan.row, plan.row.values
    enrolment = student.enrolments[-1] if student.enrolments else None
    if (
        plan.programme is not None
        and enrolment is not None
        and enrolment.programme_id != plan.programme.id
    ):
        row.refuse(
            _(
                "The student is enrolled in another programme. A change of programme is "
                "recorded on the student's page, not by import."
            )
        )
        return
    wanted = {
        "first_name": v.get("first_name"),
        "last_name": v.get("last_name"),
        "email": v.get("email"),
        "phone": v.get("phone"),
        "birth_year": plan.updates.get("birth_year"),
    }
    updates = {}
    for name, value in wanted.items():
        if value not in (None, "") and getattr(student, name) != value:
            updates[name] = value
    if (
        plan.team is not None
        and enrolment is not None
        and (plan.team.id is None or enrolment.class_team_id != plan.team.id)
    ):
        updates["class_team"] = plan.team
    plan.updates = updates
    row.changes = list(updates)
    if not updates:
        row.action = UNCHANGED


# --- training agreements ------------------------------------------------------------------------

_KINDS = {
    "": AgreementKind.TRAINING,
    "uddannelsesaftale": AgreementKind.TRAINING,
    "training": AgreementKind.TRAINING,
    "voksen": AgreementKind.ADULT_BASIC,
    "voksenaftale": AgreementKind.ADULT_BASIC,
    "voksenelev": AgreementKind.ADULT_BASIC,
    "adultbasic": AgreementKind.ADULT_BASIC,
    "ansaettelsesforlob": AgreementKind.TRIAL_EMPLOYMENT,
    "ansattelsesforlob": AgreementKind.TRIAL_EMPLOYMENT,
    "trialemployment": AgreementKind.TRIAL_EMPLOYMENT,
}
_KIND_LOOKUP = {normal_header(k): v for k, v in _KINDS.items()}


def agreement_kind(text: str) -> AgreementKind | None:
    return _KIND_LOOKUP.get(normal_header(text))


def _same_name(student: Student, first: str, last: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    return norm(student.first_name) == norm(first) and norm(student.last_name) == norm(last)


@dataclass
class _AgreementPlan:
    row: _Row
    student: Student | None = None
    employer: Organisation | None = None
    agreement: TrainingAgreement | None = None
    kind: AgreementKind | None = None
    start: date | None = None
    end: date | None = None

    def result(self) -> dict:
        employer = self.employer.name if self.employer is not None else None
        return self.row.result(employer or self.row.values.get("employer", ""))

    def apply(self, user: User, logs: list) -> None:
        if not self.row.ok or self.row.action == UNCHANGED:
            return
        if self.agreement is None:
            self.agreement = TrainingAgreement(
                student=self.student,
                employer=self.employer,
                kind=self.kind,
                start_date=self.start,
                end_date=self.end,
            )
            db.session.add(self.agreement)
            kind = CaseEventKind.AGREEMENT_CREATED
        else:
            self.agreement.kind = self.kind
            self.agreement.end_date = self.end
            kind = CaseEventKind.AGREEMENT_CHANGED
        details = {"employer": self.employer.name, "start": self.start.isoformat()}
        logs.append((self.student, kind, details))


def _plan_agreements(
    organisation: Organisation,
    rows: list[dict],
    start: int,
    end: int,
    earlier: list | None = None,
) -> list[_AgreementPlan]:
    """Rows of an agreement file for `organisation`: a school (its students, any employer) or
    an employer (any student identified by number and name, only itself as the employer)."""
    chunk = rows[start:end]
    as_school = not organisation.kind.is_employer
    students = _students_by_number(chunk, Student.agreements)
    codes = {r["values"]["employer"] for r in chunk if r["values"].get("employer")}
    employers = {
        o.code.casefold(): o
        for o in db.session.execute(
            select(Organisation).where(
                func.lower(Organisation.code).in_({c.casefold() for c in codes} or {""})
            )
        ).scalars()
        if o.kind.is_employer
    }
    duplicates = _duplicates(
        rows,
        lambda v: (
            "|".join(
                (
                    v.get("number", "").casefold(),
                    v.get("employer", "").casefold(),
                    v.get("start", ""),
                )
            )
            if v.get("number")
            else ""
        ),
    )
    # Agreements already planned for a student by earlier rows (overlaps within the file).
    planned: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for plan in earlier or ():
        if plan.row.ok and plan.row.action != UNCHANGED and plan.student is not None:
            planned[plan.student.id].append((plan.start, plan.end))

    plans = []
    for raw in chunk:
        row = _Row(raw["line"], dict(raw["values"]), AGREEMENT_COLUMNS)
        plan = _AgreementPlan(row)
        plans.append(plan)
        v = row.values
        row.common_checks(raw, ("number", "first_name", "last_name", "employer", "start"))
        key = "|".join(
            (v.get("number", "").casefold(), v.get("employer", "").casefold(), v.get("start", ""))
        )
        if key in duplicates:
            row.refuse(
                _(
                    "The same agreement is on more than one row of the file (also line %(lines)s).",
                    lines=_lines_text(duplicates[key], row.line),
                )
            )
        plan.start = row.date("start")
        plan.end = row.date("end")
        if plan.start and plan.end and plan.end < plan.start:
            row.refuse(_("The end date must be on or after the start date."))
        plan.kind = agreement_kind(v.get("kind", ""))
        if plan.kind is None:
            row.refuse(
                _(
                    "Unknown agreement type “%(value)s”. Use uddannelsesaftale, voksenaftale or "
                    "ansættelsesforløb.",
                    value=v.get("kind", "")[:40],
                )
            )
        if v.get("employer"):
            plan.employer = employers.get(v["employer"].casefold())
            if plan.employer is None:
                row.refuse(
                    _(
                        "Unknown employer “%(value)s”: use the municipality's or region's code.",
                        value=v["employer"][:20],
                    )
                )
            elif not as_school and plan.employer.id != organisation.id:
                plan.employer = None
                row.refuse(
                    _(
                        "You can only import agreements with %(organisation)s as the employer.",
                        organisation=organisation.name,
                    )
                )
        student = students.get(v.get("number", "").casefold())
        if (
            student is None
            or not _same_name(student, v.get("first_name", ""), v.get("last_name", ""))
            or (as_school and student.school_id != organisation.id)
        ):
            if v.get("number") and v.get("first_name") and v.get("last_name"):
                # The same words whether the number is unknown or the name does not match:
                # the file never tells whether a student number exists.
                row.refuse(_("No student with this student number and name."))
            continue
        plan.student = student
        if not row.ok or plan.employer is None or plan.start is None:
            continue
        far = date.max
        for other in student.agreements:
            if other.employer_id == plan.employer.id and other.start_date == plan.start:
                plan.agreement = other
                continue
            if plan.start <= (other.end_date or far) and (plan.end or far) >= other.start_date:
                row.refuse(_("The dates overlap another training agreement of the student."))
                break
        for other_start, other_end in planned[student.id]:
            if plan.start <= (other_end or far) and (plan.end or far) >= other_start:
                row.refuse(_("The dates overlap another agreement for the student in the file."))
                break
        if not row.ok:
            continue
        if plan.agreement is not None:
            changes = []
            if plan.agreement.kind != plan.kind:
                changes.append("kind")
            if plan.agreement.end_date != plan.end:
                changes.append("end_date")
            row.changes = changes
            row.action = UPDATE if changes else UNCHANGED
        if row.action != UNCHANGED:
            planned[student.id].append((plan.start, plan.end))
    return plans


# --- plans for a class team ---------------------------------------------------------------------


@dataclass
class TeamPlanResult:
    created: int = 0
    skipped: list[tuple[Student, str]] = field(default_factory=list)


def team_students(team: ClassTeam) -> list[Student]:
    """The team's students: those whose latest enrolment is in the team."""
    query = (
        select(Student)
        .join(Enrolment, Enrolment.student_id == Student.id)
        .where(Enrolment.class_team_id == team.id, Student.school_id == team.school_id)
        .options(selectinload(Student.enrolments))
        .order_by(Student.last_name, Student.first_name, Student.id)
    )
    students = db.session.execute(query).unique().scalars().all()
    return [s for s in students if s.enrolments and s.enrolments[-1].class_team_id == team.id]


def create_team_plans(team: ClassTeam, start: date, user: User) -> TeamPlanResult:
    """A plan from the programme's template for each student of `team` who has none; the rest
    are skipped with the reason. One history line per plan (generate_plan), one access-log row
    for the whole. The caller commits."""
    journey.check_start(start, today())
    if not journey.template_for(team.programme_id):
        raise RuleError(
            _(
                "%(programme)s has no plan template yet. The system administrator sets it up.",
                programme=team.programme.short_name,
            ),
            "team",
        )
    result = TeamPlanResult()
    students = team_students(team)
    with_plan = set(
        db.session.execute(
            select(Period.student_id).where(Period.student_id.in_([s.id for s in students] or [-1]))
        ).scalars()
    )
    for student in students:
        if student.id in with_plan:
            result.skipped.append((student, _("The student already has a plan.")))
            continue
        if student.status != StudentStatus.ACTIVE:
            result.skipped.append((student, _("The student is not active.")))
            continue
        try:
            journey.generate_plan(student, start, today())
        except RuleError as error:
            result.skipped.append((student, error.message))
            continue
        result.created += 1
    audit.record(
        AuditAction.CREATE,
        obj=team,
        user=user,
        criterion=(
            f"plans for class team {team.id}: start={start.isoformat()}; "
            f"created={result.created}; skipped={len(result.skipped)}"
        ),
    )
    return result
