"""The main menu comes from access.nav_sections, decided from the user's roles."""

from app.access.nav import nav_sections, overview_parts
from app.models import Role


class FakeUser:
    is_authenticated = True

    def __init__(self, *roles: Role):
        self.roles = frozenset(roles)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


def test_each_role_sees_the_sections_its_pages_are_open_to():
    assert nav_sections(FakeUser(Role.COUNSELLOR)) == {
        "my_overview",
        "students",
        "transitions",
        "follow_ups",
        "from_training",
        "at_risk",
        "reviews",
        "imports",
    }
    assert nav_sections(FakeUser(Role.SUPERVISOR)) == {
        "my_overview",
        "students",
        "reviews",
        "starting_soon",
    }
    assert nav_sections(FakeUser(Role.ANALYST)) == {"overview", "partnership"}
    assert nav_sections(FakeUser(Role.SYSTEM_ADMIN)) == {"admin", "partnership"}
    # The partnership's own roles: the partnership and its aggregate figures, no case pages.
    assert nav_sections(FakeUser(Role.PARTNERSHIP_COORDINATOR)) == {"overview", "partnership"}
    assert nav_sections(FakeUser(Role.LEADER)) == {"overview", "partnership"}
    assert nav_sections(FakeUser(Role.SCHOOL_ADMIN)) == {
        "my_overview",
        "students",
        "transitions",
        "reviews",
        "admin",
        "imports",
        "access_log",
    }
    # The data-protection adviser: the access log and nothing else.
    assert nav_sections(FakeUser(Role.DATA_PROTECTION)) == {"access_log"}
    assert "access_log" in nav_sections(FakeUser(Role.MUNICIPALITY_ADMIN))
    assert "access_log" not in nav_sections(FakeUser(Role.SYSTEM_ADMIN))
    assert "imports" in nav_sections(FakeUser(Role.TRAINING_COORDINATOR))
    assert "imports" not in nav_sections(FakeUser(Role.TEACHER))
    assert "imports" not in nav_sections(FakeUser(Role.SUPERVISOR))
    # "Elever med risikotegn": counsellors, contact teachers and training coordinators.
    assert "at_risk" in nav_sections(FakeUser(Role.TEACHER))
    assert "at_risk" in nav_sections(FakeUser(Role.TRAINING_COORDINATOR))
    assert "at_risk" not in nav_sections(FakeUser(Role.MUNICIPALITY_ADMIN))


def test_no_sections_when_logged_out():
    class Anonymous:
        is_authenticated = False

    assert nav_sections(Anonymous()) == frozenset()


def test_my_overview_has_the_parts_of_each_roles_work():
    assert overview_parts(FakeUser(Role.SUPERVISOR)) == [
        "notes_to_write",
        "notes_to_acknowledge",
        "action_items",
        "reviews",
        "starting_soon",
    ]
    assert {"follow_ups", "warnings", "concerns", "transitions"} <= set(
        overview_parts(FakeUser(Role.TEACHER))
    )
    assert "follow_ups" not in overview_parts(FakeUser(Role.TRAINING_COORDINATOR))
    assert overview_parts(FakeUser(Role.ANALYST)) == []
