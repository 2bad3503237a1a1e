"""The version a figure is given for, named right after it: "7.4L/100km for the 2.5i grades
and 6.2L/100km for the hybrid", "8.1L/100km for the 3.0-litre", "1800kg for the 2.5i grades".

The name is a model code or a capitalised word (with one more such word, or a gearbox:
"1.9-litre automatic"), or a powertrain or a gearbox in any case ("the hybrid", "the
manual"); a figure "with the AMT" or "as a manual" is given for that gearbox or powertrain
alone (not "with the optional wheels"); a group word after it
("grades", "trims") is left out, and the name ends the clause: "for the UK market" names a
market, "for the money" nothing.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_WORD = r"[A-Za-z0-9](?:[\w+-]|\.(?=\w))*"  # "2.5i", "3.0-litre"; no sentence's full stop
_GROUP = r"(?:grades?|trims?|variants?|versions?|models?)\b"
_FOR = re.compile(
    rf"\s+(?:for\s+the|(?P<as>with\s+the|as\s+an?))\s+"
    rf"(?P<v>{_WORD}(?:[ \t]+(?!{_GROUP}){_WORD})?)"
    rf"(?:[ \t]+{_GROUP})?"
    r"(?=[ \t]*(?:[,;.)]|\band\b|\bbut\b|\bversus\b|\bwith\b|$))",
    re.MULTILINE,
)
_POWERTRAIN = frozenset({"hybrid", "diesel", "petrol", "electric", "plug-in", "phev", "ev"})
_GEARBOX = frozenset({"automatic", "manual", "auto"})


# "162PS and 330Nm with the manual": further figures of the clause before the version, which
# then holds for each of them
_CHAIN = re.compile(
    r"(?:[ \t]*(?:,[ \t]*|[ \t]+and[ \t]+)\d[\d,.]*[ \t]*-?[ \t]*[A-Za-z/%]{1,10}\b)*"
)
# "152PS and 330Nm manual, 175PS and 370Nm automatic": a gearbox's bare name right after them
_BARE = re.compile(r"[ \t]+(?P<v>manual|automatic)(?=[ \t]*(?:[,;.]|$))", re.MULTILINE)


def given_for(text: str, end: int) -> str | None:
    """The version the figure ending at `end` (and the figures an "and" joins to it) is given
    for, else None."""
    end = _CHAIN.match(text, end).end()  # type: ignore[union-attr]  # matches empty
    bare = _BARE.match(text, end)
    if bare is not None and text[max(0, end - 5) : end].lower() != "speed":  # "6-speed manual"
        return _engine_of(text, end, bare.group("v"))
    m = _FOR.match(text, end)
    if m is None:
        return None
    words = m.group("v").split()
    if not _names(words[0]):
        return None
    if m.group("as") and not (words[0].lower() in _POWERTRAIN | _GEARBOX or words[0].isupper()):
        return None  # "… with the AMT", "… as a manual": a gearbox or a powertrain only
    if len(words) == 2 and not (_names(words[1]) or words[1].lower() in _GEARBOX):
        return None
    if len(words) == 1 and words[0].lower() in _GEARBOX:
        return _engine_of(text, end, words[0])
    return " ".join(words)


# "2.2-litre mHawk diesel: 152PS … manual": the engine a line's label names, its displacement
# first, heads the gearbox its figures are given for (a chapter's "Engines - " before it)
_ENGINE_LABEL = re.compile(
    r"(?:^|[ \t][-–][ \t])[ \t]*\d\.\d[ \t-]?(?:litre|liter|l)\b[ \t]*"
    r"(?P<name>[A-Za-z][\w+-]*(?:[ \t][A-Za-z][\w+-]*){0,2}):[ \t]",
    re.IGNORECASE | re.MULTILINE,
)


def _engine_of(text: str, end: int, gearbox: str) -> str:
    """`gearbox`, after the name of the engine the label of the figure's line names."""
    start = text.rfind("\n", 0, end) + 1
    labels = list(_ENGINE_LABEL.finditer(text, start, end))
    return f"{labels[-1].group('name')} {gearbox}" if labels else gearbox


def _names(word: str) -> bool:
    return bool(re.search(r"\d|[A-Z]", word)) or word.lower() in _POWERTRAIN | _GEARBOX


# "… and 1200kg for the hybrid": a further figure of the clause, given for another version
_NEXT = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:and|while|whereas|versus)[ \t]+(?:it[ \t]+is[ \t]+)?"
    r"(?P<fig>\d[\d,.]*[ \t]*-?[ \t]*[A-Za-z/%]{1,10})(?=[ \t]+for[ \t]+the[ \t])"
)


def given_after(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The figures that follow a figure given for a version, joined to it and each given for
    a version of its own ("1800kg for the 2.5i grades and 1200kg for the hybrid"): the same
    attribute for that version, when the figure is of the attribute's kind."""
    out: list[Found] = []
    taken = {f.value.start for f in found}
    for f in found:
        end = f.value.end
        while (m := _FOR.match(text, end)) and given_for(text, end) is not None:
            nxt = _NEXT.match(text, m.end())
            name = given_for(text, nxt.end("fig")) if nxt else None
            attr = vocab.attributes.get(f.attribute)
            if nxt is None or name is None or attr is None or nxt.start("fig") in taken:
                break
            values = read(attr, text, nxt.start("fig"), nxt.end("fig"), None, bare=False)
            if len(values) != 1 or values[0].unit is None or values[0].unit != f.value.unit:
                break
            out.append(Found(f.attribute, values[0], nxt.start("fig"), values[0].end, name))
            taken.add(nxt.start("fig"))
            end = values[0].end
    return out


# "MX1 on 235/65 R18, AX7L on 255/60 R19": a version that rides on the tyres after it, its
# name a code (a digit or two capitals in its first word) opening the clause
_RIDES_ON = re.compile(
    r"(?:^|[,;:(]|[ \t][-–])[ \t]*(?:the[ \t]+)?"
    r"(?P<v>(?=[A-Za-z]*\d|[a-z]*[A-Z][a-z]*[A-Z])[A-Za-z0-9][\w+-]*(?:[ \t]+[A-Z0-9][\w+-]*)?)"
    r"[ \t]+(?:rides[ \t]+|sits[ \t]+)?on[ \t]+$",
    re.MULTILINE,
)


def rides_on(text: str, start: int) -> str | None:
    """The version named right before the "on" that leads to the tyres starting at `start`."""
    m = _RIDES_ON.search(text, max(0, start - 40), start)
    return m.group("v") if m else None


# "sold as the Elite Hybrid ($75,000) and the Calligraphy Hybrid ($87,500)": a bracket that
# opens with the figure, right after a version's capitalised name
_NAMED_BEFORE = re.compile(
    r"(?<![\w-])the[ \t]+(?P<v>[A-Z][\w+-]*(?:[ \t]+(?:[A-Z][\w+-]*|\d[\w.+-]*)){0,3})"
    r"[ \t]*\([ \t]*$"
)


def bracketed_after(text: str, start: int) -> str | None:
    """The version whose name the bracket the figure at `start` opens follows."""
    m = _NAMED_BEFORE.search(text, max(0, start - 60), start)
    return m.group("v") if m else None
