"""The mail outbox, for the system administrator: what was mailed to which address, whether it
went, and why not. A failed message can be sent again.

The list never shows what a message says (it holds no case content anyway, docs/mail.md); in
development (MAIL_OUTBOX_SHOWS_CONTENT) it does, with a "send now" button, so a newcomer sees
what would be mailed without an SMTP server.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import access
from app.access.roles import system_admin_only
from app.admin import bp
from app.extensions import db
from app.forms import BaseForm, ButtonForm, enum_field
from app.mail import queue
from app.mail.delivery import deliver_due
from app.models import MailStatus, OutboxMessage
from app.models.base import utcnow
from app.pagination import paginate

MAIL_STATUS = {
    MailStatus.QUEUED: _l("Waiting to be sent"),
    MailStatus.SENDING: _l("Being sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
}


class OutboxFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = enum_field(_l("Status"), MAIL_STATUS, default="", blank=_l("All"))


@bp.route("/outbox")
@system_admin_only
def outbox():
    form = OutboxFilterForm(request.args)
    query = select(OutboxMessage)
    if form.validate():
        if form.status.data:
            query = query.where(OutboxMessage.status == form.status.data)
    else:
        query = query.where(False)
    page = paginate(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        current_app.config["ADMIN_ROWS_PER_PAGE"],
        entities=True,
    )
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        statuses=MAIL_STATUS,
        failed=MailStatus.FAILED,
        button=ButtonForm(),
        show_content=access.admin.can_read_outbox_content(current_user),
    )


def _back():
    """To the outbox page the button was on (its filter and page)."""
    return redirect(url_for("admin.outbox", **request.args.to_dict()))


@bp.route("/outbox/<int:message_id>/send-again", methods=["POST"])
@system_admin_only
def send_mail_again(message_id: int):
    message = access.admin.get_outbox_message_or_404(message_id, current_user)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if message.status != MailStatus.FAILED:
        flash(_("Only a failed message can be sent again."), "error")
        return _back()
    message.status = MailStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = ""
    queue.remember(db.session(), message)
    db.session.commit()
    flash(_("The message is queued and will be sent again."), "success")
    return _back()


@bp.route("/outbox/send-now", methods=["POST"])
@system_admin_only
def send_outbox_now():
    access.admin.require_outbox_content(current_user)
    if not ButtonForm().validate_on_submit():
        abort(400)
    sent = deliver_due()
    flash(_("%(count)s message(s) sent.", count=sent), "success")
    return _back()
