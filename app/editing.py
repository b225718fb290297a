"""Saving a form's change: rule errors shown at their field, concurrent edits refused.

Shared by every area that edits a student's case (plan, handovers, support).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db


class RuleError(ValueError):
    """A change that breaks a rule of the case. `field` names the form field to show it at."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class StaleEdit(Exception):
    """Someone else saved the same object after this person opened it."""


def check_version(obj, seen_version: int | None) -> None:
    """Refuse a save from a form opened on an older version of `obj` (None: a new object, or
    a form that carries no version)."""
    if obj is not None and seen_version is not None and obj.version_id != seen_version:
        raise StaleEdit()


def stale(form, url: str):
    """Someone saved in between: say so and reload with what is stored now."""
    db.session.rollback()
    flash(
        _(
            "Someone else changed this while you were editing. Your changes were not saved; "
            "the page now shows the current version."
        ),
        "error",
    )
    return redirect(url)


def field_error(form, error: RuleError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def save(form, change: Callable[[], object], *, stale_url: str, done: str, redirect_to):
    """Run `change` and commit. Returns the response to send, or None to show the form again.

    A save from a form opened on an older version is refused with a reload (nothing is
    overwritten); a broken rule is shown next to its field, with what was typed kept.
    """
    try:
        change()
        db.session.commit()
    except (StaleEdit, StaleDataError):
        return stale(form, stale_url)
    except RuleError as error:
        db.session.rollback()
        field_error(form, error)
        return None
    flash(done, "success")
    return redirect_to


# --- form pages (training, journey) -----------------------------------------------------------


def submit(form, change: Callable[[], object], *, stale_url: str, done: str, redirect_to):
    """`save` a valid post of `form`. None when there is nothing to save (a GET, an invalid
    post) or a rule was broken: the caller shows the form (again)."""
    if not form.validate_on_submit():
        return None
    return save(form, change, stale_url=stale_url, done=done, redirect_to=redirect_to)


# --- creating: the change returns what it made, for the page to go to ------------------------


def create(form, make: Callable[[], object]):
    """Run `make` and commit; return what it made, or None with the broken rule shown next to
    its field (nothing is saved, what was typed is kept)."""
    try:
        made = make()
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        field_error(form, error)
        return None
    return made
