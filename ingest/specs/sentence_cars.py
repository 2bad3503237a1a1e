"""The car a sentence's figure is about, by the cars the sentence names (`sentence_car`).

A figure after a car's name in its sentence is that car's ("A的售价为…，而B的售价为…"), unless
the name follows 比/than (what the subject is compared with); a figure after another car's name
than the one the text is about is that other car's, not the text's car's; sub-models named
and joined before a figure ("G3i 520G和G3i 520N均搭载的是66kWh的电池") each hold it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.cars import Hit
from ingest.specs.scope import DocCars, sub_model
from ingest.specs.shapes import Found
from ingest.specs.wrap import wrapped


def sentence_car(
    hits: list[Hit], text: str, found: Found, car: str | None, doc_cars: DocCars
) -> tuple[str | None, Found, list[str | None], bool] | None:
    """The car of `found` by the cars its sentence names (`car`: its scope's), `found` with
    the version named after that car, the sub-models the figure holds for, and whether the
    sentence names the car before the figure; None when it follows another car's name."""
    in_clause = clause_cars(hits, text, found.start, found.end)
    # "33.5 cu ft, less than the Odyssey": a car the subject is compared with owns no figure
    named = {h.car for h in in_clause if not _compared(text, h)}
    before = [
        h
        for h in in_clause
        if h.end <= found.value.start and not _COMPARED_CAR.search(text, 0, h.start)
    ]
    owner = next(
        (h for h in in_clause if _OWNED_BY.fullmatch(text, found.value.end, h.start)), None
    )
    if owner is not None and car is not None and owner.car != car:
        return None  # "六座的理想L8": the figure describes the car named right after it
    if car is None and len(named) > 1 and before:
        car = before[-1].car  # "A的售价为…，而B的售价为…": the car named last before it
    if car is None and len(named) == 1:
        car = named.pop()  # "售价14.38万元的卡罗拉双擎精英版": the sentence's own car
        if found.variant is None:  # "…的卡罗拉双擎精英版": the 精英版's price
            found = replace(found, variant=version_after(text, found.value.end, in_clause))
    elif car is not None and before and before[-1].car != car:
        return None  # "比AION Y 10-15万的定位": the figure follows another car's name
    subs: list[str | None] = [None]
    if car is not None and before and before[-1].car == car and found.variant is None:
        kind = _KIND_BEFORE.search(text, max(0, before[-1].start - 24), before[-1].start)
        if kind is not None:  # "The hybrid Maverick starts at $28,145": the hybrid's price
            found = replace(found, variant=kind.group("v"))
    if car is not None and before and before[-1].car == car:
        subs = _joined_sub_models(text, before, doc_cars) or subs
        for sub in subs:  # "the Aurora X5 Hybrid … 18.4 kWh battery"
            if sub is not None:
                doc_cars.sub_models.setdefault(car, set()).add(sub)
        return car, found, subs, subs == [None]
    return car, found, subs, False


# "the hybrid Maverick", "a diesel Ranger", "the front-drive Taos": a powertrain or a drive
# named right before the car's name
_KIND_BEFORE = re.compile(
    r"\b(?:the|a|an)[ \t]+(?P<v>hybrid|plug-in(?:[ \t]+hybrid)?|diesel|petrol|gasoline|electric|"
    r"PHEV|EV|(?:front|rear|all|four)[- ](?:wheel[- ])?drive|AWD|FWD|RWD|4WD|2WD)[ \t]+$",
    re.IGNORECASE,
)
# "六座的理想L8", "售价14.38万元的卡罗拉": a figure, then 的 and the car it describes
_OWNED_BY = re.compile(r"[ \t]*的[ \t]*")
# "G3i 520G和G3i 520N": two sub-models joined, the first one's model word then a joiner
_JOINED = re.compile(r"[ \t]*[A-Za-z0-9-]+[ \t]*(?:和|与|及|、|/|,|，|\band\b|&)[ \t]*", re.I)


def _joined_sub_models(text: str, before: list[Hit], doc_cars: DocCars) -> list[str | None]:
    """The sub-models the last car names before a figure make, with those joined to it."""
    last = before[-1]
    sub = sub_model(text, last, doc_cars)
    if not sub:
        return []
    out: list[str | None] = [sub]
    nxt = last
    for hit in reversed(before[:-1]):
        earlier = sub_model(text, hit, doc_cars) if hit.car == last.car else None
        if earlier is None or not _JOINED.fullmatch(text, hit.end, nxt.start):
            break
        out.insert(0, earlier)
        nxt = hit
    return out


# "续航里程相比mini ev有了巨大提升达到305km": a car named as what the subject is compared with
_COMPARED_CAR = re.compile(
    r"(?:相比|对比|比|较|than|compared\s+(?:to|with)|versus|vs\.?)\s*(?:于|起|的|the\s)?\s*$", re.I
)


def _compared(text: str, hit: Hit) -> bool:
    return _COMPARED_CAR.search(text, max(0, hit.start - 24), hit.start) is not None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def paragraph_car(hits: list[Hit], text: str, at: int) -> str | None:
    """The car a sentence naming none is about: the one its paragraph named last before it
    ("星越L…发动机…。2.0T车型提供两驱和智能四驱两种版本": still the 星越L; "We've got the
    Renault in Iconic Five trim. … the 120hp Evolution uses a 40kWh battery": the Renault's)."""
    para = text.rfind("\n\n", 0, at)
    own = [h for h in clause_cars(hits, text, at, at + 1) if not _compared(text, h)]
    if own:
        return None  # a sentence naming cars of its own ("同样售价14万的A和B")
    before = [
        h for h in hits if h.car and para <= h.start and h.end <= at and not _compared(text, h)
    ]
    return before[-1].car if before else None


def clause_cars(hits: list[Hit], text: str, start: int, end: int) -> list[Hit]:
    """The cars the sentence around `start:end` names, in order (`hits`: the text's cars)."""
    if not hits:
        return []
    back = max(0, start - _REACH)
    left = back
    for m in _STOP.finditer(text, back, start):
        if not wrapped(text, m.start()):
            left = m.end()
    right = min(len(text), end + _REACH)
    for m in _STOP.finditer(text, end, right):
        if not wrapped(text, m.start()):
            right = m.start()
            break
    return [h for h in hits if h.car and left <= h.start and h.end <= right]


# Where a sentence ends: Chinese stops, ". " (past closing marks: ".** This"), a line break
_STOP = re.compile(r"[。！？]|[.!?][*_)\]\"'”’]*\s|\n")
_REACH = 600  # characters a sentence reaches at most


# "…的卡罗拉双擎精英版，": a version name right after the car's name, the name ending there
_VERSION_AFTER = re.compile(r"[\u4e00-\u9fff]{1,6}版(?![\u4e00-\u9fff])")


def version_after(text: str, end: int, hits: list[Hit]) -> str | None:
    """The version a figure ending at `end` is an attribute of, when the car's name follows
    its 的 and a version name follows the car's ("售价14.38万元的卡罗拉双擎精英版")."""
    after = [h for h in hits if h.start >= end]
    if not after or text[end : after[0].start].strip() != "的":
        return None
    version = _VERSION_AFTER.match(text, after[0].end)
    return version.group() if version else None
