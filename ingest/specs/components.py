"""Power and torque of one part of a Chinese powertrain (`components`).

A plug-in or range-extended car states its engine's and its motors' output beside the
system's ("发动机最大功率：110kW" and "系统综合功率：265kW", "增程器：1.5T四缸，最大功率113kW" and
"系统最大功率：330kW", "1.5T发动机最大功率115kW，电机最大功率160kW"). Each part's figure is
that part's (the gold's convention: a component is the variant, as the RAV4's "Front
motor"), so a section that gives power or torque of more than one part, or of a part and the
whole system, names each part's figure by its part. A figure already of a version ("两驱版")
keeps it; an engine size never names a motor's figure ("1.5T…，电机最大功率160kW").

A plug-in's or range extender's total range ("满油满电状态下的综合续航可达1200km", "综合续航1100km")
beside its electric range ("纯电续航里程为200km") is no electric range (`without_total_range`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

_PART = re.compile(r"(?:前|后|前置|后置|驱动)?(?:电动机|电机|马达)|发动机|增程器|引擎")
_BOTH_MOTORS = re.compile(r"前后(?:双)?电(?:动)?机")
_BOTH = "前后"
_SYSTEM = re.compile(r"系统|综合|总功率|总扭矩")
_CLAUSE = re.compile(r"[，。；,;！？!?\n]")
_KV_PART = re.compile(r"^[ \t]*(?P<c>" + _PART.pattern + r")[ \t]*:", re.M)
_ENGINE_SIZE = re.compile(r"^\d\.\d[TL]$")
_MOTOR = re.compile(r"电动机|电机|马达")
_SUBJECT_PART = re.compile(r"\s*(?P<c>" + _PART.pattern + r")(?:都|均|则|也)?(?:是|为|采用|使用)")


def _part(text: str, f: Found) -> str | None:
    """The part a power or torque figure's own words name, or "" for the whole system."""
    line = text.rfind("\n", 0, f.value.start) + 1
    kv = _KV_PART.match(text, line)
    if kv is not None:
        return kv.group("c")  # "增程器：1.5T四缸，最大功率113kW"
    cuts = [m.end() for m in _CLAUSE.finditer(text, max(line, f.value.start - 30), f.value.start)]
    clause = text[cuts[-1] if cuts else max(line, f.value.start - 30) : f.value.start]
    if _SYSTEM.search(clause):
        return ""
    if _BOTH_MOTORS.search(clause) and "分别" in clause:
        return _BOTH  # "前后电机最大功率分别为180kW和300kW": each motor in turn
    parts = list(_PART.finditer(clause))
    if parts:
        return parts[-1].group()
    # "发动机都是同一台1.5升自然吸气四缸，最大功率74千瓦": the sentence's subject is the part
    start = max(text.rfind(c, 0, f.value.start) for c in "。！？!?\n") + 1
    subject = _SUBJECT_PART.match(text, start, f.value.start)
    return subject.group("c") if subject else None


def components(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """`found` with the figures of a powertrain's parts named by their part."""
    parts: dict[int, str] = {}
    for i, (f, _) in enumerate(found):
        if f.attribute in ("power", "torque"):
            part = _part(text, f)
            if part is not None:
                parts[i] = part
    if len(set(parts.values())) < 2:
        return found  # one part only, or the system only: no part to tell apart
    turn: dict[tuple[str, str], int] = {}
    for i in sorted(parts, key=lambda i: found[i][0].value.start):
        if parts[i] == _BOTH:
            key = (found[i][0].attribute, _BOTH)
            parts[i] = ("前电机", "后电机")[min(turn.get(key, 0), 1)]
            turn[key] = turn.get(key, 0) + 1
    out = []
    for i, (f, prose) in enumerate(found):
        part = parts.get(i)
        engine_size = f.variant is not None and _ENGINE_SIZE.match(f.variant) is not None
        if part and (f.variant is None or (engine_size and _MOTOR.search(part))):
            f = replace(f, variant=part)
        out.append((f, prose))
    return out


_PURE = re.compile(r"纯电")
_TOTAL = re.compile(r"综合续航|满油满电|油电综合|总续航")


def without_total_range(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """`found` less the total ranges of a section that also states an electric range."""
    kinds = {}
    for i, (f, _) in enumerate(found):
        if f.attribute == "electric_range":
            cuts = list(_CLAUSE.finditer(text, max(0, f.value.start - 30), f.value.start))
            clause = text[cuts[-1].end() if cuts else max(0, f.value.start - 30) : f.value.start]
            kinds[i] = "total" if _TOTAL.search(clause) else "pure" if _PURE.search(clause) else ""
    if "pure" not in kinds.values():
        return found
    return [pair for i, pair in enumerate(found) if kinds.get(i) != "total"]


# "前180kW永磁电机加后300kW感应电机": a motor's power written between its place and the word
_PLACED_MOTOR = re.compile(
    r"(?P<place>前|后)置?\s*(?P<fig>\d+(?:\.\d+)?\s*kW)[^，。；,;\d]{0,6}?电(?:动)?机", re.I
)


def placed_motors(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The front and rear motors' power given as "前180kW…电机", outside `skip`."""
    out: list[Found] = []
    if "电" not in text or "power" not in vocab.attributes:
        return out
    for m in _PLACED_MOTOR.finditer(text):
        if any(a <= m.start("fig") < b for a, b in skip):
            continue
        read = values_of(
            vocab,
            "power",
            "",
            text,
            m.start("fig"),
            m.end("fig"),
            m.start(),
            m.end(),
            f"{m.group('place')}电机",
            single=True,
        )
        out += read[:1]
    return out
