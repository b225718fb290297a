"""Requests for a conversation from students (app.me): the list of the counsellor or contact
teacher asked, and marking one handled. Access: app.access.me."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import access
from app.access import roles_required
from app.access.roles import SCHOOL_CONTACT_ROLES
from app.extensions import db
from app.forms import ButtonForm
from app.history import log
from app.models import CaseEventKind, ConversationRequest, Student
from app.models.base import utcnow
from app.pagination import paginate
from app.students import bp

school_contacts = roles_required(*SCHOOL_CONTACT_ROLES)


@bp.route("/conversations")
@school_contacts
def conversations():
    """The open requests addressed to me, oldest first."""
    query = (
        access.me.my_conversation_requests(current_user)
        .options(joinedload(ConversationRequest.student).joinedload(Student.programme))
        .order_by(ConversationRequest.created_at, ConversationRequest.id)
    )
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    return render_template("students/conversations.html", page=page, form=ButtonForm())


@bp.route("/conversations/<int:request_id>/handled", methods=["POST"])
@school_contacts
def conversation_handled(request_id: int):
    request = access.me.get_conversation_request_or_404(request_id)
    if ButtonForm().validate_on_submit() and request.handled_at is None:
        request.handled_at = utcnow()
        request.handled_by_id = current_user.id
        log(request.student, CaseEventKind.CONVERSATION_HANDLED, current_user)
        db.session.commit()
        flash(_("The request was marked as handled."), "success")
    return redirect(url_for("students.conversations"))
