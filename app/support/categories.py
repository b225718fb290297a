"""The support-need categories of docs/domain.md, seeded once; admins keep the list afterwards."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import SupportCategory

# (code, Danish name, English name, health data under GDPR art. 9)
DEFAULT_CATEGORIES = [
    ("dyslexia", "Ordblindhed (dysleksi)", "Dyslexia", False),
    ("dyscalculia", "Talblindhed (dyskalkuli)", "Dyscalculia", False),
    ("adhd", "ADHD", "ADHD", True),
    ("autism", "Autisme", "Autism", True),
    ("mental_illness", "Psykisk sygdom", "Mental illness", True),
    ("hearing", "Hørenedsættelse", "Hearing impairment", True),
    ("sight", "Synsnedsættelse", "Sight impairment", True),
    ("mobility", "Bevægelseshandicap", "Mobility impairment", True),
    ("chronic_illness", "Kronisk sygdom", "Chronic illness", True),
    ("danish_second_language", "Dansk som andetsprog", "Danish as a second language", False),
    ("social", "Sociale eller personlige forhold", "Social or personal circumstances", False),
    ("academic", "Faglige udfordringer", "Academic difficulties", False),
]


def ensure_support_categories() -> int:
    """Add the default categories that are missing (by code); never changes existing ones."""
    existing = set(db.session.execute(select(SupportCategory.code)).scalars())
    added = 0
    for position, (code, name, name_en, health) in enumerate(DEFAULT_CATEGORIES, start=1):
        if code not in existing:
            db.session.add(
                SupportCategory(
                    code=code, name=name, name_en=name_en, health_data=health, position=position
                )
            )
            added += 1
    db.session.flush()
    return added
