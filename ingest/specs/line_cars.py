"""Cars a document names by a model line alone, without its make (the gazetteer's candidates).

A line of the gazetteer (`ingest.specs.lines`) that one make alone has names that make's car
where a document names its cars, and only there:

- English: a heading or line opening with a model year, then the line and nothing of a make
  ("2026 EXPLORER ST-LINE", "Option 2: 2026 Explorer Platinum") when the document writes the
  line at least twice (a dated line with its make names its car as a listing's heading
  does). Prose naming a line alone ("the Highlander you looked at") names a rival or a
  comparison as often as its own car, and is not read;
- Chinese: a 车系 name ("宋PLUS", "星越L", "问界M7"), with or without its make, in the title,
  a heading or a heading-like line is one of the document's cars. Prose naming a line alone,
  however often, is not read: a live stream's viewer asking twice about another model
  ("海豹06多少钱？") named a car that then took the host's figures for the car on sale.

A name the alias files already list is theirs (`CarIndex.find` reads it), not the gazetteer's.
"""

from __future__ import annotations

import re

from ingest.specs.cars import CarIndex, Hit
from ingest.specs.lines import Line
from ingest.specs.taught_en import EnglishWhole, english_named

# a line opening with a model year, after a label ("OPTION 1: 2026 EXPLORER ST-LINE", "Quote A:")
_DATED = re.compile(
    r"^[ \t#*>-]*(?:(?:[A-Za-z0-9]+\.?[ \t]+){0,2}[A-Za-z0-9]+\.?[ \t]*[-–—:|][ \t]*)?"
    r"(?:19|20)\d\d[ \t]+"
    r"(?=[A-Za-z0-9])",
    re.MULTILINE,
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*(?:-[A-Za-z0-9.+]+)*")
_LINE = 80  # characters of a heading-like line at most

Named = tuple[str, str, str]  # (brand id, make as the index names it, model as written)


def english_lines(
    index: CarIndex, places: list[str], texts: list[str], whole: EnglishWhole
) -> list[Named]:
    """(brand, make, model as written) of the cars dated headings and lines name: a make-less
    line (the module's docstring), or a make and its model ("YOUR TRADE: 2021 NISSAN
    PATHFINDER SL", read as `english_named` reads a listing's dated heading)."""
    out: list[Named] = []
    text = whole.text
    candidates = [p for p in places if p.isascii()]
    for body in texts:
        if body.isascii():
            candidates += [body[m.start() : body.find("\n", m.end()) % (len(body) + 1)]
                           for m in _DATED.finditer(body)]  # fmt: skip
    for place in candidates:
        m = _DATED.match(place)
        if m is None or len(place) > _LINE:
            continue
        if hits := index.find(place):  # a make written: its model, if no listed car is named
            out += [] if any(h.car for h in hits) else english_named(index, place, whole, None)
            continue
        found = _line_at(index, place, m.end())
        if found is None:
            continue
        written, line = found
        if _written(text, written) >= 2 and not index.model_aliases.get(written.casefold()):
            out.append((line.brand, index.brand_names[line.brand], written))
    return out


def _line_at(index: CarIndex, text: str, start: int) -> tuple[str, Line] | None:
    """The longest make-less line written at `start`, as written, and the line."""
    words: list[re.Match[str]] = []
    for m in _WORD.finditer(text, start):
        if text[words[-1].end() if words else start : m.start()].strip(" ") or len(words) == 4:
            break
        words.append(m)
    for n in range(len(words), 0, -1):
        written = text[start : words[n - 1].end()]
        line = index.lines.alone(written)
        if line is not None:
            return written, line
    return None


def _written(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text, re.I))


def chinese_lines(index: CarIndex, places: list[str]) -> list[Named]:
    """(brand, make, line as written) of the Chinese lines `places` (the title, headings,
    heading-like lines) name."""
    if not index.lines.chinese_names:
        return []
    named: dict[tuple[str, str], Named] = {}
    for place in places:
        for found in _chinese(index, place):
            named.setdefault((found[0], found[2].casefold()), found)
    return list(named.values())


def superseded(lined: list[Named], found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (brand, name) of `found` (names read by their shape) that a line of the same make
    `lined` names too, shorter or longer ("旅行" where the gazetteer reads "捷途旅行者")."""
    return [
        (brand, name)
        for brand, name in found
        for line_brand, _, written in lined
        if brand == line_brand and name != written and (name in written or written in name)
    ]


def _chinese(index: CarIndex, text: str) -> list[Named]:
    if text.isascii():
        return []
    lines = index.lines.chinese(text)
    hits = index.find(text) if lines else []
    out = []
    for start, end, line in lines:
        if _listed(hits, start, end):
            continue  # the alias files' car ("奇骏"): theirs
        make = index.brand_names[line.brand]
        for hit in hits:  # "特斯拉Model Y": the make as written, and the model's own name
            if hit.car is None and hit.brand == line.brand and start <= hit.start < hit.end < end:
                make, start = text[hit.start : hit.end], hit.end
        written = text[start:end].strip(" ·-")
        if written:
            out.append((line.brand, make, written))
    return out


def _listed(hits: list[Hit], start: int, end: int) -> bool:
    return any(h.car and h.start < end and start < h.end for h in hits)
