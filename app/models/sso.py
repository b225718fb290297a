"""Single sign-on: an organisation's OpenID Connect provider (app.auth.sso).

One row per organisation. Its staff log in through the provider (an identity broker for MitID
Erhverv, or the organisation's own Entra ID) instead of with a password; accounts are matched
by verified e-mail to users already invited into the organisation, never created.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.organisation import Organisation

DEFAULT_SCOPES = "openid email profile"


class OrganisationSso(Base):
    __tablename__ = "organisation_sso"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    # The provider's name on the login button, e.g. "MitID Erhverv".
    provider_name: Mapped[str] = mapped_column(String(80))
    # The issuer; its discovery document is at <issuer>/.well-known/openid-configuration.
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    # Never shown back in a form (app.admin.sso).
    client_secret: Mapped[str] = mapped_column(String(500))
    scopes: Mapped[str] = mapped_column(String(200), default=DEFAULT_SCOPES)
    # Password login is refused for staff whose every organisation requires single sign-on.
    required: Mapped[bool] = mapped_column(default=False)
    # The provider asks for a second factor itself (MitID Erhverv always does).
    provider_mfa: Mapped[bool] = mapped_column(default=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def __repr__(self) -> str:
        return f"<OrganisationSso {self.organisation_id} {self.provider_name!r}>"
