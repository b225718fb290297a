"""Building import files and running an import through the pages, as a user would."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import ImportBatch
from tests.conftest import post

STUDENT_HEADER = "elevnummer;fornavn;efternavn;e-mail;telefon;fødselsår;uddannelse;hold;startdato"
AGREEMENT_HEADER = "elevnummer;fornavn;efternavn;arbejdsgiver;aftaletype;startdato;slutdato"


def student_line(n: int, programme: str = "SSA", team: str = "SSA-27A", **over) -> str:
    values = {
        "number": f"IMP{n:05d}",
        "first": f"Fornavn{n}",
        "last": f"Efternavn{n}",
        "email": f"elev{n}@example.org",
        "phone": "20 30 40 50",
        "year": "2004",
        "programme": programme,
        "team": team,
        "start": "04-01-2027",
    }
    values.update(over)
    return ";".join(values.values())


def csv_file(header: str, lines: list[str], sep: str = ";", encoding: str = "utf-8") -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    if sep != ";":
        text = text.replace(";", sep)
    return text.encode(encoding)


def upload(client, kind: str, data: bytes, organisation_id: int, name: str = "elever.csv"):
    return post(
        client,
        f"/imports/{kind}",
        {"organisation": str(organisation_id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def latest_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.execute(select(ImportBatch).order_by(ImportBatch.id.desc())).scalars().first()


def preview(client, kind: str, data: bytes, organisation_id: int):
    """Upload and check every row (the form without JavaScript); the preview page."""
    response = upload(client, kind, data, organisation_id)
    assert response.status_code == 302, response.text
    batch_url = response.headers["Location"]
    batch_id = int(batch_url.rstrip("/").split("/")[-1])
    assert post(client, f"/imports/{batch_id}/check").status_code == 302
    return batch_id, client.get(batch_url)


def confirm(client, batch_id: int):
    return post(client, f"/imports/{batch_id}/confirm", follow_redirects=True)
