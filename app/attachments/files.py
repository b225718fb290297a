"""What a file is, by its content: the allow-list, the size, a safe name.

The type is read from the file's first bytes with `filetype` (and, for the office formats,
from the ZIP's own table of contents), never from the name or the browser's claim. Only the
types a school really receives are allowed; HTML, SVG, XML, scripts and programs are refused
whatever they are called.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import BinaryIO

import filetype

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# The allowed types and the extension a download of each is named with.
ALLOWED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    DOCX: "docx",
    ODT: "odt",
}
FILENAME_MAX = 100  # characters of a stored file name, extension included
_HEAD = 8192  # filetype reads at most this much


def size_of(stream: BinaryIO) -> int:
    """The file's size, by seeking (an upload is spooled to disk; nothing is read)."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def content_type(stream: BinaryIO) -> str | None:
    """The file's type if it is on the allow-list, else None."""
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime == DOCX and not _is_docx(stream):
        return None
    if mime == ODT and not _is_odt(stream):
        return None
    return mime if mime in ALLOWED else None


def _zip_names(stream: BinaryIO) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _is_docx(stream: BinaryIO) -> bool:
    """A Word document, not just any ZIP with a `word/` folder: it has the document part, and
    no macros (a .docm renamed .docx)."""
    archive = _zip_names(stream)
    try:
        if archive is None:
            return False
        names = set(archive.namelist())
        return (
            "[Content_Types].xml" in names
            and "word/document.xml" in names
            and "word/vbaProject.bin" not in names
        )
    finally:
        stream.seek(0)


def _is_odt(stream: BinaryIO) -> bool:
    archive = _zip_names(stream)
    try:
        if archive is None or "mimetype" not in archive.namelist():
            return False
        return archive.read("mimetype").strip() == ODT.encode() and (
            "content.xml" in archive.namelist()
        )
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return False
    finally:
        stream.seek(0)


# Characters that mean something to a file system or an HTTP header.
_UNSAFE = re.compile(r'[\\/:*?"<>|;,%]')


def safe_filename(name: str | None, mime: str) -> str:
    """The uploaded name, safe to show and to offer as a download name: no folder part, no
    control or invisible formatting characters (such as a right-to-left override that makes
    "fdp.exe" look like "exe.pdf"), no characters a file system or a header treats specially,
    and the extension of the type the content really has. Danish letters stay (werkzeug's
    secure_filename would turn "Ordblindetest Søren.pdf" into "Ordblindetest_Sren.pdf")."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._-")
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = stem.strip(" ._-")
    extension = ALLOWED[mime]
    stem = stem[: FILENAME_MAX - len(extension) - 1].rstrip(" ._-") or "bilag"
    return f"{stem}.{extension}"


def upload_hint() -> str:
    from flask import current_app
    from flask_babel import gettext as _

    from app.labels import file_size

    return _(
        "PDF, PNG, JPEG, Word (DOCX) or OpenDocument (ODT), at most %(max)s.",
        max=file_size(current_app.config["ATTACHMENT_MAX_BYTES"]),
    )
