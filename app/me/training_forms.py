"""The student's forms about their training: a comment on a warning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.forms import BaseForm, required, text_field

COMMENT_MAX_CHARS = 2000


class WarningCommentForm(BaseForm):
    comment = text_field(
        _l("Your comment on the warning"),
        required(_l("Write your comment before you save it.")),
        max_chars=COMMENT_MAX_CHARS,
        multiline=True,
        render_kw={"rows": 5},
    )
