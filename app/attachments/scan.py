"""The virus-scan hook: every file is offered to ClamAV's daemon before it is stored, when one
is configured (CLAMD_SOCKET, or CLAMD_HOST and CLAMD_PORT).

The file is streamed with clamd's INSTREAM command through `clamav-client` (the maintained
successor of the old `clamd` package). A file clamd finds infected is refused; so is every
file while a configured clamd cannot be reached or answers with an error (fail closed: an
unscanned file is never stored when scanning was asked for). Without configuration files are
stored unscanned and marked so.
"""

from __future__ import annotations

from typing import BinaryIO

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from flask import current_app

from app.models import ScanResult


class Infected(Exception):
    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature


class ScannerUnavailable(Exception):
    """clamd is configured but could not scan the file."""


def _client():
    config = current_app.config
    timeout = config.get("CLAMD_TIMEOUT", 30)
    if config.get("CLAMD_SOCKET"):
        return ClamdUnixSocket(config["CLAMD_SOCKET"], timeout=timeout)
    if config.get("CLAMD_HOST"):
        return ClamdNetworkSocket(config["CLAMD_HOST"], int(config["CLAMD_PORT"]), timeout=timeout)
    return None


def scan(stream: BinaryIO) -> ScanResult:
    """CLEAN or NOT_SCANNED; raises Infected or ScannerUnavailable. Leaves `stream` at 0."""
    client = _client()
    if client is None:
        return ScanResult.NOT_SCANNED
    stream.seek(0)
    try:
        answer = client.instream(stream)
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        stream.seek(0)
    status, signature = next(iter(answer.values()), (None, None))
    if status == "FOUND":
        raise Infected(signature or "")
    if status != "OK":
        raise ScannerUnavailable(f"clamd answered {answer!r}")
    return ScanResult.CLEAN
