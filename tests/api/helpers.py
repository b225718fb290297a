"""API clients for tests: made through the same service as the admin page."""

from __future__ import annotations

from app.api.clients import create_client
from app.extensions import db
from app.models import Role


def make_client(side, role: Role = Role.COUNSELLOR, scopes=("read", "write"), name=None):
    """(client, headers) for a new client of `side`'s school (school roles) or municipality."""
    organisation = (
        side.municipality
        if role in {Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN}
        else side.school
    )
    creator = side.users[
        Role.SCHOOL_ADMIN if organisation is side.school else Role.MUNICIPALITY_ADMIN
    ]
    client, token = create_client(
        organisation, name or f"System {role.value}", role, list(scopes), creator
    )
    db.session.commit()
    return client, {"Authorization": f"Bearer {token}"}
