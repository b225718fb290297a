"""The main menu comes from access.nav_sections, decided from the user's roles."""

from app.access.nav import nav_sections
from app.models import Role


class FakeUser:
    is_authenticated = True

    def __init__(self, *roles: Role):
        self.roles = frozenset(roles)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


def test_each_role_sees_the_sections_its_pages_are_open_to():
    assert nav_sections(FakeUser(Role.COUNSELLOR)) == {
        "students",
        "transitions",
        "follow_ups",
        "from_training",
        "reviews",
    }
    assert nav_sections(FakeUser(Role.SUPERVISOR)) == {"students", "reviews", "starting_soon"}
    assert nav_sections(FakeUser(Role.ANALYST)) == {"overview"}
    assert nav_sections(FakeUser(Role.SYSTEM_ADMIN)) == {"admin"}
    assert nav_sections(FakeUser(Role.SCHOOL_ADMIN)) == {
        "students",
        "transitions",
        "reviews",
        "admin",
    }


def test_no_sections_when_logged_out():
    class Anonymous:
        is_authenticated = False

    assert nav_sections(Anonymous()) == frozenset()
