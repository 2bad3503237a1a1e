"""What the readers found in a section, read once more against the whole section text.

A figure a clause only speculates about goes (`hedges.speculative`), and so does a combined
economy whose figure names another cycle ("~27 MPG (city)"); figures a sentence gives
"respectively" get the names it listed (`respective`); a bracket right after a figure names its
variant ("71.4 kWh (FWD)", `conditions.own_bracket`), and so does a clause's subject ("hybrid
models tow up to 3,500 lbs"); an engine speed before its power or torque, and an earlier
generation's figure a clause compares with, are added (`around`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest.specs.around import around
from ingest.specs.conditions import own_bracket
from ingest.specs.hedges import speculative
from ingest.specs.latter import of_the_other
from ingest.specs.respective import respective
from ingest.specs.shapes import Found
from ingest.specs.vocabulary import Vocabulary


def settle(
    vocab: Vocabulary, text: str, found: list[tuple[Found, bool]], listed: Sequence[str] = ()
) -> list[tuple[Found, bool]]:
    """`found` ((fact, from a sentence) pairs) settled against `text`, its section, with the
    figures a clause gives around them (`around`); `listed`: the versions the document
    listed before (`respective`)."""
    kept = [
        (f, p)
        for f, p in found
        if not speculative(text, f.value.start)
        and not _other_cycle(text, f)
        and not of_the_other(text, f.value.start)
    ]
    prose_of = {id(f): p for f, p in kept}
    settled = respective(text, [f for f, _ in kept], listed)
    out = [
        (
            _charged_by(text, _subject(text, _named_in_full(text, _bracketed(text, f)))),
            prose_of.get(id(f), True),
        )
        for f in settled
    ]
    added = around(vocab, text, [f for f, _ in out])
    theirs = {f.value.start for f in added}  # an earlier generation's figure is not the car's
    return [(f, p) for f, p in out if f.value.start not in theirs] + [(f, True) for f in added]


# "~27 MPG (city)": a figure that names its own driving cycle
_CYCLE = re.compile(r"\s*[(（]\s*(?:city|highway|hwy|urban|extra-urban)\s*[)）]", re.IGNORECASE)


def _other_cycle(text: str, found: Found) -> bool:
    """A combined economy read off a figure that says it is the city or highway one (a
    heading's label bound across a line: "Fuel Efficiency" / "Gasoline: ~27 MPG (city)")."""
    return found.attribute == "fuel_economy_combined" and bool(_CYCLE.match(text, found.value.end))


# "Gasoline models can tow up to 5,000 lbs, while hybrid models tow up to 3,500 lbs": the
# variants a clause's subject names, the verb and at most a few words before the figure
_SUBJECT = re.compile(
    r"\s*(?:(?:while|whereas|but|and)\s+)?(?:the\s+)?"
    r"(?!(?:all|every|both|most|some|many|certain|select|other)\b)"  # every variant: none
    r"(?P<v>(?:[\w-]+\s+){0,2}?(?:models|variants|versions|trims))\s+"
    r"(?:can\s+|will\s+|all\s+)?[a-z]+\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[,;:\n]|\.\s|\bwhile\b|\bwhereas\b", re.IGNORECASE)


def _subject(text: str, found: Found) -> Found:
    """`found` with the variants its clause's subject names ("hybrid models tow up to …")."""
    if found.variant is not None:
        return found
    at = found.value.start
    starts = [m.start() for m in _CLAUSE_START.finditer(text, max(0, at - 80), at)]
    start = starts[-1] + 1 if starts else max(0, at - 80)
    if starts and text[starts[-1]].isalpha():
        start = starts[-1]  # "while hybrid models …": the joiner opens the clause
    m = _SUBJECT.fullmatch(text, start, at)
    return replace(found, variant=m.group("v").strip()) if m else found


def _bracketed(text: str, found: Found) -> Found:
    """`found` with the variant a bracket right after its figure names ("71.4 kWh (FWD)").
    A version's designation in the bracket ("135 kW (Q4 40)" in a list item "DC charging")
    names it even where the item names a variant: the version's, in full when the section's
    list names it with more words ("- Q4 40 e-tron: …")."""
    if found.value.rpm is not None or not found.value.numbers:
        return found
    bracket = own_bracket(text, found.value.end)
    if bracket is None:
        return found
    end = max(found.end, bracket[1])
    if found.variant is None:
        return replace(found, variant=_in_full(text, bracket[0]), end=end)
    if _DESIGNATION.search(bracket[0]) is None or bracket[0] in found.variant:
        return found
    return replace(found, variant=f"{found.variant} {_in_full(text, bracket[0])}", end=end)


# a version's designation: a capitalised word, then a word with a digit ("Q4 40", "Hybrid 136")
_DESIGNATION = re.compile(r"^[A-Z][\w-]*(?: [\w-]+)*? [\w-]*\d[\w-]*$")
_LIST_NAME = re.compile(
    r"^[ \t]*[-*•][ \t]+(?:\*\*)?(?P<name>[^:\n*]{2,40}?)(?:\*\*)?[ \t]*:", re.M
)


def _named_in_full(text: str, found: Found) -> Found:
    """`found` whose variant ends in a designation ("Q4 40", from a bracket a cell's figure
    has) with the name the section's list gives it in full."""
    words = (found.variant or "").split()
    for k in (2, 3):
        tail = " ".join(words[-k:])
        if len(words) >= k and _DESIGNATION.match(tail):
            full = _in_full(text, tail)
            if full != tail:
                return replace(found, variant=" ".join([*words[:-k], full]))
    return found


def _in_full(text: str, written: str) -> str:
    """`written` ("Q4 40"), or the one list item's name in `text` it starts ("Q4 40 e-tron")."""
    words = written.casefold().split()
    full = {
        m.group("name").strip()
        for m in _LIST_NAME.finditer(text)
        if m.group("name").casefold().split()[: len(words)] == words
    }
    return full.pop() if len(full) == 1 else written


# "直流快充从20%充至80%只要35分钟，交流慢充充满电需要8小时": how the car is charged, in the
# clause before a charging time naming no variant
_CHARGER = re.compile(r"(?:直流|交流)?(?:快充|慢充)|直流充电|交流充电")
_CLAUSE = re.compile(r"[，,。；;！？!?\n]")


def _charged_by(text: str, found: Found) -> Found:
    if found.attribute != "charging_time" or found.variant is not None:
        return found
    at = found.value.start
    cuts = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 40), at)]
    modes = list(_CHARGER.finditer(text, cuts[-1] if cuts else max(0, at - 40), at))
    return replace(found, variant=modes[-1].group()) if modes else found
