"""The versions an English document compares, and the one a sentence's figure is about.

A review of two trims side by side, a transcript or an owners' Q&A names its versions the way
it names a car: "the GSR", "the GLX cab chassis", "the RF". A name is a version when the
document names it in its title or a heading ("TRITON GSR v GLX", "How much heavier is the
RF?") and writes it after "the" at least twice (a capitals-only code or a capitalised word,
neither written in lower case elsewhere, nor a word of its cars' names or makes, nor a
company's or a body type's), and the document names at least two such: one name alone is as
often a rival or an organisation ("the EPA").

A figure no reader gave a version is the model years its clause names as its subject ("The
2016-2018 cars make 155 hp", "from 2019 on, the same engine makes 181 hp"), or the gearbox or
powertrain ("the automatic gets 30 mpg combined"), else the version
its sentence names last before it (to a ";"): "Payload on the GLX cab chassis is 1,155kg;
the GSR's is 980kg", "GSR's on 265/60 R18 all-terrains, the GLX on 245/75 R16". The name
runs on over capitalised words ("the RF Grand Touring") and, when a verb follows within three
lower-case words, over them ("the GLX manual cab chassis is $43,690"). In a document about one
car, a section whose heading is a version's code ("## MX1", "## AX7 L") is about it: its
figures no sentence gives another version are that version's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ingest.specs.shapes import Found
from ingest.specs.taught_en import NOT_NAMES

_THE = re.compile(r"(?<![A-Za-z])[Tt]he\s+(?P<n>[A-Z][A-Za-z]*|[A-Z]{2,5})(?![\w-])")
_MORE_CAPS = re.compile(r"(?:[ \t]+[A-Z][A-Za-z]+)*")
_LOWER_TO_VERB = re.compile(
    r"(?P<w>(?:[ \t]+[a-z]+){0,3}?)(?:'s)?\s+(?:is|are|sits|gets|has|makes|costs|comes|starts|"
    r"runs|uses|offers|weighs|returns|tows|rides)\b"
)
# model years as a clause's subject: a range or an open one ("The 2016-2018 cars", "the
# 2019-on models", "from 2019 on,"); one year alone is as often the document's own
_YEARS_SUBJECT = re.compile(
    r"\b[Tt]he\s+(?P<v>(?:19|20)\d\d\s*(?:[-–]\s*(?:(?:19|20)?\d\d|on)))\s+"
    r"(?:cars?|models?|versions?|trucks?|examples)\b"
    r"|\b[Ff]rom\s+(?P<o>(?:19|20)\d\d\s+on(?:wards?)?)\b"
)
_VERSION_HEADING = re.compile(r"[A-Z][A-Za-z]*\d[A-Za-z0-9-]*(?:[ \t]+(?:[A-Z][A-Za-z]*|\d+)){0,2}")
# a gearbox or a powertrain as a clause's subject: "the automatic gets 30 mpg combined"
_KIND_SUBJECT = re.compile(
    r"\b[Tt]he\s+(?P<v>manual|automatic|auto|hybrid|diesel|petrol|plug-in)\s+"
    r"(?:gets|returns|does|manages|achieves|makes|has|is|pairs|uses|adds|produces|develops)\b"
)
# a powertrain the text names by its code in a bracket: "a turbo-diesel (the D50e)", "a
# plug-in hybrid (the P50e)"; the section's "the diesel" and "the plug-in" are those codes
_KIND_CODE = re.compile(
    r"\b(?P<k>(?:[\w-]*\s+)?[\w-]*)\s*\((?:the\s+)?(?P<c>[A-Z][A-Za-z]*\d[\w-]*)\)"
)
# a trim as a clause's subject, named by one capitalised word or code after "the" and its
# lower-case modifiers, an aside in commas allowed: "The S gets 215 hp", "the dual-motor
# Calligraphy, with all-wheel drive, makes 422 hp", "The GT-Line adds a front motor, 283kW"
_TRIM_SUBJECT = re.compile(
    r"(?<![\w-])[Tt]he\s+(?:[a-z][\w-]*\s+){0,2}(?![VWIH]-?\d{1,2}\b)"  # an engine: "V6"
    r"(?P<v>[A-Z][A-Za-z0-9]*(?:-[A-Z][\w]*)?)"
    r"(?:\s*,[^,.;]{1,40},)?\s+(?:gets|makes|has|uses|adds|produces|develops|offers)\b"
)
_CLAUSE_STOP = re.compile(r"[.!?;]\s|\n\s*\n|\n\[")
_MIN_USES = 2
_REACH = 300


class DocVersions:
    """The versions one document names (see the module's docstring)."""

    def __init__(self, texts: list[str], heads: list[str], car_words: set[str]) -> None:
        whole = "\n".join(texts)
        self.car_words = car_words
        named = set(re.findall(r"[A-Za-z]+", " ".join(heads)))
        seen: Counter[str] = Counter(m.group("n") for m in _THE.finditer(whole))
        self.names = {
            name
            for name, n in seen.items()
            if n >= _MIN_USES
            and name in named
            and name.casefold() not in car_words
            and name.upper() not in NOT_NAMES
            and name.lower() not in NOT_NAMES
            and re.search(rf"(?<![A-Za-z]){re.escape(name.lower())}(?![A-Za-z])", whole) is None
        }
        if len(self.names) < 2:
            self.names = set()
        alternatives = "|".join(map(re.escape, sorted(self.names, key=len, reverse=True)))
        self._names = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def variant(self, text: str, found: Found, heading: str | None = None) -> Found:
        """`found` with the version its sentence names last before it, when it has none, else
        the one its section's heading names (`version_heading`)."""
        if found.variant is not None:
            if text[found.value.start : found.value.end] not in found.variant:
                return found
            named = self._named(text, found)  # "the hybrid is …: a 2.5-litre turbo four": the
            joined = f"{named} {found.variant}"  # figure's own phrase, of the subject's version
            return found if named is None else replace(found, variant=joined)
        named = self._named(text, found)
        if named is None and heading is not None:
            return replace(found, variant=heading)
        return found if named is None else replace(found, variant=named)

    def _named(self, text: str, found: Found) -> str | None:
        back = max(0, found.value.start - _REACH)
        stops = [m.end() for m in _CLAUSE_STOP.finditer(text, back, found.value.start)]
        start = stops[-1] if stops else back
        years = list(_YEARS_SUBJECT.finditer(text, start, found.value.start))
        if years:  # "The 2016-2018 cars make 155 hp", "from 2019 on, the same engine makes …"
            year = years[-1]
            return " ".join((year.group("v") or year.group("o")).split())
        kinds = list(_KIND_SUBJECT.finditer(text, start, found.value.start))
        if kinds:  # "…; the automatic gets 30 mpg combined"
            return _kind_code(text, kinds[-1].group("v"))
        trims = [
            m.group("v")
            for m in _TRIM_SUBJECT.finditer(text, start, found.value.start)
            if m.group("v").casefold() not in self.car_words
            and m.group("v").upper() not in NOT_NAMES
        ]
        if trims:  # "The S gets 215 hp", "the dual-motor Calligraphy, with AWD, makes 422 hp"
            return trims[-1]
        if not self.names:
            return None
        named = list(self._names.finditer(text[start : found.value.start]))
        if not named:
            return None
        last = named[-1]
        at = start + last.end()
        caps = _MORE_CAPS.match(text, at)
        at = caps.end() if caps else at
        lower = _LOWER_TO_VERB.match(text, at)
        if lower is not None and at + len(lower.group("w")) <= found.value.start:
            at += len(lower.group("w"))
        return " ".join(text[start + last.start() : at].split())


def _kind_code(text: str, kind: str) -> str:
    """The code `text` gives the powertrain `kind` ("diesel" → "D50e"), else `kind`."""
    codes = {
        m.group("c")
        for m in _KIND_CODE.finditer(text)
        if kind.casefold() in re.split(r"[\s-]+", m.group("k").casefold())
        or kind.casefold() in m.group("k").casefold().split()
    }
    return codes.pop() if len(codes) == 1 else kind


def version_heading(path: tuple[str, ...], car_words: set[str]) -> str | None:
    """The version a section's own heading names in a document about one car: a code with a
    number, perhaps a word or a letter after it ("## MX1", "## AX7 L", "## MX2 Pro"); a
    topic's heading ("## The engines", "## Which one to buy?") names none."""
    if len(path) < 2:
        return None
    heading = path[-1].strip(" #*:")
    words = heading.split()
    if not _VERSION_HEADING.fullmatch(heading) or words[0].casefold() in car_words:
        return None
    return heading
