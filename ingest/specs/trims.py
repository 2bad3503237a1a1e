"""Trims named as the subject of a sentence or a list item (`trim_subjects`, `trim_prices`).

Buyer's guides compare trims in prose and bullets: "Base and Premium trims use a 2.0-liter
flat-four engine rated at 152 horsepower" states each figure of each trim it names; "Sport,
Limited and Wilderness get a 2.5-liter flat-four with 180 horsepower" the same for three.
A list item that leads with a trim's name and its price ("- **Premium** ($27,840): adds …",
"- Limited – from $33,140") gives that trim's price. Trim names are read from their shape
(short capitalised names joined by commas and "and", or followed by "trim(s)"), not from a
list of trims.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.cars import Hit
from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_NAME = r"[A-Z][\w+-]*(?:\s+(?:[A-Z0-9][\w+-]*))?"
# the subject of a sentence: names joined ("Sport, Limited and Wilderness"), or names
# followed by "trim(s)"/"models"; then a verb that gives them what follows
_SUBJECT = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))[ \t]*(?:[-*•][ \t]+)?(?:The[ \t]+|Both[ \t]+(?:the[ \t]+)?)?"
    rf"(?P<names>{_NAME}(?:,[ \t]*{_NAME})*(?:,?[ \t]+(?:and|&)[ \t]+{_NAME})?)"
    r"(?P<trims>[ \t]+(?:trims?|grades?|models|versions))?[ \t]+"
    r"(?:use|uses|get|gets|have|has|come with|comes with|feature|features|offer|offers|"
    r"receive|receives|share|are powered by|is powered by|add|adds|pack|packs)\b"
)
_JOIN = re.compile(r",[ \t]*(?:and[ \t]+|&[ \t]+)?|,?[ \t]+(?:and|&)[ \t]+")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
# "- **Premium** ($27,840): …", "- Limited – from $33,140"
_PRICED_ITEM = re.compile(
    r"^[ \t]*[-*•][ \t]+(?:\*\*)?(?P<name>[A-Z][^*():\n$]{0,30}?)(?:\*\*)?[ \t]*"
    r"(?:\([ \t]*|[:–—-][ \t]*)(?:(?:starts? at|starting at|from)[ \t]+)?(?P<price>\$[\d,]+)",
    re.MULTILINE,
)


def trim_subjects(text: str, at: int) -> list[str]:
    """The trims the sentence holding `text[at]` names as its subject before `at` (two or
    more joined, or one called a trim); [] when its subject is no such list."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    m = _SUBJECT.match(text, start) or _SUBJECT.search(text, start, at)
    if m is None or m.end() > at or m.start() > start + 2:
        return []
    names = [n.strip() for n in _JOIN.split(m.group("names")) if n.strip()]
    if len(names) < 2 and not m.group("trims"):
        return []
    return names


def trim_prices(vocab: Vocabulary, text: str) -> list[Found]:
    """The price each list item leading with a trim's name gives it."""
    attr = vocab.attributes.get("price")
    if attr is None:
        return []
    out = []
    for m in _PRICED_ITEM.finditer(text):
        values = read(attr, text, m.start("price"), m.end("price"), None, bare=False)
        if len(values) == 1:
            name = m.group("name").strip()
            out.append(Found("price", values[0], m.start("name"), m.end("price"), name))
    return out


# what leads a price in prose: "starts at", "is priced from", "at" ("… Premium Plus at $43,300")
_PRICE_VERB = re.compile(
    r"(?:\s(?:starts?|starting|is priced|are priced|priced|costs?|retails?(?: for)?)"
    r"(?:\s+(?:at|from))?|\sat|\sfrom)\s*$",
    re.IGNORECASE,
)
_CLAUSE_CUT = re.compile(r"[.;!?](?=\s)|\n|,|\band\b|\bwhile\b|\bbut\b")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


_PRONOUNS = frozenset({"It", "This", "They", "These", "Its", "Which"})


def priced_trim(
    vocab: Vocabulary,
    text: str,
    found: Found,
    names: tuple[list[tuple[int, int]], set[str]],
    prose: bool,
) -> Found:
    """A price in prose with no variant, whose clause's subject names a trim after the car
    ("The 2026 CX-50 2.5 S Select starts at $30,500", "the range-topping 2.5 Turbo Premium
    Plus at $43,300"): that trim's. `names`: spans of the car names in `text` and the
    words of the document's car names; `prose`: whether `found` was read from a sentence."""
    if not prose or found.attribute != "price" or found.variant is not None:
        return found
    verb = _PRICE_VERB.search(text, 0, found.value.start)
    if verb is None or found.value.start - verb.end() > 2:
        return found
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(text, max(0, verb.start() - 80), verb.start())]
    start = cuts[-1] if cuts else max(0, verb.start() - 80)
    spans, car_words = names
    chars = list(text[start : verb.start()])
    for a, b in spans:  # the car's own name is no trim
        for i in range(max(a, start), min(b, verb.start())):
            chars[i - start] = " "
    words = [w for w in "".join(chars).split() if w.casefold() not in car_words]
    while words and (words[0][0].islower() or _YEAR.match(words[0]) or words[0] in ("The", "A")):
        words = words[1:]
    name = " ".join(w for w in words if not _YEAR.match(w))
    if not name or len(words) > 5 or vocab.lookup(name) is not None:
        return found
    if name.lower() in {"it", "this", "they", "prices", "pricing"} or words[0] in _PRONOUNS:
        return found  # "It lists at £43,950": the car itself
    return replace(found, variant=name)


def spans_of(hits: list[Hit]) -> list[tuple[int, int]]:
    """Where car names stand in a text."""
    return [(h.start, h.end) for h in hits]
