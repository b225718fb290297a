"""The shared case file: one chronological history per student, with notes."""

from flask import Blueprint

bp = Blueprint("casefile", __name__)


@bp.app_template_filter("note_html")
def note_html(body: str):
    """A note's stored text (Markdown, or HTML from before the markers) as HTML, cleaned as it
    is shown (also in PDFs): whatever got into the database, only the few safe tags reach a
    page or the PDF renderer (app/casefile/sanitize.py)."""
    from markupsafe import Markup

    from app.casefile.sanitize import render_note

    return Markup(render_note(body or ""))  # noqa: S704 - cleaned by nh3 in render_note


from app.casefile import routes  # noqa: E402, F401
