"""Reading an uploaded CSV file as a school administration system (EASY-P, Ludus) or an
employer exports it: `;` or `,` between the columns, UTF-8 (with or without BOM) or
Windows-1252, a header row naming the columns (docs/import.md)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

# Largest file accepted (about 50,000 rows of students).
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, in Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str  # the name the rows use
    names: tuple[str, ...]  # the header texts accepted for it, normalised (see `normal_header`)
    required: bool = True
    label: str = ""  # the header text the documentation uses


def normal_header(header: str) -> str:
    """A header compared without case, spaces, hyphens, underscores or accents:
    "Fødselsår", "foedselsaar" and "fodselsar" all read "fodselsar"."""
    text = header.strip().casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = text.replace("oe", "o").replace("aa", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.]", "", text)


def _col(key: str, label: str, *aliases: str, required: bool = True) -> Column:
    return Column(
        key, tuple({normal_header(label), *(normal_header(a) for a in aliases)}), required, label
    )


STUDENT_COLUMNS = (
    _col("number", "elevnummer", "elevnr", "studienummer", "student number"),
    _col("first_name", "fornavn", "first name"),
    _col("last_name", "efternavn", "last name"),
    _col("email", "e-mail", "email", "mail", required=False),
    _col("phone", "telefon", "mobil", "tlf", "phone", required=False),
    _col("birth_year", "fødselsår", "birth year", required=False),
    _col("programme", "uddannelse", "programme", "program"),
    _col("team", "hold", "klasse", "class team", required=False),
    _col("start", "startdato", "start", "start date"),
)

AGREEMENT_COLUMNS = (
    _col("number", "elevnummer", "elevnr", "studienummer", "student number"),
    _col("first_name", "fornavn", "first name"),
    _col("last_name", "efternavn", "last name"),
    _col("employer", "arbejdsgiver", "arbejdsgiverkode", "kommunenummer", "employer"),
    _col("kind", "aftaletype", "type", "kind", required=False),
    _col("start", "startdato", "start", "start date"),
    _col("end", "slutdato", "end", "end date", required=False),
)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped), else Windows-1252. A file that is neither
    (e.g. UTF-16, or a spreadsheet saved as .xlsx) is refused."""
    if b"\x00" in data[:4096]:
        raise FileRefused(_("The file is not a CSV text file in UTF-8 or Windows-1252."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:  # bytes cp1252 leaves undefined (0x81, 0x8d, ...)
        raise FileRefused(_("The file is not a CSV text file in UTF-8 or Windows-1252.")) from error
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in text):
        raise FileRefused(_("The file is not a CSV text file in UTF-8 or Windows-1252."))
    return text


def _delimiter(text: str) -> str:
    """`;` or `,`: the one that splits the header row into more columns."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def read_rows(data: bytes, columns: tuple[Column, ...]) -> list[dict]:
    """The file's data rows: [{"line": n, "values": {key: text}}], n the line in the file.

    Blank lines are skipped; unknown columns are ignored. Refused as a whole (FileRefused)
    when it is too large, cannot be decoded, has no header, misses a required column or has
    no data rows."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is too large (at most 5 MB)."))
    text = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise FileRefused(_("The file is empty.")) from error
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        normal = normal_header(name)
        for column in columns:
            if normal in column.names and column.key not in positions:
                positions[column.key] = index
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        raise FileRefused(
            _(
                "The file has no column %(columns)s. The first line must name the columns "
                "(see the description of the file).",
                columns=", ".join(f"“{m}”" for m in missing),
            )
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                key: (cells[i].strip() if i < len(cells) else "") for key, i in positions.items()
            }
            for column in columns:
                values.setdefault(column.key, "")
            rows.append({"line": reader.line_num, "values": values})
            if len(rows) > MAX_ROWS:
                raise FileRefused(
                    _("The file has more than %(rows)d rows. Split it in parts.", rows=MAX_ROWS)
                )
    except csv.Error as error:
        raise FileRefused(
            _("Line %(line)d of the file cannot be read as CSV.", line=reader.line_num)
        ) from error
    if not rows:
        raise FileRefused(_("The file has no rows below the header."))
    return rows
