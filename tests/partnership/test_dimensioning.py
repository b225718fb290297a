"""The partnership's dimensioning: agreed places, agreements made, the gap and the qualified GF2
completers waiting, per member employer and year, against hand-computed numbers; the form the
coordinator enters the agreed places on; the CSV; who may see and change it; and the small-number
suppression of the waiting count (app.partnership.dimensioning)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.models import (
    AgreedPlaces,
    AgreementKind,
    AuditAction,
    AuditEvent,
    Enrolment,
    Organisation,
    OrganisationKind,
    Partnership,
    PlaceKind,
    Role,
    Student,
    StudentStatus,
)
from app.partnership.dimensioning import (
    UNATTRIBUTED,
    agreed_places,
    dimensioning,
    fingerprint,
)
from tests import factories
from tests.conftest import login, post

YEAR = 2025
SSA, SSH = PlaceKind.SSA, PlaceKind.SSH


@dataclass
class Setup:
    partnership: Partnership
    anchor: Organisation  # municipality, the anchor
    other: Organisation  # a second member municipality
    region: Organisation
    school: Organisation
    outsider_school: Organisation  # not a member
    outsider_employer: Organisation  # not a member


def _setup(db) -> Setup:
    anchor = factories.organisation(OrganisationKind.MUNICIPALITY, "Aakommune")
    other = factories.organisation(OrganisationKind.MUNICIPALITY, "Bekommune")
    region = factories.organisation(OrganisationKind.REGION, "Region Test")
    school = factories.organisation(OrganisationKind.SCHOOL, "SOSU Test")
    outsider_school = factories.organisation(OrganisationKind.SCHOOL, "SOSU Ude")
    outsider_employer = factories.organisation(OrganisationKind.MUNICIPALITY, "Udekommune")
    partnership = factories.partnership("Partnerskab Test", anchor, other, region, school)
    db.session.commit()
    return Setup(partnership, anchor, other, region, school, outsider_school, outsider_employer)


def _student(school, code: str, start: date, **enrolment) -> Student:
    """A student whose first enrolment is `code` from `start` (fields of the enrolment given)."""
    s = factories.student(school, code)
    first = s.enrolments[0]
    first.start_date = start
    for name, value in enrolment.items():
        setattr(first, name, value)
    return s


def _enrol(s: Student, code: str, start: date, school=None) -> Enrolment:
    e = Enrolment(
        student_id=s.id,
        programme=factories.programme(code),
        school_id=(school or s.school).id,
        start_date=start,
    )
    s.enrolments.append(e)
    return e


def _main(school, code: str, employer, start: date, kind=AgreementKind.TRAINING) -> Student:
    """A student in `code` from `start`, with an agreement of `kind` with `employer` from then."""
    s = _student(school, code, start)
    factories.agreement(s, employer, start=start, kind=kind)
    return s


def _qualified_gf2(school, end: date, **fields) -> Student:
    defaults = {"status": StudentStatus.COMPLETED, "end_date": end, "qualified": True}
    return _student(school, "GF2", date(end.year - 1, 8, 15), **(defaults | fields))


def _agreed(db, setup: Setup, values: dict) -> None:
    for (org, kind), n in values.items():
        db.session.add(
            AgreedPlaces(
                partnership_id=setup.partnership.id,
                organisation_id=org.id,
                year=YEAR,
                kind=kind,
                agreed=n,
            )
        )
    db.session.commit()


def _made(setup: Setup) -> None:
    """Agreements made, by hand: the anchor SSA 2 and SSH 1, the other municipality SSA 2, the
    region SSA 1 in YEAR; the rest is outside the definition."""
    s, a, o, r = setup.school, setup.anchor, setup.other, setup.region
    _main(s, "SSA", a, date(YEAR, 2, 1))
    _main(s, "SSA", a, date(YEAR, 8, 1))
    _main(s, "SSH", a, date(YEAR, 3, 1))
    _main(s, "SSA", a, date(YEAR - 1, 12, 31))  # last year
    _main(s, "SSA", a, date(YEAR + 1, 1, 1))  # next year
    _main(s, "SSA", o, date(YEAR, 12, 31))  # the last day counts
    _main(s, "PA", o, date(YEAR, 5, 1))  # not SSA or SSH
    _main(s, "SSA", o, date(YEAR, 5, 1), kind=AgreementKind.TRIAL_EMPLOYMENT)  # no agreement
    _main(s, "SSA", setup.outsider_employer, date(YEAR, 5, 1))  # not a member
    _main(s, "SSA", r, date(YEAR, 6, 1))
    # GF2 completed as qualified, then SSA with the other municipality: made, and not waiting.
    went_on = _qualified_gf2(s, date(YEAR, 1, 31))
    _enrol(went_on, "SSA", date(YEAR, 2, 1))
    factories.agreement(went_on, o, start=date(YEAR, 2, 1))
    # An agreement while the student is only in GF2 (no main-course enrolment): no programme.
    gf2_only = _student(s, "GF2", date(YEAR, 1, 10))
    factories.agreement(gf2_only, o, start=date(YEAR, 1, 10))


def _waiting(setup: Setup) -> None:
    """Waiting, by hand: 5 attributed to the anchor, 6 not attributed."""
    s, a, end = setup.school, setup.anchor, date(YEAR, 6, 20)
    for _ in range(5):  # an ansættelsesforløb with the anchor
        w = _qualified_gf2(s, end)
        factories.agreement(w, a, start=date(YEAR, 7, 1), kind=AgreementKind.TRIAL_EMPLOYMENT)
    for _ in range(5):  # no agreement at all
        _qualified_gf2(s, end)
    # The latest agreement is with an employer outside the partnership: not attributed.
    w = _qualified_gf2(s, end)
    factories.agreement(
        w, setup.outsider_employer, start=date(YEAR, 7, 1), kind=AgreementKind.TRIAL_EMPLOYMENT
    )
    # Not waiting:
    _qualified_gf2(s, end, qualified=False)
    _qualified_gf2(s, date(YEAR - 1, 12, 31))  # completed last year
    _qualified_gf2(setup.outsider_school, end)  # not at a member school
    _student(s, "GF1", date(YEAR - 1, 8, 1), status=StudentStatus.COMPLETED, end_date=end,
             qualified=True)  # fmt: skip
    _qualified_gf2(s, end, status=StudentStatus.DROPPED_OUT)
    with_agreement = _qualified_gf2(s, end)  # an agreement, the SSA enrolment not yet recorded
    factories.agreement(with_agreement, a, start=date(YEAR + 1, 1, 5))
    later_main = _qualified_gf2(s, end)  # started SSH (not an agreement in Elevsag)
    _enrol(later_main, "SSH", date(YEAR, 8, 10))


def _full(db) -> Setup:
    setup = _setup(db)
    _made(setup)
    _waiting(setup)
    _agreed(db, setup, {(setup.anchor, SSA): 3, (setup.anchor, SSH): 0, (setup.other, SSA): 1})
    return setup


def _line(table, org):
    return next(line for line in table.lines if line.organisation is org)


def test_agreed_made_waiting_and_gap_against_hand_computed_numbers(db):
    setup = _full(db)
    table = dimensioning(setup.partnership, YEAR)
    names = [line.organisation.name if line.organisation else None for line in table.lines]
    assert names == ["Aakommune", "Bekommune", "Region Test", None]

    anchor = _line(table, setup.anchor)
    assert (anchor.agreed[SSA], anchor.made[SSA], anchor.gap(SSA)) == (3, 2, 1)
    assert (anchor.agreed[SSH], anchor.made[SSH], anchor.gap(SSH)) == (0, 1, -1)
    assert anchor.waiting.shown == 5

    other = _line(table, setup.other)
    assert (other.agreed[SSA], other.made[SSA], other.gap(SSA)) == (1, 2, -1)
    assert (other.agreed[SSH], other.made[SSH], other.gap(SSH)) == (None, 0, None)
    assert other.waiting.shown == 0

    region = _line(table, setup.region)
    assert (region.agreed[SSA], region.made[SSA], region.gap(SSA)) == (None, 1, None)
    assert region.waiting.shown == 0

    unattributed = table.lines[-1]
    assert unattributed.waiting.shown == 6
    assert unattributed.made == {SSA: None, SSH: None} and unattributed.gap(SSA) is None

    total = table.total
    assert (total.agreed[SSA], total.made[SSA], total.gap(SSA)) == (4, 5, -1)
    assert (total.agreed[SSH], total.made[SSH], total.gap(SSH)) == (0, 1, -1)
    assert total.waiting.shown == 11
    # Another year has none of it.
    empty = dimensioning(setup.partnership, YEAR - 2)
    assert empty.total.made == {SSA: 0, SSH: 0} and empty.total.waiting.shown == 0


def _user(db, role: Role, org: Organisation):
    user = factories.user(role, org)
    db.session.commit()
    return user


def _coordinator(setup: Setup):
    return factories.user(Role.PARTNERSHIP_COORDINATOR, setup.anchor)


def _cell(page: str, row: str, column: str) -> str:
    match = re.search(
        rf'data-testid="row-{row}">.*?data-testid="{column}">(.*?)</td>', page, re.DOTALL
    )
    assert match, (row, column)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_page_shows_the_table_for_the_year_chosen(client, db):
    setup = _full(db)
    login(client, _user(db, Role.LEADER, setup.school))
    page = client.get(f"/partnership/{setup.partnership.id}/dimensioning?year={YEAR}").text
    a = setup.anchor.id
    assert _cell(page, str(a), "agreed-SSA") == "3"
    assert _cell(page, str(a), "made-SSA") == "2"
    assert _cell(page, str(a), "gap-SSH") == "−1"
    assert _cell(page, str(a), "waiting") == "5"
    assert _cell(page, str(setup.region.id), "agreed-SSA") == "–"
    assert _cell(page, "unattributed", "waiting") == "6"
    assert _cell(page, "total", "made-SSA") == "5"
    assert _cell(page, "total", "waiting") == "11"
    assert "Dimensionering 2025" in page
    assert 'data-testid="edit-dimensioning"' not in page  # a leader only reads
    # A year that is not a year shows this year, not an error.
    for bad in ("abc", "99999", "-5"):
        other_year = client.get(f"/partnership/{setup.partnership.id}/dimensioning?year={bad}")
        assert other_year.status_code == 200
        assert f"Dimensionering {date.today().year}" in other_year.text


def test_csv_has_the_same_figures(client, db):
    setup = _full(db)
    login(client, _user(db, Role.ANALYST, setup.other))
    response = client.get(f"/partnership/{setup.partnership.id}/dimensioning.csv?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Arbejdsgiver",
        "SSA aftalt",
        "SSA indgået",
        "SSA difference",
        "SSH aftalt",
        "SSH indgået",
        "SSH difference",
        "Kvalificerede, venter",
    ]
    assert rows[1] == ["Aakommune", "3", "2", "1", "0", "1", "-1", "5"]
    assert rows[3] == ["Region Test", "", "1", "", "", "0", "", "0"]
    assert rows[4] == ["Ikke henført til et medlem", "", "", "", "", "", "", "6"]
    assert rows[5] == ["I alt", "4", "5", "-1", "0", "1", "-1", "11"]
    export = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).scalar_one()
    assert export.object_type == "partnership" and export.criterion == f"dimensioning year={YEAR}"


# --- small numbers ------------------------------------------------------------------------------


def _waiting_at(setup: Setup, employer, n: int) -> None:
    for _ in range(n):
        w = _qualified_gf2(setup.school, date(YEAR, 6, 20))
        if employer is not None:
            factories.agreement(
                w, employer, start=date(YEAR, 7, 1), kind=AgreementKind.TRIAL_EMPLOYMENT
            )


def test_a_small_waiting_count_is_hidden_and_the_total_does_not_give_it_away(client, db):
    setup = _setup(db)
    _waiting_at(setup, setup.anchor, 3)
    _waiting_at(setup, setup.other, 6)
    _waiting_at(setup, None, 5)
    db.session.commit()
    table = dimensioning(setup.partnership, YEAR)
    anchor, other = _line(table, setup.anchor), _line(table, setup.other)
    assert anchor.waiting.hidden
    # The visible figures must not pin the hidden one: the total less the visible cells is the
    # sum of at least two hidden cells, or the total is hidden.
    hidden = [line for line in table.lines if line.waiting.hidden]
    assert table.total.waiting.hidden or len(hidden) >= 2
    visible = sum(line.waiting.value for line in table.lines if not line.waiting.hidden)
    assert not (not table.total.waiting.hidden and len(hidden) == 1)
    assert not other.waiting.hidden and other.waiting.shown == 6  # 6 is not small
    # The page and the CSV show "x" in the same places, never the 3.
    login(client, _user(db, Role.LEADER, setup.school))
    page = client.get(f"/partnership/{setup.partnership.id}/dimensioning?year={YEAR}").text
    assert _cell(page, str(setup.anchor.id), "waiting") == "x"
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    f"/partnership/{setup.partnership.id}/dimensioning.csv?year={YEAR}"
                ).text.lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    waiting = {row[0]: row[-1] for row in rows[1:]}
    assert waiting["Aakommune"] == "x"
    shown = [int(v) for k, v in waiting.items() if k != "I alt" and v != "x"]
    assert visible == sum(shown)
    if waiting["I alt"] != "x":
        assert sum(1 for k, v in waiting.items() if k != "I alt" and v == "x") >= 2


def test_a_single_small_count_hides_the_total_too(db):
    setup = _setup(db)
    _waiting_at(setup, setup.anchor, 2)
    db.session.commit()
    table = dimensioning(setup.partnership, YEAR)
    assert _line(table, setup.anchor).waiting.hidden
    assert table.total.waiting.hidden
    assert _line(table, setup.other).waiting.shown == 0  # zeros are shown


# --- the form ----------------------------------------------------------------------------------


def _url(setup: Setup) -> str:
    return f"/partnership/{setup.partnership.id}/dimensioning/edit?year={YEAR}"


def _fields(setup: Setup, **values) -> dict:
    """The form as the browser sends it, opened on what is stored now."""
    data = {f"{k.value.lower()}_{o.id}": "" for o in (setup.anchor, setup.other, setup.region)
            for k in PlaceKind}  # fmt: skip
    data["seen"] = fingerprint(agreed_places(setup.partnership.id, YEAR))
    data.update(values)
    return data


def _stored(db, setup: Setup) -> dict:
    rows = db.session.execute(
        select(AgreedPlaces).where(AgreedPlaces.partnership_id == setup.partnership.id)
    ).scalars()
    return {(r.organisation_id, r.kind, r.year): r.agreed for r in rows}


def test_coordinator_enters_changes_and_clears_agreed_places_audited(client, db):
    setup = _setup(db)
    coordinator = _coordinator(setup)
    db.session.commit()
    login(client, coordinator)
    a, o = setup.anchor.id, setup.other.id
    page = client.get(_url(setup)).text
    assert f'name="ssa_{a}"' in page and f'name="ssh_{setup.region.id}"' in page
    assert f'name="ssa_{setup.school.id}"' not in page  # a school has no places
    response = post(client, _url(setup), _fields(setup, **{f"ssa_{a}": "12", f"ssh_{a}": "0",
                                                            f"ssa_{o}": " 7 "}))  # fmt: skip
    assert response.status_code == 302
    assert f"year={YEAR}" in response.headers["Location"]
    assert _stored(db, setup) == {(a, SSA, YEAR): 12, (a, SSH, YEAR): 0, (o, SSA, YEAR): 7}
    row = db.session.execute(
        select(AgreedPlaces).where(AgreedPlaces.organisation_id == a, AgreedPlaces.kind == SSA)
    ).scalar_one()
    assert row.updated_by_id == coordinator.id
    # The form shows what is stored; a change and a cleared field.
    page = client.get(_url(setup)).text
    assert re.search(rf'name="ssa_{a}"[^>]*value="12"', page)
    post(client, _url(setup), _fields(setup, **{f"ssa_{a}": "14", f"ssh_{a}": "0"}))
    assert _stored(db, setup) == {(a, SSA, YEAR): 14, (a, SSH, YEAR): 0}
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.criterion, AuditEvent.user_id)
        .where(AuditEvent.object_type == "agreed_places")
        .order_by(AuditEvent.id)
    ).all()
    code_a, code_o = setup.anchor.code, setup.other.code
    assert [(e.action, e.criterion) for e in events] == [
        (AuditAction.CREATE, f"{YEAR} SSA {code_a}: -->12"),
        (AuditAction.CREATE, f"{YEAR} SSH {code_a}: -->0"),
        (AuditAction.CREATE, f"{YEAR} SSA {code_o}: -->7"),
        (AuditAction.UPDATE, f"{YEAR} SSA {code_a}: 12->14"),
        (AuditAction.DELETE, f"{YEAR} SSA {code_o}: 7->-"),
    ]
    assert {e.user_id for e in events} == {coordinator.id}


@pytest.mark.parametrize(
    "typed",
    ["abc", "-1", "10001", "2,5", "1.000", "³", "9999999999999999999999", "<b>7</b>", "\x007"],
)
def test_a_bad_number_is_refused_in_danish_next_to_its_field_and_kept(client, db, typed):
    setup = _setup(db)
    login(client, _user(db, Role.PARTNERSHIP_COORDINATOR, setup.anchor))
    a = setup.anchor.id
    response = post(client, _url(setup), _fields(setup, **{f"ssa_{a}": typed, f"ssh_{a}": "4"}))
    assert response.status_code == 200
    page = response.text
    assert re.search(
        rf'data-testid="error-ssa_{a}"><span class="sr-only">Fejl:</span>'
        r"Skriv et helt tal fra 0 til 10000\.</span>\s*<input[^>]*"
        rf'name="ssa_{a}"',
        page,
    )
    assert f'data-testid="error-ssh_{a}"' not in page
    assert 'data-testid="error-summary"' in page
    kept = escape(typed.replace("\x00", ""))
    assert re.search(rf'name="ssa_{a}"[^>]*value="{re.escape(kept)}"', page)
    assert "<b>7" not in page
    assert re.search(rf'name="ssh_{a}"[^>]*value="4"', page)
    assert _stored(db, setup) == {}


def test_the_highest_number_is_accepted(client, db):
    setup = _setup(db)
    login(client, _user(db, Role.PARTNERSHIP_COORDINATOR, setup.anchor))
    a = setup.anchor.id
    assert post(client, _url(setup), _fields(setup, **{f"ssa_{a}": "10000"})).status_code == 302
    assert _stored(db, setup) == {(a, SSA, YEAR): 10000}


# --- access -------------------------------------------------------------------------------------


def test_who_reads_and_who_enters(client, db):
    setup = _setup(db)
    elsewhere = factories.organisation(OrganisationKind.MUNICIPALITY, "Fjernkommune")
    factories.partnership("Andet partnerskab", elsewhere)
    db.session.commit()
    pid = setup.partnership.id
    table, sheet = f"/partnership/{pid}/dimensioning", f"/partnership/{pid}/dimensioning.csv"
    readers = [
        factories.user(Role.LEADER, setup.school),
        factories.user(Role.ANALYST, setup.region),
        factories.user(Role.PARTNERSHIP_COORDINATOR, setup.other),  # not at the anchor
    ]
    coordinator = _coordinator(setup)
    outsiders = [
        factories.user(Role.PARTNERSHIP_COORDINATOR, elsewhere),
        factories.user(Role.LEADER, elsewhere),
    ]
    db.session.commit()
    for user in readers:
        login(client, user)
        assert client.get(table).status_code == 200
        assert 'data-testid="edit-dimensioning"' not in client.get(table).text
        assert client.get(sheet).status_code == 200
        assert client.get(_url(setup)).status_code == 403
        assert post(client, _url(setup), _fields(setup)).status_code == 403
        post(client, "/logout")
    login(client, coordinator)
    assert 'data-testid="edit-dimensioning"' in client.get(table).text
    assert client.get(_url(setup)).status_code == 200
    show = client.get(f"/partnership/{pid}").text
    assert f'href="/partnership/{pid}/dimensioning"' in show
    post(client, "/logout")
    for user in outsiders:
        login(client, user)
        assert client.get(table).status_code == 404
        assert client.get(sheet).status_code == 404
        # The form is the coordinators': a leader is refused by role before anything is read.
        refused = {404} if user.has_role(Role.PARTNERSHIP_COORDINATOR) else {403}
        assert client.get(_url(setup)).status_code in refused
        assert post(client, _url(setup), _fields(setup)).status_code in refused
        post(client, "/logout")
    assert _stored(db, setup) == {}


# --- a fixed number of statements ---------------------------------------------------------------


def test_the_page_runs_a_fixed_number_of_statements(client, db, count_queries):
    setup = _setup(db)
    login(client, _user(db, Role.LEADER, setup.school))
    url = f"/partnership/{setup.partnership.id}/dimensioning?year={YEAR}"
    _waiting_at(setup, setup.anchor, 1)
    _main(setup.school, "SSA", setup.anchor, date(YEAR, 3, 1))
    db.session.commit()
    client.get(url)
    with count_queries() as few:
        client.get(url)
    _waiting_at(setup, setup.anchor, 12)
    _waiting_at(setup, setup.other, 7)
    _waiting_at(setup, None, 9)
    for n in range(15):
        _main(setup.school, "SSH" if n % 2 else "SSA", setup.other, date(YEAR, 3, 1 + n))
    db.session.commit()
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count
    assert few.count <= 12, few.statements
    assert UNATTRIBUTED not in {o.id for o in setup.partnership.members}


def test_demo_has_agreed_places_this_year_and_last(runner, db, client):
    result = runner.invoke(args=["demo-data", "--students", "40"])
    assert result.exit_code == 0, result.output
    partnership = db.session.execute(select(Partnership)).scalar_one()
    this = date.today().year
    years = db.session.execute(
        select(AgreedPlaces.year, AgreedPlaces.kind).where(
            AgreedPlaces.partnership_id == partnership.id
        )
    ).all()
    employers = [m for m in partnership.members if m.kind.is_employer]
    for year in (this - 1, this):
        for kind in PlaceKind:
            assert sum(1 for y, k in years if (y, k) == (year, kind)) == len(employers)
    from app.demo_data import DEMO_PASSWORD
    from app.models import User

    coordinator = db.session.execute(
        select(User).where(User.email == "partnerskab@demo.elevsag.dk")
    ).scalar_one()
    login(client, coordinator, DEMO_PASSWORD)
    page = client.get(f"/partnership/{partnership.id}/dimensioning").text
    assert f"Dimensionering {this}" in page
    assert 'data-testid="edit-dimensioning"' in page


def test_a_save_after_someone_else_changed_the_numbers_is_refused(client, db):
    setup = _setup(db)
    login(client, _user(db, Role.PARTNERSHIP_COORDINATOR, setup.anchor))
    a = setup.anchor.id
    opened = _fields(setup)  # the form as it was opened: nothing stored
    _agreed(db, setup, {(setup.anchor, SSA): 9})  # a colleague saves meanwhile
    response = post(client, _url(setup), opened | {f"ssa_{a}": "3"})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(setup))
    assert _stored(db, setup) == {(a, SSA, YEAR): 9}
    page = client.get(_url(setup)).text
    assert "En anden har ændret dette, mens du redigerede." in page
    assert re.search(rf'name="ssa_{a}"[^>]*value="9"', page)
