"""Reads other areas share: the attachments of a page's records, in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import Attachment, AttachmentParent, SpsStep

# A record: its kind's value ("measure", ...) and its id. Plain strings, so a template can
# look a record up as attachments[("measure", measure.id)].
Key = tuple[str, int]


def attachments_of(records: Iterable[tuple[AttachmentParent | str, int]]) -> dict[Key, list]:
    """The attachments of these records ((kind, id) pairs the caller has already checked the
    user may read), oldest first, by record. One query whatever the number of records; none
    for none."""
    wanted: dict[AttachmentParent, set[int]] = defaultdict(set)
    for kind, parent_id in records:
        wanted[AttachmentParent(kind)].add(parent_id)
    found: dict[Key, list[Attachment]] = defaultdict(list)
    if not wanted:
        return found
    rows = db.session.execute(
        select(Attachment)
        .where(
            or_(
                *(
                    and_(Attachment.parent_kind == kind, Attachment.parent_id.in_(ids))
                    for kind, ids in wanted.items()
                )
            )
        )
        .order_by(Attachment.uploaded_at, Attachment.id)
    ).scalars()
    for row in rows:
        found[(row.parent_kind.value, row.parent_id)].append(row)
    return found


def student_attachments(student_id: int) -> list[Attachment]:
    """Every attachment of the student (the access-request export: all of the student's
    data), oldest first."""
    return list(
        db.session.execute(
            select(Attachment)
            .where(Attachment.student_id == student_id)
            .order_by(Attachment.uploaded_at, Attachment.id)
        ).scalars()
    )


# The kinds of thing a case-history line records (CaseEventTarget values) that carry files.
_BY_TARGET = {
    "need": AttachmentParent.NEED,
    "measure": AttachmentParent.MEASURE,
    "note": AttachmentParent.NOTE,
    "review": AttachmentParent.REVIEW,
    "declaration": AttachmentParent.DECLARATION,
}


def attachments_of_targets(targets: Mapping[int, object]) -> dict[int, list[Attachment]]:
    """The files of the things case-history lines record, for the lines of `targets` ({line
    id: app.history.Target}, the things the viewer may read): {line id: attachments}. A
    measure's line carries its SPS steps' files too. At most two queries, whatever the number
    of lines and files."""
    records = {
        line: (_BY_TARGET[str(t.kind)], t.row.id)
        for line, t in targets.items()
        if str(t.kind) in _BY_TARGET
    }
    measure_ids = {pid for kind, pid in records.values() if kind == AttachmentParent.MEASURE}
    steps: dict[int, int] = {}
    if measure_ids:
        steps = dict(
            db.session.execute(
                select(SpsStep.id, SpsStep.measure_id).where(SpsStep.measure_id.in_(measure_ids))
            ).all()
        )
    found = attachments_of(
        [*records.values(), *((AttachmentParent.SPS_STEP, step) for step in steps)]
    )
    lines: dict[int, list[Attachment]] = {}
    for line, (kind, parent_id) in records.items():
        items = list(found.get((kind.value, parent_id), []))
        if kind == AttachmentParent.MEASURE:
            for step, measure_id in steps.items():
                if measure_id == parent_id:
                    items += found.get(("sps_step", step), [])
        if items:
            lines[line] = items
    return lines
