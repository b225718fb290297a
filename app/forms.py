"""Shared form pieces: a base form that speaks Danish, and validators used across areas."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app import dates


class _Translations:
    """WTForms asks for gettext/ngettext; hand it the app's own catalogue.

    WTForms ships no Danish messages, so its built-in ones ("Not a valid date value.") are
    translated in our own messages.po.
    """

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


_TRANSLATIONS = _Translations()


def _drop_nul(value):
    """NUL bytes are never meaningful in a form, and PostgreSQL refuses them in text."""
    return value.replace("\x00", "") if isinstance(value, str) else value


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


class BaseForm(_CprCheck, FlaskForm):
    class Meta:
        def get_translations(self, form: Form) -> _Translations:
            return _TRANSLATIONS

        def bind_field(self, form: Form, unbound_field, options: dict):
            # Every field drops NUL bytes before any validator or query sees the value.
            # (Lists of subforms take no filters; their own fields get theirs.)
            if issubclass(unbound_field.field_class, FieldList | FormField):
                return unbound_field.bind(form=form, **options)
            filters = [_drop_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options, filters=filters)


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


# Markup and template syntax (< > { }) have no place in names, numbers or addresses. Rejecting them
# gives the person a clear message instead of storing text that looks like an attack.
_MARKUP = re.compile(r"[<>{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(form: Form, field: Field) -> None:
    if field.data and _MARKUP.search(str(field.data)):
        raise ValidationError(_l("Must not contain the characters < > { } or control characters."))


def required(message=None) -> DataRequired:
    return DataRequired(message=message or _l("Please fill in this field."))


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


def text_field(label, *validators, multiline: bool = False, **kwargs) -> Field:
    """The one way forms ask for text: a line (or, with `multiline`, a text area) whose
    surrounding whitespace is trimmed, so "  " counts as empty."""
    field_class = TextAreaField if multiline else StringField
    return field_class(label, filters=[strip], validators=list(validators), **kwargs)


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
