"""Figures of the other car a Chinese review compares its own with (`of_the_other`).

A review turns to a rival in one sentence: "拿它和同价位的北京BJ40对比，后者的2.0T发动机最大
功率为164kW，售价19.98万元起". 它 (or 本车, 该车, 这台车) is the document's car; the one it is
compared with is then 后者 ("the latter"), or 前者 when it comes first ("北京BJ40和它相比，
前者…"). From that word to the end of the sentence (or a clause turning back with 但, 而, 不过),
the figures are the rival's, not the car's, even when the rival is a car no alias file knows.

A comparison also states what its two cars share: "两车都是五座布局" (两车, 两台车, 二者 … 都/均)
is each of the two cars named last before it in its block (from the last `【…】` or `#`
heading line: "两款车均为…" under one car's header is its versions) (`of_both`); and where
two cars were named, 前者 and 后者 are the first and the second of them ("A和B的价格有重叠。
前者售价…；后者售价…"), each until the next such word or the sentence's end (`referred_car`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ingest.specs.cars import Hit
from ingest.specs.model import Fact

_SELF = r"(?:它|本车|该车|这台车|这款车|这辆车)"
_COMPARE = r"(?:对比|相比|比较|比)"
_RIVAL = re.compile(
    rf"(?:{_SELF}(?:和|与|跟|同)[^，,。！？!?\n]{{1,24}}?{_COMPARE}[^。！？!?\n]*?[，,；;]\s*后者"
    rf"|(?:和|与|跟|同){_SELF}{_COMPARE}[^。！？!?\n]*?[，,；;]\s*前者)"
)
_END = re.compile(r"[。！？!?\n]|[，,；;]\s*(?:但|而|不过|可是)")


def of_the_other(text: str, at: int) -> bool:
    """Whether `text[at]` is in a clause about the car the document's car is compared with."""
    line = max(text.rfind(c, 0, at) for c in "。！？!?\n") + 1
    for m in _RIVAL.finditer(text, line, at):
        end = _END.search(text, m.end())
        if end is None or at < end.start():
            return True
    return False


_BOTH = re.compile(r"(?:两车|两台车|两款车|两辆车|二者|两者)(?:都|均|皆|同样)")


def of_both(
    text: str,
    at: int,
    hits: list[Hit],
    stated: list[Fact],
    facts_of: Callable[[str | None], tuple[list[Fact], bool]],
) -> list[Fact]:
    """`stated` (the facts of `text[at]`), each also the other car's when its sentence says
    both of the two cars named last before it have it; when it names no car of its own
    ("两车都是常规五座布局"), each of the two's (`facts_of`: the facts of `text[at]` for a car)."""
    pair = both_cars(text, at, hits)
    if not stated:
        return [fact for car in pair for fact in facts_of(car)[0]]
    out = []
    for fact in stated:
        out.append(fact)
        if fact.car in pair:
            out += [replace(fact, car=c) for c in pair if c != fact.car]
    return out


def both_cars(text: str, at: int, hits: list[Hit]) -> list[str]:
    """The two cars named last before `text[at]` in its block, when its sentence says both
    have what it states ("两车都是常规五座布局"); else []."""
    start = max(text.rfind(c, 0, at) for c in "。！？!?\n") + 1
    if not _BOTH.search(text, start, at):
        return []
    cars: list[str] = []
    block = max(text.rfind(c, 0, start) for c in ("\n【", "\n#", "\n\n【"))  # its block's
    for h in sorted(
        (h for h in hits if h.car and block < h.start and h.end <= at), key=lambda h: -h.end
    ):
        if h.car not in cars:
            cars.append(h.car)  # type: ignore[arg-type]  # filtered: a car
    return cars[:2] if len(cars) >= 2 else []


_WHICH = re.compile(r"前者|后者")
_WHICH_END = re.compile(r"[。！？!?\n]")
_WHICH_REACH = 300  # characters back to the two cars 前者/后者 point at


def referred_car(text: str, at: int, hits: list[Hit]) -> str | None:
    """The car 前者 or 后者 before `text[at]` in its sentence stands for: the first or the
    second of the last two cars named before that word; None when there is no such word or
    no such pair."""
    start = max(text.rfind(c, 0, at) for c in "。！？!?\n") + 1
    words = list(_WHICH.finditer(text, start, at))
    if not words:
        return None
    word = words[-1]
    back = max(0, word.start() - _WHICH_REACH, text.rfind("\n\n", 0, word.start()))
    pair: list[str] = []
    for h in sorted(
        (h for h in hits if h.car and back <= h.start and h.end <= word.start()),
        key=lambda h: -h.end,
    ):
        if h.car not in pair:
            pair.insert(0, h.car)  # type: ignore[arg-type]  # filtered: a car
        if len(pair) == 2:
            break
    if len(pair) != 2:
        return None
    return pair[0] if word.group() == "前者" else pair[1]
