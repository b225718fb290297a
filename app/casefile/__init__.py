"""The shared case file: one chronological history per student, with notes."""

from flask import Blueprint

bp = Blueprint("casefile", __name__)


@bp.app_template_filter("note_html")
def note_html(body: str):
    """A note's stored HTML, cleaned again as it is shown (also in PDFs): whatever got into
    the database, only the few safe tags reach a page or the PDF renderer."""
    from markupsafe import Markup

    from app.casefile.sanitize import clean_note

    return Markup(clean_note(body or ""))  # noqa: S704 - cleaned by nh3 just above


from app.casefile import routes  # noqa: E402, F401
