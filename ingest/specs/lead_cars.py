"""Cars an English document names where a heading would, or only by a code beside its make.

- A heading, or a paragraph's bold lead ("**Hyundai Ioniq 9.** Hyundai's biggest EV …"), that
  is nothing but makes and model names ("## Kia EV3", "**Ford Maverick and Hyundai Santa
  Cruz.**") names the cars the text under it is about, as a title does (`lead_cars`); so
  does a Q&A's question ("What engine does the Kia Sorento use?") of a model the text also
  names alone ("the Sorento's hybrid": not "Toyota Safety Sense"). Another heading with
  other words in it ("Toyota Safety Sense explained", "How the Honda compares") names a
  feature or a rival in passing, and is not read.
- A document that writes one make alone, never right before a model, and one model code
  alone, never after a make ("Mazda reworked it …", "Every MX-5 is rear-wheel drive", "the
  MX-5's tank") is about that make's car of that code (`coded_car`): an owners' club
  newsletter or a Q&A names its car the way its readers do. A code is letters then a number
  ("MX-5", "EV9", "XC90", "ID.4", "F-150"), written at least twice; the make and the code
  must each be the document's only one so written, as often as anything else: two candidates
  say the document is about more than one thing.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ingest.specs.cars import CarIndex
from ingest.specs.lines import line_key
from ingest.specs.taught_en import EnglishWhole, english_named

if TYPE_CHECKING:  # scope reads the cars taught here (taught → lead_cars): no import cycle
    from ingest.specs.scope import DocCars

# a bold lead at a line's start ("**Hyundai Ioniq 9.**", "- **Mazda CX-70:**")
# a bold lead at a line's start, read for its last sentence: a letter's question runs on
# ("**Q: We are retiring and want a small automatic. Is the Hyundai i20 better than …?**")
_LONG_LEAD = re.compile(r"^[ \t>*+-]*\*\*([^*\n]{3,300}?)\*\*", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# a line's lead before a colon ("Renault Kiger RXT: power 100 PS", "- **Nissan Magnite XV**:")
_COLON_LEAD = re.compile(r"^[ \t>*+-]*(?:\*\*)?([A-Z0-9][^:*\n]{2,48}?)(?:\*\*)?[ \t]*:", re.M)
# what may join car names in a heading besides the names: conjunctions, articles, a year
_JOINERS = frozenset({"and", "vs", "versus", "v", "or", "the", "new", "all"})
_REST_WORD = re.compile(r"[A-Za-z]+")
_QUESTION = re.compile(r"\?[\s\"'”*]*$")  # a heading asking a question
# a model code: letters, then a number ("MX-5", "XC90", "ID.4", "F-150", "GR86")
_CODE = re.compile(r"(?<![\w/.\-])([A-Z][A-Za-z]{0,3}[-.]?\d{1,3}[A-Za-z]?)(?![\w\-]|\.\d)")
# a heading opening with a model year, after a numbered label ("Lot 112 — 2023 Lotus Emira")
_DATED = re.compile(
    r"[ \t#*]*(?:[A-Za-z]+\.?[ \t]*\d+[ \t]*[-–—:|.][ \t]*)?(?:19|20)\d\d[ \t]+[A-Z]"
)
_TYRE = re.compile(r"\d{3}/\d{2}\s*$")  # "245/75 R16": a rim size, no model


def lead_cars(
    index: CarIndex, headings: list[str], texts: list[str], whole: EnglishWhole
) -> list[tuple[str, str, str]]:
    """(brand id, make as written, model name) of the cars English headings and bold leads
    name: a listing's heading opening with a model year ("2023 Honda Passport EX-L"), and a
    heading or lead that is nothing but makes and model names (the module's docstring)."""
    out: list[tuple[str, str, str]] = []
    for heading in headings:
        if heading.isascii() and _DATED.match(heading):
            out += english_named(index, heading, whole, None)
    leads = [m.group(1).strip() for t in texts for m in _LONG_LEAD.finditer(t)]
    named = [m.group(1).strip() for t in texts if t.isascii() for m in _COLON_LEAD.finditer(t)]
    for place in [*headings, *(_last_sentence(lead) for lead in leads), *named]:
        if not place.isascii():
            continue
        found = english_named(index, place, whole, None)
        if found and (_only_names(place, found) or _trimmed_line(index, place, len(found))):
            out += found
        elif _QUESTION.search(place):  # a Q&A's question ("Is the Kia Sorento hybrid worth it?")
            out += [f for f in found if whole.count(f[2]) > whole.count(f"{f[1]} {f[2]}")]
            out += [] if found else asked_lines(index, place, whole)
    return out


def asked_lines(index: CarIndex, question: str, whole: EnglishWhole) -> list[Named]:
    """(brand, make, line as written) of the gazetteer's lines a question names without a
    make ("**Q: Exter or Punch?**"), each one make's line, distinctive, capitalised, and of
    a make the document writes: a letter asks about the cars its answer gives figures of."""
    out: list[Named] = []
    if index.find(question):
        return out  # a make or a listed car written: read as names are
    taken = 0  # where the last line found ends ("Grand Vitara": no "Vitara" again)
    for m in _LINE_WORD.finditer(question):
        if m.start() < taken:
            continue
        for n in range(_TRIM_WORDS, 0, -1):
            words = _LINE_WORD.findall(question, m.start())[:n]
            written = " ".join(words)
            line = index.lines.alone(written) if len(words) == n else None
            if line is None or not question.startswith(written, m.start()):
                continue
            make = index.brand_names[line.brand]
            if whole.count(make) and (written[0].isupper() or written[0].isdigit()):
                out.append((line.brand, make, written))
                taken = m.start() + len(written)
            break
    return out


_LINE_WORD = re.compile(r"(?<![\w-])[A-Za-z0-9][\w.+-]*")
Named = tuple[str, str, str]


def _trimmed_line(index: CarIndex, place: str, named: int) -> bool:
    """Whether `place` is a make, a line of it (the gazetteer's) and a trim's few words in
    capitals or codes after it ("Renault Kiger RXT", "2025 Skoda Slavia Style")."""
    year = _YEAR.match(place)
    at = year.end() if year else 0
    hits = index.find(place)
    if named != 1 or not hits or hits[0].start != at or hits[0].car is not None:
        return False
    found = index.lines.after(hits[0].brand, place, hits[0].end + 1)
    if found is None or place[hits[0].end : hits[0].end + 1] != " ":
        return False
    if line_key(place[hits[0].end + 1 : found[0]]) != line_key(found[1].name):
        return False  # "VW ID.4 Pro S": a "Pro" after the line is a trim's word or a line's
    words = place[found[0] :].strip(" .:").split()
    return 0 < len(words) <= _TRIM_WORDS and all(w[0].isupper() or w[0].isdigit() for w in words)


_TRIM_WORDS = 3  # words of a trim after a line's name at most
_YEAR = re.compile(r"(?:19|20)\d\d[ \t]+")


def _last_sentence(lead: str) -> str:
    """A bold lead's last sentence: a short lead ("**Hyundai Ioniq 9.**") is its one."""
    return _SENTENCE_END.split(lead)[-1] if len(lead) > _SHORT_LEAD else lead


_SHORT_LEAD = 80  # characters of a lead read whole


def _only_names(place: str, found: list[tuple[str, str, str]]) -> bool:
    rest = place
    for _, make, name in found:
        rest = rest.replace(f"{make} {name}", " ", 1)
    return all(
        w.lower() in _JOINERS or (w.lower() == "s" and "'" in rest)
        for w in _REST_WORD.findall(rest)
    )


def coded_car(index: CarIndex, texts: list[str]) -> tuple[str, str, str] | None:
    """(brand id, make as written, model code) of the car a document names only by its code
    and, apart, its make (see the module's docstring); None when it names no such pair."""
    makes: Counter[str] = Counter()
    written: dict[str, str] = {}
    codes: Counter[str] = Counter()
    for text in texts:
        if not text.isascii():
            continue
        hits = index.find(text)
        ends = {h.end for h in hits}
        for hit in hits:
            if hit.car is None:
                makes[hit.brand] += 1
                written.setdefault(hit.brand, text[hit.start : hit.end].strip())
        for m in _CODE.finditer(text):
            gap = m.start()
            while gap > 0 and text[gap - 1] in " \t":
                gap -= 1
            if gap in ends:
                for hit in hits:  # "Toyota GR86": a make before a code names that car
                    if hit.end == gap and hit.car is None:
                        makes[hit.brand] -= 1
                codes[m.group(1)] -= 99  # a code written after its make is a named car's
            elif not _TYRE.search(text, max(0, m.start() - 12), m.start()):
                codes[m.group(1)] += 1
    make = _only_most(makes)
    code = _only_most(codes)
    if make is None or code is None:
        return None
    return make, written[make], code


def _only_most(counts: Counter[str]) -> str | None:
    """The one key counted most, at least twice; None when another is counted as often."""
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def only_car(doc_cars: DocCars, taught: dict[str, set[str]], passing: set[str]) -> DocCars:
    """A document whose title names no car, and which names one car besides those it names
    in passing, is about that car ("Every MX-5 …" in a club newsletter: the rival "Toyota
    GR86" written once is not its car)."""
    if doc_cars.car is not None:
        return doc_cars
    cars = {*taught, *doc_cars.names} - passing
    if len(cars) == 1 and taught:
        car = next(iter(cars))
        doc_cars.car, doc_cars.multi = car, False
    return doc_cars
