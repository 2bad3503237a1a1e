"""A heading line that names a sub-model of the car whole ("**Taycan Cross Turismo:**"), and
the words that end a car's name in a title ("Toyota Camry Specifications")."""

from __future__ import annotations

import re

from ingest.specs.cars import Hit, slug

# "Toyota Camry – Specifications", "Venue Brochure": where a title stops naming the car
TITLE_END = re.compile(
    r"\s*(?:[-–—:|(（,]|\b(?:specifications?|specs|technical|data ?sheet|brochure|overview|"
    r"owner'?s|manual|review|guide)\b)",
    re.IGNORECASE,
)


# "**Taycan Cross Turismo:**": a heading line of the car's name and up to three title-case
# words or codes after it, nothing else
_WORD = r"(?:[A-Z][A-Za-z0-9+-]*|\d[A-Za-z0-9+-]*)"
# a numbered label before the name ("DEAL 2: HYUNDAI EXTER SX CNG", "Lot 112 — 2023 …")
_LABEL = r"(?:[A-Za-z]+\.?[ \t]*\d+[ \t]*[-–—:|.][ \t]*)?"
_LABELLED = re.compile(rf"[ \t#*]*{_LABEL}")
_HEADING_REST = re.compile(
    rf"[ \t]+(?P<rest>{_WORD}(?:[ \t]+{_WORD}){{0,2}})[ \t]*(?:\*\*)?:?(?:\*\*)?[ \t]*$",
    re.MULTILINE,
)

# a heading's last word that groups variants ("**Golf GTI Trims:**") or names a topic
GROUP_WORDS = re.compile(
    r"\b(?:trims|models|options|variants|versions|engines|features|specs|specifications|"
    r"pricing|prices|colou?rs)$",
    re.IGNORECASE,
)


def heading_sub_model(text: str, hit: Hit) -> str | None:
    """The sub-model a heading line names whole ("**Taycan Cross Turismo:**"), or None."""
    line_start = text.rfind("\n", 0, hit.start) + 1
    if _LABELLED.fullmatch(text, line_start, hit.start) is None:
        return None  # words before the car's name: not a heading of its sub-model
    m = _HEADING_REST.match(text, hit.end)
    if m is None or TITLE_END.match(" " + m.group("rest")) or GROUP_WORDS.search(m.group("rest")):
        return None  # "**Golf GTI Trims:**" groups variants, names none
    written = text[hit.start : hit.end].split()
    model = written[-1] if hit.brand or len(written) == 1 else " ".join(written)
    return f"{model} {m.group('rest')}"


def model_words(text: str, hit: Hit) -> str:
    """The model's words of the name `hit` writes: its make's words left out ("Hyundai Santa
    Fe" → "Santa Fe", "Land Rover Defender" → "Defender"); a name without its make whole."""
    written = text[hit.start : hit.end].split()
    make = set(hit.brand.split("-")) | {hit.brand}
    while len(written) > 1 and slug(written[0]) in make:
        written = written[1:]
    return " ".join(written)


# a heading's version after the car's name: a model year before the name ("2025 Hyundai Santa
# Fe Calligraphy AWD"), or a figure in it ("Renault 5 E-Tech electric 150hp Iconic Five")
# a numbered label may open it ("Lot 112 — 2023 Lotus Emira V6", a catalogue's lot)
_YEAR_BEFORE = re.compile(rf"[ \t#*]*{_LABEL}(?:19|20)\d\d[ \t]+$")
_OPEN = re.compile(r"[ \t#*]*$")
_TRIM_REST = re.compile(r"[ \t]+([^\W_][\w.+/-]*(?:[ \t]+[^\W_][\w.+/-]*){0,5})[ \t*]*:?[ \t*]*$")
_DRIVE_WORDS = re.compile(
    r"(?:[ \t]+(?:AWD|FWD|RWD|4WD|2WD|4x4|4x2|4MATIC|xDrive|quattro))+$", re.IGNORECASE
)
_FIGURE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[A-Za-z]*(?![\w.])")  # "150hp", "02", "2.0"
_GRAMMAR = re.compile(r"\b(?:and|or|vs|versus|the|of|in|for|with|to|on|at|by|is|are)\b")


def heading_trim(heading: str, hit: Hit) -> str | None:
    """The version a heading names after the car (the words after the model up to its end, the
    drive left out, it is a fact of its own): "2025 Hyundai Santa Fe Calligraphy AWD" → "Santa
    Fe Calligraphy" (a listing's heading: a model year opens it, up to four words follow),
    "### Renault 5 E-Tech electric 150hp Iconic Five" → "5 E-Tech electric 150hp Iconic Five"
    (a spec panel's: the heading is the name, its rest holds a figure and no grammar word)."""
    dated = _YEAR_BEFORE.fullmatch(heading, 0, hit.start) is not None
    if not dated and _OPEN.fullmatch(heading, 0, hit.start) is None:
        return None
    m = _TRIM_REST.match(heading, hit.end)
    rest = _DRIVE_WORDS.sub("", m.group(1)) if m else ""
    if not rest or TITLE_END.match(" " + rest) or GROUP_WORDS.search(rest):
        return None
    if dated and len(rest.split()) > 4:
        return None
    if not dated and (_FIGURE.search(rest) is None or _GRAMMAR.search(rest.lower())):
        return None
    return f"{model_words(heading, hit)} {rest}"
