"""Shared form pieces: a base form that speaks Danish, and validators used across areas."""

from __future__ import annotations

import re

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, FieldList, Form, FormField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

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


class BaseForm(FlaskForm):
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
