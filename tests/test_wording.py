"""What the interface says: column headers, statuses and page footers in the reader's language,
programme names instead of internal codes."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from tests import factories
from tests.conftest import login, post


def _pdf_text(response) -> str:
    assert response.status_code == 200
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_the_support_csv_has_one_header_per_column(client, world):
    side = world.a
    login(client, side.users[factories.Role.COUNSELLOR])
    response = client.get(f"/students/{side.student.id}/support.csv")
    header = next(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert len(header) == len(set(header)), header
    assert header[:2] == ["Registrering", "Type"]


def test_pdf_page_numbers_follow_the_chosen_language(client, world):
    side = world.a
    login(client, side.users[factories.Role.COUNSELLOR])
    url = f"/students/{side.student.id}/support.pdf"
    assert "Side 1 af 1" in _pdf_text(client.get(url))
    post(client, "/language", {"language": "en", "next": "/"})
    english = _pdf_text(client.get(url))
    assert "Page 1 of 1" in english
    assert "Side 1" not in english


def test_an_open_warning_is_shown_as_open_not_as_the_verb(client, world):
    side = world.a
    login(client, side.users[factories.Role.SUPERVISOR])
    html = client.get(
        f"/students/{side.student.id}/periods/{side.training_period.id}/training"
    ).get_data(as_text=True)
    assert 'data-status="open">Åben<' in html
    assert ">Åbn<" not in html


def test_action_item_status_open_is_an_adjective_in_danish(app):
    from app import labels
    from app.models import ActionItemStatus

    with app.test_request_context("/"):
        assert str(labels.ACTION_ITEM_STATUS[ActionItemStatus.OPEN]) == "Åben"


def test_filters_name_programmes_not_their_codes(client, world):
    factories.programme("EUX_PA").name = "EUX pædagogisk assistent"
    factories.db.session.commit()
    login(client, world.a.users[factories.Role.COUNSELLOR])
    html = client.get("/students/").get_data(as_text=True)
    assert ">EUX PA – EUX pædagogisk assistent</option>" in html
    assert "EUX_PA<" not in html and "EUX_PA " not in html


def test_the_overview_names_programmes_not_their_codes(client, world):
    eux = factories.programme("EUX_PA")
    eux.name = "EUX pædagogisk assistent"
    world.a.student.programme_id = world.a.student.enrolments[0].programme_id = eux.id
    factories.db.session.commit()
    login(client, world.analyst)
    html = client.get("/overview").get_data(as_text=True)
    assert "EUX PA" in html
    assert "EUX_PA" not in html


def test_a_plan_of_one_period_is_not_one_periods(app):
    from app.labels import describe
    from app.models import CaseEvent, CaseEventKind

    with app.test_request_context(headers={"Accept-Language": "da"}):
        one = CaseEvent(
            kind=CaseEventKind.PLAN_CREATED, details={"start": "2026-08-03", "periods": 1}
        )
        seven = CaseEvent(
            kind=CaseEventKind.PLAN_CREATED, details={"start": "2026-08-03", "periods": 7}
        )
        assert "(én periode fra 3. aug. 2026)" in describe(one)
        assert "(7 perioder fra 3. aug. 2026)" in describe(seven)
