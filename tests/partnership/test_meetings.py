"""The partnership's meetings: the agenda built from the action plan, decisions that set an
initiative's status, follow-ups, the minutes PDF, the calendar file, invitations, and who may
reach what (app.partnership.meetings, app.access.partnership)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AgendaItemKind,
    AuditAction,
    AuditEvent,
    InitiativeNote,
    InitiativeStatus,
    MeetingStatus,
    PartnershipMeeting,
    Role,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _coordinator(world):
    return world.a.users[Role.PARTNERSHIP_COORDINATOR]


def _initiatives(world):
    """Overdue, due soon, due far ahead, done, and one in last year's plan."""
    plan = world.a.plan
    made = {
        "behind": factories.initiative(
            plan,
            world.a.school,
            title="Mentorer på skolen",
            status=InitiativeStatus.IN_PROGRESS,
            deadline=TODAY - timedelta(days=10),
        ),
        "soon": factories.initiative(
            plan, world.a.municipality, title="Fælles introdag", deadline=TODAY + timedelta(days=30)
        ),
        "later": factories.initiative(
            plan, world.a.school, title="Ny praktikguide", deadline=TODAY + timedelta(days=200)
        ),
        "done": factories.initiative(
            plan,
            world.a.school,
            title="Afsluttet kampagne",
            status=InitiativeStatus.DONE,
            deadline=TODAY - timedelta(days=5),
        ),
    }
    old = factories.action_plan(world.a.partnership, TODAY.year - 1)
    made["old"] = factories.initiative(
        old, world.a.school, title="Gammelt initiativ", deadline=TODAY - timedelta(days=400)
    )
    db.session.commit()
    return made


def _new_meeting(client, world, **fields) -> PartnershipMeeting:
    data = {"on_date": TODAY.isoformat(), "at_time": "13.30", "place": "Rådhuset, lokale 2"}
    data.update(fields)
    response = post(client, f"/partnership/{world.a.partnership.id}/meetings/new", data)
    assert response.status_code == 302, response.text
    meeting_id = int(re.search(r"/meetings/(\d+)/", response.headers["Location"])[1])
    return db.session.get(PartnershipMeeting, meeting_id)


def _url(meeting, tail: str = "") -> str:
    return f"/partnership/meetings/{meeting.id}{tail}"


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return re.sub(r"\s+", "", text)


# --- the agenda ----------------------------------------------------------------------------------


def test_new_meeting_gets_the_quarter_title_and_an_agenda_from_the_plan(
    client, db, world, login_as
):
    made = _initiatives(world)
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world, title="")
    quarter = (TODAY.month - 1) // 3 + 1
    assert meeting.title == f"Partnerskabsmøde {quarter}. kvartal {TODAY.year}"
    assert meeting.status == MeetingStatus.PLANNED
    lines = [i for i in meeting.agenda if i.kind == AgendaItemKind.INITIATIVE]
    # Overdue first, then due within three months; not the far one, the done one or last year's.
    assert [i.initiative_id for i in lines] == [made["behind"].id, made["soon"].id]
    assert any(i.kind == AgendaItemKind.FIGURES for i in meeting.agenda)
    page = client.get(_url(meeting)).text
    agenda = re.search(r'data-testid="agenda">(.*?)</ol>', page, re.S)[1]
    assert "Mentorer på skolen" in agenda and "bagud" in agenda
    assert "Fælles introdag" in agenda
    assert "Ny praktikguide" not in agenda and "Gammelt initiativ" not in agenda
    assert "Nøgletal" in agenda and 'href="/overview"' in agenda


def test_refreshing_keeps_written_items_and_follows_the_plan(client, db, world, login_as):
    made = _initiatives(world)
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/agenda"),
        {"kind": "case", "title": "SSA-elev, frafald ved overgang til 1. oplæringsperiode"},
    )
    assert response.status_code == 302
    made["soon"].status = InitiativeStatus.DONE
    factories.initiative(
        world.a.plan, world.a.school, title="Nyt initiativ", deadline=TODAY + timedelta(days=7)
    )
    db.session.commit()
    assert post(client, _url(meeting, "/agenda/refresh")).status_code == 302
    db.session.expire_all()
    titles = [i.title for i in meeting.agenda]
    assert "Fælles introdag" not in titles
    assert titles[:2] == ["Mentorer på skolen", "Nyt initiativ"]
    assert "SSA-elev, frafald ved overgang til 1. oplæringsperiode" in titles


