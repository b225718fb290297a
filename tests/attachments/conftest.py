"""Attachments: each test gets a store of its own, and helpers to upload as a browser does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.models import Role
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def store(app, tmp_path) -> Path:
    """The attachment folder of this test (the app's setting is restored afterwards)."""
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    return tmp_path


def stored_files(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()]


def upload(client, student, kind: str, parent_id: int, data: bytes, filename: str):
    return client.post(
        f"/students/{student.id}/attachments/{kind}/{parent_id}",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def measure_file(db, world, store):
    """A PDF on side A's SPS measure, uploaded by the counsellor."""
    row = factories.attachment(
        world.a.student, "measure", world.a.measure.id, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    return row
