"""The retention pages: the rules (every admin reads, the system admin edits within the
allowed range), and a student's legal hold (the school admin sets and lifts it, with a
reason, in the case history and the access log)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    LegalHold,
    RetentionKind,
    RetentionRule,
    Role,
)
from app.retention import services
from tests.conftest import post
from tests.retention.helpers import freeze, left


def test_every_admin_reads_the_rules_and_the_last_run(client, login_as, world, db, monkeypatch):
    left(world.a.student, date.today())
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    for user in (world.system_admin, world.a.users[Role.SCHOOL_ADMIN]):
        page = login_as(user).get("/admin/retention")
        assert page.status_code == 200
        text = page.text
        assert "SPS-materiale" in text and "5 år" in text and "183 dage" in text
        assert 'data-testid="rule-case_content"' in text
        client.get("/logout")
    assert (
        "Rediger"
        not in login_as(world.a.users[Role.MUNICIPALITY_ADMIN])
        .get("/admin/retention")
        .text.split("<main")[-1]
        .split('data-testid="retention-rules"')[1]
    )


def test_the_system_admin_changes_a_rule_within_its_range(login_as, world, db):
    client = login_as(world.system_admin)
    page = client.get("/admin/retention/sps_material/edit")
    assert page.status_code == 200
    version = db.session.execute(
        select(RetentionRule.version_id).where(RetentionRule.kind == RetentionKind.SPS_MATERIAL)
    ).scalar_one()
    for bad, message in (
        ("4", "mellem 5 og 20"),
        ("", "Skriv et helt tal"),
        ("fem", "Skal være et helt tal"),
    ):
        response = post(
            client, "/admin/retention/sps_material/edit", {"keep": bad, "version": version}
        )
        assert response.status_code == 200, bad
        assert message in response.text, (bad, response.text[:200])
    response = post(client, "/admin/retention/sps_material/edit", {"keep": "7", "version": version})
    assert response.status_code == 302
    rule = db.session.execute(
        select(RetentionRule).where(RetentionRule.kind == RetentionKind.SPS_MATERIAL)
    ).scalar_one()
    assert rule.keep == 7 and rule.updated_by_id == world.system_admin.id
    page = client.get("/admin/retention")
    assert f"af {world.system_admin.name}" in page.text.split('data-testid="rule-sps_material"')[1]
    assert db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "retention_rule",
            AuditEvent.criterion == "sps_material: 5 -> 7",
        )
    ).scalar_one()
    # The access log's range is in days.
    response = post(client, "/admin/retention/access_log/edit", {"keep": "30", "version": 1})
    assert "mellem 90 og 3650" in response.text
    assert client.get("/admin/retention/no_such_kind/edit").status_code == 404


def test_a_stale_rule_edit_is_refused(login_as, world, db):
    client = login_as(world.system_admin)
    client.get("/admin/retention/case_content/edit")
    response = post(client, "/admin/retention/case_content/edit", {"keep": "6", "version": 99})
    assert response.status_code == 302
    assert (
        db.session.execute(
            select(RetentionRule.keep).where(RetentionRule.kind == RetentionKind.CASE_CONTENT)
        ).scalar_one()
        == 5
    )


def test_the_school_admin_sets_and_lifts_a_legal_hold(login_as, world, db):
    student = world.a.student
    admin = world.a.users[Role.SCHOOL_ADMIN]
    client = login_as(admin)
    show = client.get(f"/students/{student.id}")
    assert 'data-testid="legal-hold-link"' in show.text
    assert 'data-testid="legal-hold-active"' not in show.text

    response = post(client, f"/students/{student.id}/legal-hold", {"reason": "   "})
    assert (
        response.status_code == 200 and "Udfyld feltet" in response.text
    ) or "skal udfyldes" in response.text
    assert db.session.execute(select(LegalHold)).first() is None

    response = post(client, f"/students/{student.id}/legal-hold", {"reason": "Klagesag 2026-17"})
    assert response.status_code == 302
    hold = db.session.execute(select(LegalHold)).scalar_one()
    assert (hold.reason, hold.set_by_id, hold.lifted_at) == ("Klagesag 2026-17", admin.id, None)
    show = client.get(f"/students/{student.id}")
    assert 'data-testid="legal-hold-active"' in show.text
    kinds = (
        db.session.execute(select(CaseEvent.kind).where(CaseEvent.student_id == student.id))
        .scalars()
        .all()
    )
    assert CaseEventKind.LEGAL_HOLD_SET in kinds
    assert db.session.execute(
        select(AuditEvent).where(
            AuditEvent.student_id == student.id,
            AuditEvent.user_id == admin.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
    ).first()
    # A second hold while one is in force: refused with a message.
    post(client, f"/students/{student.id}/legal-hold", {"reason": "Igen"})
    assert len(db.session.execute(select(LegalHold)).all()) == 1

    response = post(client, f"/students/{student.id}/legal-hold/lift")
    assert response.status_code == 302
    db.session.expire_all()
    hold = db.session.execute(select(LegalHold)).scalar_one()
    assert hold.lifted_at is not None and hold.lifted_by_id == admin.id
    assert (
        CaseEventKind.LEGAL_HOLD_LIFTED
        in db.session.execute(select(CaseEvent.kind).where(CaseEvent.student_id == student.id))
        .scalars()
        .all()
    )
    assert 'data-testid="legal-hold-active"' not in client.get(f"/students/{student.id}").text


def test_staff_see_that_a_hold_is_in_force_but_not_its_reason(login_as, world, db):
    db.session.add(LegalHold(student_id=world.a.student.id, reason="Retssag om erstatning"))
    db.session.commit()
    page = login_as(world.a.users[Role.COUNSELLOR]).get(f"/students/{world.a.student.id}")
    assert 'data-testid="legal-hold-active"' in page.text
    assert "Retssag" not in page.text
    assert 'data-testid="legal-hold-link"' not in page.text


def test_an_anonymised_student_shows_as_such(login_as, world, db, monkeypatch):
    left(world.a.student, date.today())
    db.session.commit()
    name = world.a.student.full_name
    freeze(monkeypatch)
    services.run(dry_run=False)
    page = login_as(world.a.users[Role.COUNSELLOR]).get(f"/students/{world.a.student.id}")
    assert page.status_code == 200
    assert "Anonymiseret elev" in page.text and name not in page.text
    assert 'data-testid="anonymised-notice"' in page.text


def test_a_legal_hold_page_view_is_in_the_access_log(login_as, world, db):
    student = world.a.student
    login_as(world.a.users[Role.SCHOOL_ADMIN]).get(f"/students/{student.id}/legal-hold")
    assert db.session.execute(
        select(AuditEvent).where(
            AuditEvent.student_id == student.id, AuditEvent.action == AuditAction.VIEW
        )
    ).first()


def test_the_prune_audit_log_alias_runs_the_access_log_rule(runner, db, monkeypatch):
    from datetime import UTC, datetime

    from tests.retention.helpers import TODAY

    db.session.add_all(
        [
            AuditEvent(
                action=AuditAction.VIEW,
                student_id=1,
                at=datetime.combine(TODAY - timedelta(days=184), datetime.min.time(), UTC),
            ),
            AuditEvent(
                action=AuditAction.VIEW,
                student_id=2,
                at=datetime.combine(TODAY - timedelta(days=100), datetime.min.time(), UTC),
            ),
        ]
    )
    db.session.commit()
    freeze(monkeypatch)
    result = runner.invoke(args=["prune-audit-log", "--dry-run"])
    assert "Would delete 1 access-log rows older than 183 days." in result.output
    result = runner.invoke(args=["prune-audit-log"])
    assert "Deleted 1 access-log rows older than 183 days." in result.output
    assert (
        db.session.execute(select(AuditEvent.student_id).where(AuditEvent.student_id == 1)).first()
        is None
    )


def test_the_demo_data_has_a_legal_hold_set_by_the_school_admin(runner, db):
    from app.models import User

    result = runner.invoke(args=["demo-data", "--students", "20"])
    assert result.exit_code == 0, result.output
    hold = db.session.execute(select(LegalHold)).scalar_one()
    admin = db.session.execute(
        select(User).where(User.email == "skoleadmin@demo.elevsag.dk")
    ).scalar_one()
    assert hold.set_by_id == admin.id and hold.lifted_at is None
    assert len(db.session.execute(select(RetentionRule)).all()) == len(RetentionKind)


def test_the_legal_hold_page_runs_the_same_queries_however_many_holds(
    login_as, world, db, count_queries
):
    from datetime import UTC, datetime

    student = world.a.student
    client = login_as(world.a.users[Role.SCHOOL_ADMIN])
    url = f"/students/{student.id}/legal-hold"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        db.session.add(
            LegalHold(
                student_id=student.id,
                reason=f"Sag {n}",
                set_by_id=world.a.users[Role.SCHOOL_ADMIN].id,
                lifted_at=datetime.now(UTC),
                lifted_by_id=world.a.users[Role.SCHOOL_ADMIN].id,
            )
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(url)
    assert "Sag 4" in page.text
    assert many.count == few.count


def test_an_anonymised_students_pages_open_without_the_old_name(login_as, world, db, monkeypatch):
    """The case pages of an anonymised student still work (nothing refers to what is gone),
    and none shows the old name or number."""
    student = world.a.student
    left(student, date.today())
    db.session.commit()
    secrets = (student.last_name, student.student_number)
    freeze(monkeypatch)
    services.run(dry_run=False)
    counsellor = login_as(world.a.users[Role.COUNSELLOR])
    paths = [
        "",
        "/history",
        "/case-file",
        "/support",
        "/goals",
        f"/periods/{world.a.training_period.id}/training",
        f"/handovers/{world.a.training_period.id}",
    ]
    for path in paths:
        page = counsellor.get(f"/students/{student.id}{path}")
        assert page.status_code == 200, path
        assert not any(s in page.text for s in secrets), path
    listing = counsellor.get("/students/?status=dropped_out")
    assert listing.status_code == 200 and secrets[0] not in listing.text
