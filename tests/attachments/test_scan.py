"""The virus-scan hook against a small clamd of our own on loopback, speaking clamd's INSTREAM
protocol: a length-prefixed stream of chunks ended by a zero length, answered with one line."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import pytest
from sqlalchemy import func, select

from app.models import Attachment, AuditEvent, Role, ScanResult
from tests import factories
from tests.attachments.conftest import stored_files, upload
from tests.conftest import login

# The test signature every virus scanner knows (split, so this file is not flagged itself).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.BaseRequestHandler):
    """Reads one INSTREAM command and its chunks; finds the EICAR string, or not."""

    received: list[bytes] = []

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = self.request.recv(n - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def handle(self):
        command = b""
        while not command.endswith(b"\n"):
            command += self._exactly(1)
        assert command in (b"nINSTREAM\n", b"zINSTREAM\0")
        body = b""
        while True:
            (length,) = struct.unpack("!L", self._exactly(4))
            if length == 0:
                break
            body += self._exactly(length)
        FakeClamd.received.append(body)
        found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in body
        self.request.sendall(b"stream: Eicar-Test-Signature FOUND\n" if found else b"stream: OK\n")


@pytest.fixture
def clamd(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeClamd.received = []
    app.config["CLAMD_HOST"], app.config["CLAMD_PORT"] = server.server_address
    app.config["CLAMD_TIMEOUT"] = 5
    yield server
    server.shutdown()
    server.server_close()


def _url_args(world):
    return world.a.student, "measure", world.a.measure.id


def test_a_clean_file_is_streamed_to_clamd_and_stored_as_scanned(client, db, world, store, clamd):
    login(client, world.user(Role.COUNSELLOR))
    response = upload(client, *_url_args(world), factories.MINIMAL_PDF, "rent.pdf")
    assert response.status_code == 302
    assert FakeClamd.received == [factories.MINIMAL_PDF]
    row = db.session.scalars(select(Attachment)).one()
    assert row.scan_result == ScanResult.CLEAN
    assert len(stored_files(store)) == 1


def test_an_infected_file_is_refused_in_danish_logged_and_not_stored(
    client, db, world, store, clamd
):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    infected = factories.MINIMAL_PDF + EICAR
    response = upload(client, *_url_args(world), infected, "smittet.pdf")
    assert response.status_code == 200
    assert "Filen indeholder virus (Eicar-Test-Signature)" in response.text
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert stored_files(store) == []
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.criterion.like("attachment refused%"))
    ).one()
    assert refused.user_id == counsellor.id
    assert refused.student_id == world.a.student.id
    assert "Eicar-Test-Signature" in refused.criterion


def test_a_configured_clamd_that_does_not_answer_refuses_every_upload(
    app, client, db, world, store
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    app.config["CLAMD_HOST"], app.config["CLAMD_PORT"] = "127.0.0.1", port
    login(client, world.user(Role.COUNSELLOR))
    response = upload(client, *_url_args(world), factories.MINIMAL_PDF, "a.pdf")
    assert response.status_code == 200
    assert "kunne ikke virusscannes" in response.text
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert stored_files(store) == []


def test_without_clamd_files_are_stored_marked_unscanned(client, db, world, store):
    login(client, world.user(Role.COUNSELLOR))
    upload(client, *_url_args(world), factories.MINIMAL_PDF, "a.pdf")
    assert db.session.scalars(select(Attachment)).one().scan_result == ScanResult.NOT_SCANNED
