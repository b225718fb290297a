"""Notes are written with a few Markdown markers (**fed**, - punkt, 1. punkt, [tekst](https://…));
what reaches a page or the PDF is always HTML cleaned by nh3.

How old and new notes live side by side: a note's stored text is Markdown (CommonMark) in which
HTML is allowed, as CommonMark allows it. Notes written before the markers existed hold the
cleaned HTML of the time (``<p>``, ``<b>``, ``<ul>`` ...); that is valid Markdown of this kind and
renders as it did, so no column tells the two apart and no data migration is needed. Whatever
the Markdown renderer makes of a text, old or new, the same cleaner decides what is shown.

- `clean_note` runs before a note is stored: it removes every tag but the old safe ones (so
  no script, image or raw link is ever stored) and keeps the Markdown markers and the
  characters < > & as the person typed them.
- `render_note` runs as a note is shown: Markdown to HTML, then cleaned to `ALLOWED_TAGS`.
  Links keep only an http(s) or mailto address and get `rel="noopener noreferrer nofollow"`.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

# Paragraphs, line breaks, emphasis, lists, quotes, and links to web or mail addresses.
# No images, styles or scripts: nothing that can run or fetch (the PDF renderer included).
STORED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote"}
ALLOWED_TAGS = STORED_TAGS | {"a"}
LINK_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

# CommonMark with its HTML kept for the cleaner (old notes are HTML) and a line break kept as
# one. Headings, rules, code blocks and images are not note formatting: their markers stay text.
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "breaks": True}).disable(
    ["heading", "lheading", "hr", "code", "fence", "image"]
)
_MAX_ROUNDS = 5


def clean_note(text: str) -> str:
    """The text to store: tags other than `STORED_TAGS` removed (with a script's or style's
    content), Markdown markers and the characters < > & kept as typed.

    nh3 escapes the text it keeps ("a > b" becomes "a &gt; b"); that is undone so the note reads
    back as typed, and repeated until nothing changes, so an escaped tag cannot come back as a
    real one."""
    for _ in range(_MAX_ROUNDS):
        cleaned = html.unescape(nh3.clean(text, tags=STORED_TAGS, attributes={}, link_rel=None))
        if cleaned == text:
            break
        text = cleaned
    else:  # still changing: keep the escaped form, which holds no tag at all
        text = nh3.clean(text, tags=set(), attributes={})
    return text.strip()


def render_note(text: str) -> str:
    """A stored note (Markdown, or HTML from before) as safe HTML for a page or the PDF."""
    return nh3.clean(
        _MARKDOWN.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes=LINK_SCHEMES,
        link_rel=LINK_REL,
    ).strip()


def plain_text(text: str) -> str:
    """What a note says without any formatting (empty if it is only markers or tags)."""
    return nh3.clean(render_note(text), tags=set(), attributes={}).strip()
