"""The interface is Danish first: every text in the code has a Danish translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/da/LC_MESSAGES/messages.po"


def _catalogue():
    with PO.open("rb") as fh:
        return read_po(fh, locale="da")


def _ids(catalogue) -> set[str]:
    # A text with a context (pgettext) is its own entry: "Open" the status is not "Open" the verb.
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id}


def test_every_danish_entry_is_translated_and_not_fuzzy():
    untranslated = []
    for message in _catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            untranslated.append(message.id)
    assert untranslated == []


def test_every_text_in_the_code_is_in_the_danish_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "--no-location",
        "--ignore-dirs=.* node_modules",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "lazy_pgettext:1c,2",
        "-k",
        "N_",
        "-o",
        str(pot),
        ".",
    ]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    with pot.open("rb") as fh:
        extracted = _ids(read_po(fh))
    missing = sorted(extracted - _ids(_catalogue()))
    assert missing == [], "run `make translations-extract` and translate: " + repr(missing[:20])


def test_templates_follow_the_locale_within_one_request(app):
    """The templates keep the request's translations, but a forced or refreshed locale
    (English e-mail text, a language change) is followed at once."""
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    template = "{{ _('Log out') }}|{{ ngettext('%(num)d result', '%(num)d results', 2) }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Log ud|2 resultater"
        with force_locale("en"):
            assert render_template_string(template) == "Log out|2 results"
        assert render_template_string(template) == "Log ud|2 resultater"
        session["locale"] = "en"
        refresh()
        assert render_template_string(template) == "Log out|2 results"


def test_underscore_gives_what_jinjas_own_gettext_gives_in_both_languages(app):
    """The layout's fast `_()` (app.install_fast_gettext) is Jinja's newstyle gettext in one
    call: the same translation, "%%" formatted to "%", variables escaped in an HTML page and
    left as they are in a plain-text mail, and a forced language followed at once."""
    from flask import render_template_string
    from flask_babel import force_locale

    html = (
        "{{ _('Log out') }}|{{ gettext('Log out') }}|{{ _('Skip to content') }}"
        "|{{ _('Nothing <b>%(what)s</b>', what='<i>x</i>') }}|{{ _('100%% sure') }}"
    )
    with app.test_request_context("/"):
        assert render_template_string(html) == (
            "Log ud|Log ud|Gå til indhold|Nothing <b>&lt;i&gt;x&lt;/i&gt;</b>|100% sure"
        )
        with force_locale("en"):
            assert render_template_string(html).startswith("Log out|Log out|Skip to content|")
        assert render_template_string(html).startswith("Log ud|Log ud|")
        # A plain-text template (e-mail) escapes nothing, as Jinja's own does not.
        text = app.jinja_env.from_string(
            "{% autoescape false %}{{ _('A %(x)s', x='<b>') }}{{ _('Log out') }}{% endautoescape %}"
        )
        assert text.render() == "A <b>Log ud"


def test_underscore_keeps_one_text_per_language_however_many_requests(app, client):
    """What the fast `_()` keeps is per string and language, not per request: the layout's
    texts are formatted once."""
    from flask import render_template_string
    from flask_babel import force_locale

    kept = app.jinja_env.globals["_"].formatted
    kept.clear()
    client.get("/login")
    after_first = len(kept)
    assert after_first > 5  # the login page's texts
    for _ in range(3):
        client.get("/login")
    assert len(kept) == after_first

    def english_once() -> int:
        with app.test_request_context("/"), force_locale("en"):
            assert render_template_string("{{ _('Log out') }}") == "Log out"
        return len(kept)

    # The same string in English is one more text, kept once however often it is shown.
    assert english_once() == english_once() == english_once() == after_first + 1
