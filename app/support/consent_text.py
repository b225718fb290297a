"""The consent text: what the student agrees to, per category, in plain words. Versioned.

Every consent records the version of this text it was given under (`Consent.text_version`),
whether the student gave it in the app or staff recorded it from a signed paper form. When the
meaning of the text changes (what a category covers, who receives it), raise
CONSENT_TEXT_VERSION: consents already given keep the version they were given under.

The texts are English here and Danish in the translations (messages.po).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.models import ConsentCategory

CONSENT_TEXT_VERSION = "2026-1"


@dataclass(frozen=True)
class CategoryText:
    category: ConsentCategory
    # What data the category covers.
    covers: str
    # A rule of its own, if any (health data only with support needs).
    condition: str = ""


CATEGORY_TEXTS: tuple[CategoryText, ...] = (
    CategoryText(
        ConsentCategory.SUPPORT_NEEDS,
        _l(
            "The support needs your school has recorded about you, for example dyslexia or "
            "Danish as a second language, with their descriptions, and the support that is not "
            "SPS, for example a mentor or extra guidance."
        ),
        _l(
            "Support needs that are health information are not included: they need your "
            "consent to health information as well."
        ),
    ),
    CategoryText(
        ConsentCategory.SPS,
        _l(
            "Your special educational support (SPS): what you have been granted and how it is "
            "used, for example an IT package with a laptop and AppWriter, study-support hours, "
            "instruction hours, an interpreter or help with notes."
        ),
    ),
    CategoryText(
        ConsentCategory.HEALTH,
        _l(
            "Support needs that are health information, for example ADHD, autism, a mental "
            "illness, a hearing or sight impairment or a chronic illness, with their "
            "descriptions."
        ),
        _l(
            "Health information is shared only together with your support needs: it needs "
            "your consent to support needs to the same organisation as well."
        ),
    ),
)

# What holds for every category.
RECIPIENT = _l(
    "You choose the organisation: the municipality or region you have a training agreement "
    "with. Its training coordinators, and the practice supervisors at the workplace where you "
    "are in training, see the information while they are involved in your training."
)
WITHOUT_CONSENT = _l(
    "Without your consent they see only that you have agreed support and whom to contact at "
    "the school."
)
WITHDRAWAL = _l(
    "You can withdraw your consent at any time, here or by telling your counsellor. It takes "
    "effect at once: from then on the organisation no longer sees the information."
)
VALIDITY = _l(
    "A consent you give here applies from today until you withdraw it. It ends if you change "
    "school, or if you start a new programme without a training agreement with that "
    "organisation."
)


def category_text(category: ConsentCategory) -> CategoryText:
    return next(t for t in CATEGORY_TEXTS if t.category == category)
