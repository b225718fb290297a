"""Notes allow a little safe formatting; everything else is removed before it is stored."""

from __future__ import annotations

import nh3

# Paragraphs, line breaks, emphasis and lists. No links, images, styles or scripts: nothing
# that can run, fetch or point anywhere (the PDF renderer included).
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote"}


def clean_note(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None).strip()


def plain_text(html: str) -> str:
    return nh3.clean(html, tags=set(), attributes={}).strip()
