"""Figures a Chinese clause gives around a fact the readers found, which no label reaches.

- The engine speed written before the power or torque it belongs to, after 在/于 and before
  下/时: "在4200转/分时输出最大功率95kW", "于1800r/min转速下即可达到280N·m的峰值扭矩".
- The engine speed of a power or torque given earlier in the sentence, in a clause of its own
  with the label and no figure: "最大扭矩为260N·m，在1600转时即可达到最大扭矩"; or with no
  label, right after the figure: "峰值扭矩395牛米，在1800-3600转之间就能输出".
- A version's figure in the next clause, which names the version and leaves the label out:
  "单电机版最大功率为180kW，双电机版则为360kW" gives 双电机版 a power ("，四驱版630km" too).
- The figure of an earlier generation of the car the sentence compares the fact with, in the
  fact's unit: "最大扭矩320N·m，相比上一代的290N·m有所提升" gives the 上一代's torque.
"""

from __future__ import annotations

import re

from ingest.specs.numbers import quantities
from ingest.specs.shapes import ZH_VERSION_WORDS, Found
from ingest.specs.values import read, rpm_value
from ingest.specs.vocabulary import Vocabulary

_CLAUSE_STOP = re.compile(r"[，,。；;！？!?\n]")
_SENTENCE_STOP = re.compile(r"[。；;！？!?\n]")
_AT = re.compile(r"[在于当]\s*$")
# between the speed and the label: what turns ("发动机转速"), 下/时/(区)间内, then the verb
_SPEED_TAIL = re.compile(r"[\u4e00-\u9fff]{0,8}?[下时内间][\u4e00-\u9fff]{0,8}")
# "相比第一代", "较上一代的", "对比老款车型": the earlier car the clause compares with
_EARLIER = re.compile(
    r"(?:相比|相较|对比|比起|较)(?:于)?\s*"
    r"(?P<v>第[一二三四五六七八九十\d]{1,2}代|上一?代|前一?代|老款|旧款)(?:车型|产品)?的?\s*"
)


# "，双电机版则为360kW": a clause that opens with a version's name, then a verb of being
_NEXT_VERSION = re.compile(
    r"\s*[，,；;]\s*(?:而|其中|至于)?\s*(?P<v>(?:" + ZH_VERSION_WORDS + r")(?![版车])"
    r"|[\u4e00-\u9fffA-Za-z0-9+.\"]{1,12}?(?:版本|版|车型))"
    r"\s*(?:则|的|则是)?\s*(?P<verb>为|是|达到|达|可达|仅需|只需|约为|约|则为)?\s*"
)


def around(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The engine speeds, versions' and earlier generations' figures beside `found`, not in
    it."""
    taken = {f.value.start for f in found}
    speeds = [s for f in found if (s := _speed_before(text, f, taken)) is not None]
    speeds += _speeds_alone(vocab, text, [*found, *speeds])
    out = speeds + _next_versions(vocab, text, found, taken)
    if "代" not in text and "款" not in text:
        return out
    return out + _earlier(vocab, text, [*found, *out])


# "在1600转时即可达到最大扭矩": a speed, then what turns and 下/时, then the verb; the label
# (read from the vocabulary) must follow with no figure of its own
_SPEED_CLAUSE = re.compile(
    r"[在于当]\s*(?P<rpm>\d[\d,. ]*(?:-\d[\d,. ]*)?\s*(?:rpm|r/min|转/分钟?|转))"
    r"[\u4e00-\u9fff]{0,8}?(?:区间内|范围内|之间|[下时内])(?:即可|就能|便可|就可|可以|可)?"
    r"(?:达到|输出|爆发出?|迸发出?|实现)?(?:其)?(?:(?P<label>[\u4e00-\u9fff]{2,6})|(?=[，,。；;！？!?\n]|$))",
    re.IGNORECASE,
)


def _speeds_alone(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    out = []
    for m in _SPEED_CLAUSE.finditer(text):
        stops = [s.end() for s in _SENTENCE_STOP.finditer(text, max(0, m.start() - 200), m.start())]
        start = stops[-1] if stops else max(0, m.start() - 200)
        run = m.group("label")
        if run is None:  # "峰值扭矩395牛米，在1800-3600转之间就能输出": the figure just before
            before = sorted(
                (f for f in found if start <= f.value.start < m.start()), key=lambda f: f.value.end
            )
            run = before[-1].attribute if before and before[-1].value.end >= m.start() - 3 else ""
        key = next(
            (k for j in range(len(run), 1, -1) if (k := vocab.lookup(run[:j])) is not None), run
        )
        if key not in ("power", "torque") or re.match(r"[为是:：]?\s*\d", text[m.end() :]):
            continue  # another attribute, or the label's own figure follows (`_speed_before`)
        facts = [f for f in found if f.attribute == key and start <= f.value.start < m.start()]
        value = rpm_value(text, m.start("rpm"), m.end("rpm"))
        if facts and value is not None and not any(f.attribute == f"{key}_rpm" for f in found):
            out.append(Found(f"{key}_rpm", value, m.start(), m.end(), facts[-1].variant))
    return out


def _next_versions(
    vocab: Vocabulary, text: str, found: list[Found], taken: set[int]
) -> list[Found]:
    """Each fact's next clause's version figure, and that one's next ("…，B版为…，而C版约为…")."""
    queue, out = list(found), []
    while queue:
        fact = queue.pop()
        attr = vocab.attributes.get(fact.attribute)
        m = _NEXT_VERSION.match(text, fact.value.end)
        if attr is None or m is None or m.end() in taken:
            continue
        if m.group("verb") is None and attr.dimension in ("text", "count"):
            continue  # "，四驱版630km" names its figure at once; words need a verb
        values = read(attr, text, m.end(), min(len(text), m.end() + 24), None, bare=False)
        if values and values[0].start == m.end():
            out.append(Found(fact.attribute, values[0], m.start("v"), values[0].end, m.group("v")))
            queue.append(out[-1])
            taken.add(m.end())
    return out


def _speed_before(text: str, fact: Found, taken: set[int]) -> Found | None:
    if fact.attribute not in ("power", "torque"):
        return None
    stops = [m.end() for m in _CLAUSE_STOP.finditer(text, max(0, fact.start - 40), fact.start)]
    start = stops[-1] if stops else max(0, fact.start - 40)
    for q in quantities(text, start, fact.start, group_spaces=True):
        if q.start in taken or q.unit is None or q.unit.dimension != "rpm":
            continue
        if _AT.search(text, start, q.start) and _SPEED_TAIL.fullmatch(text, q.end, fact.start):
            value = rpm_value(text, q.start, q.end)
            if value is not None:
                return Found(f"{fact.attribute}_rpm", value, q.start, fact.end, fact.variant)
    return None


def _earlier(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """An earlier generation's figures, each of the nearest fact before it in its sentence
    whose attribute reads it (its unit is of that attribute's dimension)."""
    out = []
    for m in _EARLIER.finditer(text):
        stops = [s.end() for s in _SENTENCE_STOP.finditer(text, max(0, m.start() - 200), m.start())]
        start = stops[-1] if stops else max(0, m.start() - 200)
        before = [f for f in found if start <= f.value.start and f.value.end <= m.start()]
        for fact in sorted(before, key=lambda f: f.value.end, reverse=True):
            attr = vocab.attributes.get(fact.attribute)
            values = (
                read(attr, text, m.end(), min(len(text), m.end() + 24), None, bare=False)
                if attr
                else []
            )
            if values and values[0].start == m.end():
                out.append(Found(fact.attribute, values[0], m.start(), values[0].end, m.group("v")))
                break
    return out
