"""Shared form pieces: a base form that speaks Danish, and validators used across areas."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date, time

from flask import g, has_request_context, request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, EmailInput, HiddenInput, ListWidget

from app import dates, labels


class _Translations:
    """WTForms asks for gettext/ngettext; hand it the app's own catalogue.

    WTForms ships no Danish messages, so its built-in ones ("Not a valid date value.") are
    translated in our own messages.po.
    """

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translations = get_translations()
        text = translations.ngettext(singular, plural, n)
        if text in (singular, plural):
            # Not a plural entry in our catalogue: WTForms' messages are kept as two singular
            # entries there (app/wtforms_messages.py).
            return translations.gettext(text)
        return text


_TRANSLATIONS = _Translations()


def _drop_nul(value):
    """NUL bytes are never meaningful in a form, and PostgreSQL refuses them in text."""
    # (Only when there is one: a choice's data is an enum member, which `replace` would turn into
    # a plain string.)
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


# --- CPR numbers ----------------------------------------------------------------------------------
# A CPR number is never stored (docs/domain.md). Identifier fields refuse anything shaped like one
# (`not_cpr`); free text that contains one is refused until the person confirms, next to the
# field, that it is not a CPR number (`_CprCheck`, a base of BaseForm; the confirmation box is
# rendered by the `field` macro in templates/_macros/forms.html).

# Six digits, an optional dash (any kind) or space, four digits; not part of a longer digit run.
_CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[-\u2010-\u2013\s]?\d{4}(?!\d)")
# The name of the confirmation box of a free-text field is the field's name plus this.
CPR_CONFIRM_SUFFIX = "-cpr_confirmed"


def _plausible_date(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def looks_like_cpr(text) -> bool:
    """True if `text` contains a number shaped like a CPR number: DDMMYY (a real date, in the
    1900s or 2000s), an optional dash or space, and four digits, with no digit either side."""
    if not text:
        return False
    for match in _CPR.finditer(str(text)):
        day, month, year = (int(part) for part in match.groups())
        if _plausible_date(day, month, year):
            return True
    return False


def not_cpr(message=None):
    """Validator for identifier fields (student numbers, codes, searches by number)."""
    message = message or _l("Must not be a CPR number. Use the school's student number.")

    def _check(form: Form, field: Field) -> None:
        if field.data and looks_like_cpr(field.data):
            raise ValidationError(message)

    return _check


class _CprCheck:
    """Free-text fields (every TextAreaField) are checked on validate: text that looks like it
    contains a CPR number fails with a warning at the field, unless the box
    ``<field name>-cpr_confirmed`` was ticked. What was typed is kept.

    Sets on each such field `cpr_suspect` (the text looks like it has one) and `cpr_confirmed`
    (the box was ticked), which the `field` macro uses to show the box."""

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        formdata = self.meta.wrap_formdata(self, formdata)
        self._cpr_formdata = formdata
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_free_text_for_cpr() and valid

    def _check_free_text_for_cpr(self) -> bool:
        formdata = getattr(self, "_cpr_formdata", None)
        ok = True
        for field in self:
            if not isinstance(field, TextAreaField) or not looks_like_cpr(field.data):
                continue
            field.cpr_suspect = True
            field.cpr_confirmed = bool(
                formdata is not None and formdata.get(field.name + CPR_CONFIRM_SUFFIX)
            )
            if not field.cpr_confirmed:
                field.errors = [
                    *field.errors,
                    _l(
                        "The text seems to contain a CPR number. Remove it, or confirm that it "
                        "is not a CPR number."
                    ),
                ]
                ok = False
        return ok


# --- end of the CPR block ------------------------------------------------------------------------


# --- A refused form shown again -------------------------------------------------------------------
# A POST refused before it reached its view (an expired session or a stale CSRF token, see
# app/errors.py) is shown again by running the view as a GET with `g.form_refused` set to the
# message: every form on the page is then filled from what was posted, nothing is validated or
# saved, and the message sits at the first field that holds typed text, so the error summary
# links to it. The page carries a fresh token: pressing save again sends it.


def _refilling() -> bool:
    return has_request_context() and bool(g.get("form_refused"))


def _leaf_fields(fields):
    for f in fields:
        if isinstance(f, FormField):
            yield from _leaf_fields(f.form)
        elif isinstance(f, FieldList):
            yield from _leaf_fields(f.entries)
        else:
            yield f


def _show_refusal(form: Form) -> None:
    """Put the refusal message on the first visible field of `form` that got typed text, a
    text field before a choice (once per page)."""
    if not _refilling() or g.get("form_refused_shown"):
        return
    typed = [
        f
        for f in _leaf_fields(form)
        if not isinstance(f.widget, HiddenInput)
        and f.type not in ("CSRFTokenField", "SubmitField")
        and any(str(v).strip() for v in request.form.getlist(f.name))
    ]
    typed.sort(key=lambda f: not isinstance(f, StringField))  # stable: text fields first
    if typed:
        typed[0].errors = [g.form_refused]
        g.form_refused_shown = True


class BaseForm(_CprCheck, FlaskForm):
    class Meta:
        def get_translations(self, form: Form) -> _Translations:
            return _TRANSLATIONS

        def wrap_formdata(self, form: Form, formdata):
            # A refused POST shown again: fill the form from what was posted (the request now
            # says GET, so validate_on_submit() stays False and nothing is saved).
            if formdata is _Auto and _refilling():
                return request.form
            return super().wrap_formdata(form, formdata)

        def bind_field(self, form: Form, unbound_field, options: dict):
            # Every field drops NUL bytes before any validator or query sees the value.
            # (Lists of subforms take no filters; their own fields get theirs.)
            if issubclass(unbound_field.field_class, FieldList | FormField):
                return unbound_field.bind(form=form, **options)
            filters = [_drop_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options, filters=filters)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        _show_refusal(self)


class ButtonForm(BaseForm):
    """An empty form, for POST-only buttons: it carries only the CSRF token."""


def without_required(form: Form) -> None:
    """Let `form` be saved with its required fields still empty (a draft, finished later);
    every other check (lengths, markup, CPR numbers) still applies."""
    for f in form:
        f.validators = [v for v in f.validators if not isinstance(v, DataRequired)]


class VersionedForm(BaseForm):
    """A form that edits one row: it carries the row's version from when the form was opened,
    and a save from an older version is refused (app.editing.check_version).

    Given `obj` (a GET that shows the row), the version is filled from `obj.version_id`; a POST
    brings it back from the hidden field."""

    version = HiddenField()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        if obj is not None and not getattr(self.version, "raw_data", None):
            self.version.data = obj.version_id

    def seen_version(self) -> int:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def consent_categories_field() -> MultiCheckboxField:
    """What a consent may share, one consent per category ticked, at least one: the field of
    the counsellor's consent form (app.support) and of the student's own (app.me)."""
    return MultiCheckboxField(
        _l("What may be shared"),
        coerce=str,
        choices=labels.choices(labels.CONSENT_CATEGORY),
        default=[],
        validators=[InputRequired(message=_l("Choose at least one category to share."))],
    )


class EnumField(SelectField):
    """A choice among an enum's members, shown by their names in app/labels.py.

    Its data is the member itself (None for the blank choice), so a route stores it as it is and
    never converts strings; a value that is not a member is refused as "Not a valid choice".
    """

    def __init__(self, label=None, names: Mapping[enum.Enum, object] | None = None, **kwargs):
        names = names or {}
        self.enum_class = type(next(iter(names)))
        blank = kwargs.pop("blank", None)
        choices = [(member.value, name) for member, name in names.items()]
        kwargs["choices"] = [("", blank), *choices] if blank is not None else choices
        super().__init__(label, coerce=self._member, **kwargs)

    def _member(self, value):
        if value is None or value == "":
            return None
        try:
            return self.enum_class(value)
        except ValueError:
            return value  # not one of the choices: validation says "Not a valid choice"


def enum_field(label, names: Mapping, *, blank=None, message=None, **kwargs) -> EnumField:
    """A choice among `names` (an app/labels.py mapping). With `blank`, an empty first choice
    of that text; with `message`, a choice is required and `message` says so."""
    if message is not None:
        kwargs["validators"] = [InputRequired(message=message), *kwargs.get("validators", [])]
    return EnumField(label, names, blank=blank, **kwargs)


# Markup and template syntax (< > { }) have no place in names, numbers or addresses. Rejecting them
# gives the person a clear message instead of storing text that looks like an attack.
_MARKUP = re.compile(r"[<>{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(form: Form, field: Field) -> None:
    if field.data and _MARKUP.search(str(field.data)):
        raise ValidationError(_l("Must not contain the characters < > { } or control characters."))


def required(message=None) -> DataRequired:
    return DataRequired(message=message or _l("Please fill in this field."))


_required = required  # `text_field` has a keyword of the same name


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Must be at most %(max)d characters.", max=n))


def length_between(low: int, high: int) -> Length:
    return Length(
        min=low,
        max=high,
        message=_l("Must be between %(min)d and %(max)d characters.", min=low, max=high),
    )


def strip(value: str | None) -> str | None:
    """Filter: trim surrounding whitespace, so "  " counts as empty."""
    return value.strip() if isinstance(value, str) else value


def in_date_window(form: Form, field: Field) -> None:
    """Every date lies in the window from settings (DATE_MIN_YEAR to DATE_MAX_YEAR): a slip such
    as 0001 or 9999 would move a period out of every list, or overflow date arithmetic."""
    if field.data is not None and not dates.in_window(field.data):
        raise ValidationError(dates.window_message())


def date_field(label, optional: bool = False) -> DateField:
    """The one way forms ask for a date: ISO format, within the allowed window."""
    presence = Optional() if optional else InputRequired(message=_l("Please enter a date."))
    return DateField(
        label,
        validators=[presence, in_date_window],
        render_kw={"placeholder": "åååå-mm-dd"},
    )


def int_field(
    label, least: int, most: int, required_message=None, range_message=None, **kwargs
) -> IntegerField:
    """The one way forms ask for a whole number: one from `least` to `most`. With
    `required_message` the field must be filled in (0 counts as filled); without it, it may be
    left empty. `range_message` may name %(min)s and %(max)s."""
    presence = Optional() if required_message is None else InputRequired(message=required_message)
    limits = NumberRange(min=least, max=most, message=range_message)
    return IntegerField(label, validators=[presence, limits], **kwargs)


# A time of day as Danes write it, 13.30, or with a colon, 13:30 (hours 0-23, two-digit minutes).
_TIME = re.compile(r"([01]?\d|2[0-3])[.:]([0-5]\d)")


class TimeOfDayField(StringField):
    """A time of day typed as HH.MM or HH:MM; `data` is a datetime.time (None if empty). What
    was typed is shown again when it is not a time."""

    def process_formdata(self, valuelist):
        self.data = None
        text = ((valuelist[0] if valuelist else "") or "").strip()
        if not text:
            return
        match = _TIME.fullmatch(text)
        if match is None:
            raise ValueError(_l("Enter the time as HH.MM, for example 13.30."))
        self.data = time(int(match[1]), int(match[2]))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H.%M") if isinstance(self.data, time) else ""


def time_field(label=None) -> TimeOfDayField:
    """The one way forms ask for a time of day (optional; empty is None)."""
    return TimeOfDayField(
        label or _l("Time"),
        validators=[Optional()],
        render_kw={"placeholder": "tt.mm", "inputmode": "decimal"},
    )


def text_field(
    label,
    *validators,
    max_chars: int | None = None,
    required: bool = False,
    plain: bool = False,
    multiline: bool = False,
    **kwargs,
) -> Field:
    """The one way forms ask for text: a line (or, with `multiline`, a text area) whose
    surrounding whitespace is trimmed, so "  " counts as empty.

    `required` asks for a value, `max_chars` caps the length and `plain` refuses markup
    characters (see `plain_text`); each with the shared Danish message. Further validators
    (e.g. `Optional()`, `Email()`, `not_cpr()`) follow those.
    """
    rules: list = [_required()] if required else []
    if max_chars is not None:
        rules.append(max_length(max_chars))
    if plain:
        rules.append(plain_text)
    field_class = TextAreaField if multiline else StringField
    return field_class(label, filters=[strip], validators=[*rules, *validators], **kwargs)


def email_field(label, presence, check: bool = True, autocomplete: str = "off") -> Field:
    """An e-mail address: type=email (phones show the @ keyboard), at most 254 characters,
    checked as an address unless `check` is False. autocomplete "off" for another person's
    address (never filled with the user's own), "username" for the login."""
    address = [Email(message=_l("Not a valid e-mail address."))] if check else []
    validators = [presence, *address]
    return text_field(
        label,
        *validators,
        max_chars=254,
        widget=EmailInput(),
        render_kw={"autocomplete": autocomplete, "spellcheck": "false"},
    )


# --- The error summary ----------------------------------------------------------------------------
# templates/_macros/forms.html `error_summary` lists every error above the form, each a link to its
# field (DKFDS's error summary; its JavaScript moves focus to the summary and from a link to the
# field).


def error_links(form: Form) -> list[dict]:
    """Every error of `form`, in the order the fields are rendered: a dict with `id` (the element
    a link should focus; None for errors that belong to no visible field), `label` and `message`.
    Errors of the form itself (`form.form_errors`) come first, without a link; fields inside a
    FieldList are linked by their own id and labelled with their entry's number."""
    found = [{"id": None, "label": None, "message": e} for e in getattr(form, "form_errors", [])]
    found.extend(_field_errors(form, None))
    return found


def _field_errors(fields, position):
    for f in fields:
        if isinstance(f, FormField):
            yield from _field_errors(f.form, position)
            yield from _plain_errors(f.form.form_errors, None, position)
        elif isinstance(f, FieldList):
            for number, entry in enumerate(f.entries, start=1):
                yield from _field_errors([entry], number)
            yield from _plain_errors(f.errors, None, position)
        else:
            hidden = isinstance(f.widget, HiddenInput)
            label = None if hidden else str(f.label.text)
            if label and position is not None:
                label = f"{label} ({position})"
            yield from _plain_errors(f.errors, None if hidden else _focus_id(f), position, label)


def _plain_errors(errors, target, position, label=None):
    # A FieldList's `errors` also holds its entries' errors (lists or dicts), walked above.
    for e in errors or ():
        if not isinstance(e, list | dict):
            yield {"id": target, "label": label, "message": str(e)}


def _focus_id(f: Field) -> str:
    """The id of the element that takes focus: a list of checkboxes or radio buttons is a <ul>
    with the field's id; its first option takes focus."""
    if isinstance(f.widget, ListWidget):
        first = next(iter(f), None)
        if first is not None:
            return first.id
    return f.id
