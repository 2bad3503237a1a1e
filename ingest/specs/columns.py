"""A table column headed by a car's name holds that car's figures (`column_car`,
`headed_by_car`).

A comparison article sets rivals side by side: "| Specification | 2026 Hyundai Tucson | 2026
Kia Sportage |". Each column's figures are the car its header names, not the car the text
around the table was about; what the header says besides the car and a model year ("Tucson
Hybrid") is the variant. A header naming the document's own single car is left as it was.

`column_car` reads the header while the figures are found, in a document about several cars;
`headed_by_car` reads the variant of each fact made, for Chinese headers ("| 参数 | 比亚迪海豹 |
特斯拉Model 3 |", "极氪001 LR"), also in a document the rest of which is about one car, and
drops a prose fact's variant that is only its own car's name ("蔚来ES6采用…").
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.cars import CarIndex
from ingest.specs.model import Fact
from ingest.specs.scope import DocCars
from ingest.specs.shapes import Found

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)(?:\s*(?:MY|model year))?", re.IGNORECASE)
_LEFT = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_JOINED = re.compile(r"[.-][a-z]+\b")  # a suffix joined to the car's name: its version's name


def column_car(index: CarIndex, found: Found, doc_cars: DocCars) -> tuple[Found, str | None]:
    """`found` without the car its variant (a column header) names, and that car, when the
    header names exactly one and the document is about several cars, or about one car and
    the header names another (a rival's column: its figures are the rival's, whatever the
    title says); else (`found`, None)."""
    if found.variant is None:
        return found, None
    hits = [h for h in index.find(found.variant) if h.car]
    if len({h.car for h in hits}) != 1:
        return found, None
    if not doc_cars.multi and hits[0].car == doc_cars.car:  # its own car: left as it was
        return found, None
    rest = found.variant
    if any(_JOINED.match(rest, h.end) for h in hits):  # "Kylaq.ev 45 kWh": a version's name
        return found, hits[0].car
    for hit in sorted(hits, key=lambda h: h.start, reverse=True):
        rest = rest[: hit.start] + " " + rest[hit.end :]
    rest = _LEFT.sub("", " ".join(_YEAR.sub(" ", rest).split()))
    return replace(found, variant=rest or None), hits[0].car


def headed_by_car(index: CarIndex, fact: Fact) -> Fact:
    """`fact` moved to the car its table column's variant names, the name no variant; a
    sentence's variant that is only its own car's name is none."""
    if not fact.variant or not _CJK.search(fact.variant):
        return fact
    hits = [h for h in index.find(fact.variant) if h.car]
    car = hits[0].car if len(hits) == 1 and hits[0].start == 0 else None
    if car is None:
        return fact
    rest = fact.variant[hits[0].end :].strip(" ()（）")  # "比亚迪海豹 冠军版": its 冠军版
    if not fact.evidence.startswith("|"):  # prose: "蔚来ES6采用…" names the car, no version;
        return replace(fact, variant=None) if car == fact.car and not rest else fact
    return replace(fact, car=car, variant=rest or None)  # ("极氪001 LR" is the 001's LR)
