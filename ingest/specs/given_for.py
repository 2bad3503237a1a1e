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


def given_for(text: str, end: int) -> str | None:
    """The version the figure ending at `end` is given for, else None."""
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
    return " ".join(words)


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
