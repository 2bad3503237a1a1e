"""The one trim an English document about a single car is written about: a window sticker's
or inventory note's trim field ("TRIM ........ LIMITED XT", "Trim: Limited XT"), else the
words its title adds after the car's name when the document writes them again ("ROAD TEST:
2026 HONDA RIDGELINE TRAILSPORT", then "every TrailSport gets …"), else those a line of its
own that is a model year and the car's name adds (an inspection report's "VEHICLE" section:
"2024 Mazda CX-5 Touring"), the same way. A figure of that car
that names no variant of its own is that trim's."""

from __future__ import annotations

import re

from ingest.document import ParsedDocument
from ingest.specs.cars import TITLE_WORDS

# a form's trim field: the label alone, dot leaders or a colon, the value to the line's end
_FIELD = re.compile(
    r"^[ \t]*(?:trim(?:[ \t]+level)?|grade)(?:[ \t]*\.{2,}[ \t]*|[ \t]*:[ \t]*)(\S[^\n]*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
_MAX_WORDS = 3  # a trim's words at most ("Limited XT", "Wilderness Edition")
# a line of its own that is a model year and the car's name: a report's or a listing's vehicle
_DATED = re.compile(r"^[ \t]*(?:19|20)\d\d[ \t]+([A-Za-z][^\n]{2,60}?)[ \t]*$", re.MULTILINE)


def document_trim(doc: ParsedDocument, car_name: str | None) -> str | None:
    """The trim the document is about (see the module's docstring), or None; English only."""
    texts = [s.text for s in doc.sections if s.kind != "record"]
    values = {v.casefold(): v for t in texts for v in _FIELD.findall(t) if v.isascii()}
    if len(values) == 1:
        (value,) = values.values()
        return value if len(_WORD.findall(value)) <= _MAX_WORDS else None
    if values or not car_name or not doc.title.isascii():
        return None
    body = "\n".join(texts)
    model = car_name.split()[-1]
    if (trim := _title_trim(doc.title, model, body)) is not None:
        return trim
    dated = {
        m.group(1) for m in _DATED.finditer(body) if car_name.casefold() in m.group(1).casefold()
    }
    return _title_trim(dated.pop(), model, body) if len(dated) == 1 else None


def _title_trim(title: str, model: str, body: str) -> str | None:
    """The words after the car's `model` word that end the title, each written again in the
    body and none a word titles add, as the body spells them."""
    at = re.search(rf"(?<![A-Za-z0-9]){re.escape(model)}(?![A-Za-z0-9])", title, re.I)
    if at is None:
        return None
    words = _WORD.findall(title[at.end() :])
    if not 0 < len(words) <= _MAX_WORDS or title[at.end() :].strip(" *#").split()[0] != words[0]:
        return None  # nothing after the name, or a dash, a colon, a bracket: no trim there
    spelt = []
    for word in words:
        if word.casefold() in TITLE_WORDS or word[0].islower():
            return None
        if word[0].isdigit() and not _after_model(body, model, word):
            return None  # a figure or a year, not a version's number ("Elroq 85", written so)
        found = re.findall(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", body, re.I)
        if len(found) < 2:
            return None  # written once more at most: the title's word, not the car's trim
        spelt.append(max(sorted(set(found)), key=found.count))
    return " ".join(spelt)


def _after_model(body: str, model: str, word: str) -> bool:
    """Whether the body writes `word` right after the model more than once ("Elroq 85")."""
    pattern = rf"(?<![A-Za-z0-9]){re.escape(model)}\s+{re.escape(word)}(?![A-Za-z0-9])"
    return len(re.findall(pattern, body, re.I)) >= 2
