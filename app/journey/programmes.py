"""The programmes and their standard plans, as seeded into a new installation.

These are starting points from docs/domain.md ("The student's journey"). Admins edit the templates
in the app; a template change never alters a student's existing plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import PeriodKind, Programme, ProgrammeLevel, TemplatePeriod, TrainingArea

S, T = PeriodKind.SCHOOL, PeriodKind.TRAINING
A = TrainingArea


@dataclass(frozen=True)
class Step:
    kind: PeriodKind
    title: str
    weeks: int
    area: TrainingArea | None = None
    number: int | None = None  # which training period of the education (training steps)


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    level: ProgrammeLevel
    steps: tuple[Step, ...]

    @property
    def weeks(self) -> int:
        return sum(step.weeks for step in self.steps)


# Pædagogisk assistent and its EUX variant share the training periods and the last school period.
_PA_TRAINING_1 = Step(T, "Oplæringsperiode 1 – dagtilbud for børn", 28, A.DAY_CARE, 1)
_PA_TRAINING_2 = Step(T, "Oplæringsperiode 2 – voksne med særlige behov", 28, A.SPECIAL_NEEDS, 2)
_PA_LAST_SCHOOL = Step(S, "Skoleperiode 3", 20)

PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    ProgrammeSpec("GF1", "Grundforløb 1", ProgrammeLevel.BASIC, (Step(S, "Grundforløb 1", 20),)),
    ProgrammeSpec("GF2", "Grundforløb 2", ProgrammeLevel.BASIC, (Step(S, "Grundforløb 2", 20),)),
    # 1 year 2 months: two training periods, each split A/B around a school period.
    ProgrammeSpec(
        "SSH",
        "Social- og sundhedshjælper",
        ProgrammeLevel.MAIN,
        (
            Step(S, "Skoleperiode 1", 8),
            Step(T, "Oplæringsperiode 1A – hjemmepleje", 10, A.HOME_CARE, 1),
            Step(S, "Skoleperiode 2", 4),
            Step(T, "Oplæringsperiode 1B – hjemmepleje", 10, A.HOME_CARE, 1),
            Step(S, "Skoleperiode 3", 6),
            Step(T, "Oplæringsperiode 2A – plejecenter", 10, A.CARE_HOME, 2),
            Step(S, "Skoleperiode 4", 3),
            Step(T, "Oplæringsperiode 2B – plejecenter", 10, A.CARE_HOME, 2),
        ),
    ),
    # 2 years 9 months 3 weeks: three training periods.
    ProgrammeSpec(
        "SSA",
        "Social- og sundhedsassistent",
        ProgrammeLevel.MAIN,
        (
            Step(S, "Skoleperiode 1", 10),
            Step(T, "Oplæringsperiode 1 – kommunal sundhed og omsorg", 40, A.LOCAL_HEALTH_CARE, 1),
            Step(S, "Skoleperiode 2", 13),
            Step(T, "Oplæringsperiode 2 – psykiatri", 18, A.PSYCHIATRY, 2),
            Step(S, "Skoleperiode 3", 12),
            Step(T, "Oplæringsperiode 3 – somatik", 40, A.HOSPITAL_SOMATICS, 3),
            Step(S, "Skoleperiode 4", 10),
        ),
    ),
    # 2 years 1½ months: at least three school periods and two training periods.
    ProgrammeSpec(
        "PA",
        "Pædagogisk assistent",
        ProgrammeLevel.MAIN,
        (
            Step(S, "Skoleperiode 1", 14),
            _PA_TRAINING_1,
            Step(S, "Skoleperiode 2", 20),
            _PA_TRAINING_2,
            _PA_LAST_SCHOOL,
        ),
    ),
    # EUX adds upper-secondary subjects: a long first school period, then the same training.
    ProgrammeSpec(
        "EUX_PA",
        "EUX pædagogisk assistent",
        ProgrammeLevel.MAIN,
        (
            Step(S, "Skoleperiode 1 (EUX-fag)", 40),
            _PA_TRAINING_1,
            Step(S, "Skoleperiode 2 (EUX-fag)", 40),
            _PA_TRAINING_2,
            _PA_LAST_SCHOOL,
        ),
    ),
)


def ensure_programmes() -> dict[str, Programme]:
    """Create the programmes and their templates where missing. Safe to run again.

    A programme that already has template periods keeps them: an admin may have edited them.
    """
    existing = {p.code: p for p in db.session.execute(select(Programme)).scalars()}
    for spec in PROGRAMMES:
        programme = existing.get(spec.code)
        if programme is None:
            programme = Programme(
                code=spec.code, name=spec.name, level=spec.level, duration_weeks=spec.weeks
            )
            db.session.add(programme)
            existing[spec.code] = programme
            db.session.flush()
        has_template = db.session.execute(
            select(TemplatePeriod.id).where(TemplatePeriod.programme_id == programme.id).limit(1)
        ).first()
        if not has_template:
            db.session.add_all(
                TemplatePeriod(
                    programme_id=programme.id,
                    position=n,
                    kind=step.kind,
                    title=step.title,
                    weeks=step.weeks,
                    training_area=step.area,
                    training_number=step.number,
                )
                for n, step in enumerate(spec.steps, start=1)
            )
    db.session.flush()
    return existing
