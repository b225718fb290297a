"""PDF exports: one function renders a `templates/pdf/*.html` page with WeasyPrint.

The data handed in is already authorised. The renderer may fetch only the app's own static
files (fonts, the stylesheet); any other address (file://, http://, data from a note) is
refused, so text a user typed can never make the server read a file or call a host.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The page's base address; only /static/ below it resolves, and only to app/static.
BASE_URL = "https://elevsag.invalid/"


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_folder: str) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.root = Path(static_folder).resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        prefix = BASE_URL + "static/"
        if url.startswith(prefix):
            path = (self.root / url[len(prefix) :].split("?")[0]).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        self.refused.append(url)
        raise ValueError(f"PDF export fetches only the app's own static files, not {url!r}")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_numbers_css() -> str:
    """The footer of every page: "Confidential" (Fortroligt) on the left, so a printed page or
    one filed on its own is marked, and "Page 1 of 2" on the right, in the reader's language,
    as CSS generated content.

    The translated sentence is split at its placeholders, so a language may put the numbers
    in any order; the words become CSS strings, the placeholders page counters.
    """
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", gettext("Page %(page)s of %(pages)s")):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    content = " ".join(parts)
    confidential = _css_string(gettext("Confidential"))
    return (
        f"@page {{ @bottom-right {{ content: {content}; font-size: 8pt; color: #555; }}"
        f" @bottom-left {{ content: {confidential}; font-size: 8pt; font-weight: bold;"
        " color: #1a1a1a; } }"
    )


def render_pdf(template: str, **context) -> bytes:
    html = render_template(template, **context)
    fetcher = StaticOnlyFetcher(current_app.static_folder)
    footer = CSS(string=page_numbers_css())
    # PDF/UA-1: tagged (structure for screen readers) with its metadata, so a municipality
    # can file it in a records system that requires accessible PDFs.
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[footer], pdf_variant="pdf/ua-1"
    )


def pdf_download(pdf: bytes, filename: str):
    """A PDF as a download (the browser saves it rather than showing it inline)."""
    from flask import Response

    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