def test_written_items_are_reordered_and_removed(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    for title in ("Punkt A", "Punkt B"):
        post(client, _url(meeting, "/agenda"), {"kind": "free", "title": title})
    db.session.expire_all()
    b = next(i for i in meeting.agenda if i.title == "Punkt B")
    post(client, _url(meeting, f"/agenda/{b.id}/move"), {"direction": "up"})
    db.session.expire_all()
    titles = [i.title for i in meeting.agenda]
    assert titles.index("Punkt B") < titles.index("Punkt A")
    post(client, _url(meeting, f"/agenda/{b.id}/delete"))
    db.session.expire_all()
    assert "Punkt B" not in [i.title for i in meeting.agenda]


def test_a_case_item_refuses_a_cpr_number_and_keeps_what_was_typed(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(client, _url(meeting, "/agenda"), {"kind": "case", "title": "Sag 010190-1234"})
    assert response.status_code == 200
    assert "Må ikke indeholde et CPR-nummer." in response.text
    assert "Sag 010190-1234" in response.text
    response = post(client, _url(meeting, "/agenda"), {"kind": "", "title": ""})
    assert "Vælg hvilken slags punkt det er." in response.text
    assert "Udfyld feltet." in response.text
    db.session.expire_all()
    assert not [i for i in meeting.agenda if i.kind == AgendaItemKind.CASE]


def test_the_agenda_of_a_held_meeting_is_not_changed(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    assert post(client, _url(meeting, "/held")).status_code == 302
    response = post(client, _url(meeting, "/agenda"), {"kind": "free", "title": "For sent"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Mødet er afholdt: dagsordenen kan ikke længere ændres." in page
    db.session.expire_all()
    assert meeting.status == MeetingStatus.HELD
    assert "For sent" not in [i.title for i in meeting.agenda]


def test_a_future_meeting_cannot_be_marked_held(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world, on_date=(TODAY + timedelta(days=20)).isoformat())
    page = client.get(post(client, _url(meeting, "/held")).headers["Location"]).text
    assert "Et møde kan ikke markeres som afholdt før mødedatoen." in page
    db.session.expire_all()
    assert meeting.status == MeetingStatus.PLANNED


def test_invalid_meeting_form_is_shown_in_danish(client, db, world, login_as):
    login_as(_coordinator(world))
    response = post(
        client,
        f"/partnership/{world.a.partnership.id}/meetings/new",
        {"on_date": "", "at_time": "25.00", "place": "<b>", "title": ""},
    )
    assert response.status_code == 200
    assert "Skriv en dato." in response.text
    assert "25.00" in response.text  # what was typed is kept
    assert (
        db.session.execute(
            select(PartnershipMeeting).where(
                PartnershipMeeting.partnership_id == world.a.partnership.id,
                PartnershipMeeting.place == "<b>",
            )
        ).first()
        is None
    )


# --- decisions and follow-ups --------------------------------------------------------------------


def test_a_decision_sets_the_initiatives_status_and_writes_a_progress_note(
    client, db, world, login_as
):
    made = _initiatives(world)
    initiative = made["behind"]
    version = initiative.version_id
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/decisions"),
        {
            "text": "Mentorordningen er gennemført.",
            "initiative": str(initiative.id),
            "new_status": "done",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert initiative.status == InitiativeStatus.DONE
    assert initiative.version_id == version + 1
    assert initiative.updated_by_id == _coordinator(world).id
    note = db.session.execute(
        select(InitiativeNote).where(InitiativeNote.initiative_id == initiative.id)
    ).scalar_one()
    assert note.text.startswith("Besluttet på partnerskabsmødet ")
    assert note.text.endswith(": Mentorordningen er gennemført.")
    assert note.noted_on == meeting.on_date
    audit = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "initiative",
            AuditEvent.object_id == initiative.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
    ).scalar_one()
    assert "status=in_progress->done" in audit.criterion
    page = client.get(f"/partnership/initiatives/{initiative.id}").text
    assert "Besluttet på partnerskabsmødet" in page and "Udført" in page


def test_a_decision_without_an_initiative_cannot_set_a_status(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/decisions"),
        {"text": "Vi lukker alt.", "initiative": "", "new_status": "dropped"},
    )
    assert response.status_code == 200
    assert "Vælg det initiativ, som beslutningen sætter status på." in response.text
    assert "Vi lukker alt." in response.text
    response = post(client, _url(meeting, "/decisions"), {"text": "", "initiative": ""})
    assert "Udfyld feltet." in response.text
    db.session.expire_all()
    assert meeting.decisions == []


def test_a_decision_on_another_partnerships_initiative_is_refused(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/decisions"),
        {"text": "Ja", "initiative": str(world.b.initiative.id), "new_status": "done"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert world.b.initiative.status == InitiativeStatus.PLANNED
    assert meeting.decisions == []


def test_follow_ups_are_added_and_marked_done(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/follow-ups"),
        {"text": "", "owner": "", "responsible_user": "", "deadline": ""},
    )
    assert response.status_code == 200
    assert "Vælg den organisation, der ejer indsatsen." in response.text
    assert "Skriv en dato." in response.text
    deadline = TODAY + timedelta(days=40)
    response = post(
        client,
        _url(meeting, "/follow-ups"),
        {
            "text": "Tal for frafald til næste møde",
            "owner": str(world.a.school.id),
            "responsible_user": "",
            "responsible_name": "Karen Lund",
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    (follow_up,) = meeting.follow_ups
    assert follow_up.responsible == "Karen Lund" and follow_up.deadline == deadline
    assert follow_up.done_at is None
    post(client, _url(meeting, f"/follow-ups/{follow_up.id}/done"))
    db.session.expire_all()
    assert follow_up.done_at is not None and follow_up.done_by_id == _coordinator(world).id
    page = client.get(_url(meeting)).text
    assert "Tal for frafald til næste møde" in page and "Genåbn" in page


def test_follow_up_owner_must_be_a_member(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(
        client,
        _url(meeting, "/follow-ups"),
        {"text": "X", "owner": str(world.b.school.id), "deadline": TODAY.isoformat()},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert meeting.follow_ups == []


# --- minutes, PDF, calendar file -----------------------------------------------------------------


def test_the_minutes_pdf_holds_minutes_decisions_and_follow_ups(client, db, world, login_as):
    made = _initiatives(world)
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    post(client, _url(meeting, "/minutes"), {"minutes": "Godt fremmøde.", "version": "1"})
    post(
        client,
        _url(meeting, "/decisions"),
        {"text": "Introdagen gennemføres.", "initiative": str(made["soon"].id), "new_status": ""},
    )
    post(
        client,
        _url(meeting, "/follow-ups"),
        {
            "text": "Book lokale",
            "owner": str(world.a.municipality.id),
            "deadline": TODAY.isoformat(),
        },
    )
    text = pdf_text(client.get(_url(meeting, "/minutes.pdf")))
    assert "Godtfremmøde." in text
    assert "Introdagengennemføres." in text
    assert "Booklokale" in text
    assert "Mentorerpåskolen" in text  # the agenda


def test_the_calendar_file_describes_the_meeting(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world, title="Kvartalsmøde")
    response = client.get(_url(meeting, "/meeting.ics"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.data.decode().replace("\r\n ", "")
    assert "BEGIN:VEVENT" in body
    assert f"SUMMARY:Kvartalsmøde – {world.a.partnership.name}" in body
    assert f"DTSTART;TZID=Europe/Copenhagen:{TODAY:%Y%m%d}T133000" in body
    assert "LOCATION:Rådhuset\\, lokale 2" in body
    assert "BEGIN:VTIMEZONE" in body


# --- invitations ---------------------------------------------------------------------------------


def test_invitations_default_to_everyone_and_show_the_invited_their_meeting(
    client, db, world, login_as
):
    coordinator = _coordinator(world)
    leader = world.a.users[Role.LEADER]
    login_as(coordinator)
    meeting = _new_meeting(client, world, on_date=(TODAY + timedelta(days=14)).isoformat())
    form = client.get(_url(meeting, "/invitations")).text
    assert form.count("checked") >= 2  # everyone, the first time
    response = post(client, _url(meeting, "/invitations"), {"invitees": [str(leader.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.invitees == [leader]
    assert "Dine kommende møder" not in client.get("/partnership/").text  # not invited
    post(client, "/logout")
    login(client, leader)
    page = client.get("/partnership/").text
    assert "Dine kommende møder" in page and meeting.title in page


def test_inviting_no_one_is_refused(client, db, world, login_as):
    login_as(_coordinator(world))
    meeting = _new_meeting(client, world)
    response = post(client, _url(meeting, "/invitations"), {})
    assert response.status_code == 200
    assert "Vælg mindst én person at invitere." in response.text


# --- who may reach what --------------------------------------------------------------------------


def test_a_leader_reads_the_meeting_but_cannot_change_it(client, db, world, login_as):
    meeting = world.a.partnership_meeting
    login_as(world.a.users[Role.LEADER])
    page = client.get(_url(meeting))
    assert page.status_code == 200 and meeting.title in page.text
    assert "Registrer beslutning" not in page.text and "Rediger møde" not in page.text
    assert client.get(_url(meeting, "/minutes.pdf")).status_code == 200
    assert client.get(_url(meeting, "/edit")).status_code == 403
    response = post(client, _url(meeting, "/decisions"), {"text": "Nej"})
    assert response.status_code == 403
    assert post(client, _url(meeting, "/held")).status_code == 403
    db.session.expire_all()
    assert meeting.decisions == [] and meeting.status == MeetingStatus.PLANNED


def test_another_partnerships_users_get_404(client, db, world, login_as):
    meeting = world.a.partnership_meeting
    login_as(world.b.users[Role.PARTNERSHIP_COORDINATOR])
    for tail in ("", "/minutes.pdf", "/meeting.ics", "/edit", "/invitations"):
        assert client.get(_url(meeting, tail)).status_code == 404, tail
    assert post(client, _url(meeting, "/decisions"), {"text": "X"}).status_code == 404
    assert client.get(f"/partnership/{world.a.partnership.id}/meetings").status_code == 404
    # Nor does their index list the meeting, even if they were on its invitation list.
    meeting.invitees = [world.b.users[Role.PARTNERSHIP_COORDINATOR]]
    db.session.commit()
    assert meeting.title not in client.get("/partnership/").text


def test_the_partnership_page_lists_upcoming_and_past_meetings_and_the_list_pages(
    client, db, world, login_as
):
    partnership = world.a.partnership
    for n in range(25):
        factories.partnership_meeting(
            partnership,
            on=TODAY - timedelta(days=100 + n),
            title=f"Gammelt møde {n:02d}",
            status=MeetingStatus.HELD,
        )
    db.session.commit()
    login_as(world.analyst)
    page = client.get(f"/partnership/{partnership.id}").text
    upcoming = re.search(r'data-testid="upcoming-meetings">(.*?)</ul>', page, re.S)[1]
    past = re.search(r'data-testid="past-meetings">(.*?)</ul>', page, re.S)[1]
    assert world.a.partnership_meeting.title in upcoming
    assert "Gammelt møde 00" in past and "Gammelt møde 05" not in past  # the newest five
    assert 'data-testid="all-meetings"' in page
    first = client.get(f"/partnership/{partnership.id}/meetings").text
    second = client.get(f"/partnership/{partnership.id}/meetings?past=2").text
    assert "Gammelt møde 19" in first and "Gammelt møde 20" not in first
    assert "Gammelt møde 20" in second and "Gammelt møde 24" in second
