# ruff: noqa: E501 - one goal per line reads best
"""The training goals (oplæringsmål) of each programme, seeded into a new installation.

The texts are short paraphrases of the goals in the education orders, numbered as there; an
admin edits the wording and the required levels in the app. Levels: B begynder, R rutineret,
A avanceret, one letter per training period of the programme (SSH 2, SSA 3, PA 2).
"""

from __future__ import annotations

SSH_GOALS = [
    (
        "Eleven kan planlægge, udføre og evaluere personlig og praktisk hjælp ud fra borgerens ressourcer og behov.",
        "RA",
    ),
    ("Eleven kan arbejde rehabiliterende og støtte borgerens hverdagsmestring.", "RA"),
    ("Eleven kan anvende velfærdsteknologi og hjælpemidler i samarbejde med borgeren.", "BR"),
    (
        "Eleven kan observere og reagere på ændringer i borgerens fysiske, psykiske og sociale tilstand.",
        "RA",
    ),
    ("Eleven kan dokumentere sine observationer og handlinger efter gældende regler.", "RA"),
    ("Eleven kan kommunikere respektfuldt og etisk med borgere, pårørende og kolleger.", "RA"),
    ("Eleven kan arbejde med forebyggelse af smitte og følge hygiejniske retningslinjer.", "RA"),
    ("Eleven kan anvende forflytningsteknik og ergonomiske principper.", "RA"),
    ("Eleven kan understøtte borgerens sundhed, kost, bevægelse og trivsel.", "BR"),
    ("Eleven kan medvirke ved håndtering af medicin efter delegation.", "BR"),
    ("Eleven kan støtte borgere med demens og anvende relevante kommunikationsformer.", "BR"),
    ("Eleven kan samarbejde tværfagligt og videregive relevante oplysninger.", "RA"),
    (
        "Eleven kan handle efter lovgivning om tavshedspligt, magtanvendelse og selvbestemmelse.",
        "RA",
    ),
    ("Eleven kan planlægge og strukturere egne arbejdsopgaver.", "RA"),
    ("Eleven kan støtte borgeren i at indgå i sociale fællesskaber og aktiviteter.", "BR"),
    ("Eleven kan reflektere over egen praksis og tage ansvar for egen læring.", "RA"),
]

SSA_GOALS = [
    (
        "Eleven kan planlægge, udføre og evaluere sygepleje ud fra borgerens/patientens behov.",
        "BRA",
    ),
    (
        "Eleven kan observere, vurdere og handle på ændringer i borgerens/patientens tilstand.",
        "BRA",
    ),
    ("Eleven kan anvende triagering og tidlig opsporing.", "BRA"),
    ("Eleven kan håndtere medicin efter gældende regler og delegation.", "BRA"),
    (
        "Eleven kan udføre sygeplejefaglige opgaver som sårpleje, sondeernæring og kateterpleje.",
        "BRA",
    ),
    ("Eleven kan arbejde rehabiliterende og sundhedsfremmende.", "BRA"),
    ("Eleven kan kommunikere professionelt, også i konfliktfyldte situationer.", "BRA"),
    ("Eleven kan dokumentere sygepleje i elektroniske journaler.", "BRA"),
    ("Eleven kan koordinere og sikre sammenhæng i borgerens/patientens forløb.", "BRA"),
    ("Eleven kan vejlede borgere, pårørende og kolleger.", "BRA"),
    ("Eleven kan arbejde med psykiatriske problemstillinger og recovery.", "BRA"),
    ("Eleven kan handle ved akutte situationer og yde førstehjælp.", "BRA"),
    ("Eleven kan forebygge og håndtere smitte og infektioner.", "BRA"),
    ("Eleven kan anvende velfærdsteknologi og digitale løsninger i sygeplejen.", "BRA"),
    ("Eleven kan arbejde med palliation og pleje af den døende borger.", "BRA"),
    (
        "Eleven kan handle efter lovgivning om patientsikkerhed, tavshedspligt og magtanvendelse.",
        "BRA",
    ),
    ("Eleven kan indgå i tværsektorielt og tværprofessionelt samarbejde.", "BRA"),
    ("Eleven kan planlægge og prioritere egne og andres arbejdsopgaver.", "BRA"),
    ("Eleven kan arbejde med kvalitetsudvikling og utilsigtede hændelser.", "BRA"),
    ("Eleven kan reflektere over egen faglighed og etik.", "BRA"),
]

PA_GOALS = [
    ("Eleven kan planlægge, gennemføre og evaluere pædagogiske aktiviteter.", "RA"),
    ("Eleven kan skabe relationer og kommunikere anerkendende med børn, unge og voksne.", "RA"),
    ("Eleven kan understøtte leg, læring og udvikling.", "RA"),
    ("Eleven kan arbejde med inklusion og fællesskaber.", "BR"),
    ("Eleven kan understøtte sprog og kommunikation.", "RA"),
    ("Eleven kan arbejde med sundhed, bevægelse og kost.", "BR"),
    ("Eleven kan observere og dokumentere og bruge det i det pædagogiske arbejde.", "RA"),
    ("Eleven kan samarbejde med forældre, pårørende og kolleger.", "RA"),
    ("Eleven kan handle ved bekymring for et barns trivsel efter gældende regler.", "BR"),
    ("Eleven kan støtte mennesker med særlige behov i hverdagen.", "BR"),
    ("Eleven kan anvende digitale medier og teknologi pædagogisk.", "BR"),
    ("Eleven kan reflektere over egen praksis og tage ansvar for egen læring.", "RA"),
]

GOALS = {"SSH": SSH_GOALS, "SSA": SSA_GOALS, "PA": PA_GOALS, "EUX_PA": PA_GOALS}
LEVEL_CODES = {"B": "beginner", "R": "routined", "A": "advanced"}
