"""What a Chinese sentence offers as a choice, and the designation a clause is about.

- "新车提供1.5T和2.0T两款发动机", "提供75kWh和100kWh两种电池包", "2.0T车型提供两驱和智能四驱
  两种版本": the items listed before "两款发动机" / "两种电池包|版本|驱动形式" are alternatives.
  Each engine size or battery is its own version (as
  cn05's "有1.5T、1.5T+48V、2.0T三款动力系统"), and drives offered by a subject that names a
  designation ("2.0T车型") are that designation's.
- "其中380TSI车型标配四驱": a clause whose subject is a designation and 车型/版本 (a name with a
  digit: "380TSI", "2.0T") is about that version.
- "新增的3.0T V6机械增压发动机最大功率280kW，峰值扭矩500N·m": a clause whose subject is an engine
  size's engine or version (or that fits one engine to some versions: "中高配车型搭载的是一台
  2.0T…发动机") is about it, and so are the next clauses of its sentence that name no subject
  of their own; where the text names one engine size only, it names no version.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_OFFER = re.compile(
    r"(?:(?P<subject>[A-Za-z0-9.+]{2,10})(?:车型|版本|版))?[^，。；,;！？!?\n]{0,8}?"
    r"(?:提供|有|推出|分为|可选|包括)(?:了)?(?P<items>[^，。；,;！？!?\n]{2,40}?)"
    r"(?:两|三|四|五|[2-5])(?:种|款|个)(?P<what>驱动形式|驱动方式|版本|发动机|动力总成|动力系统|动力|电池包|电池组|电池)"
)
# "其中380TSI车型…", "2.0T版本…": a clause's designation subject
_DESIGNATED = re.compile(
    r"(?:^|[，。；,;！？!?\n])\s*(?:其中|而|另外)?\s*(?P<d>[A-Za-z0-9.+]*\d[A-Za-z0-9.+]*)(?:车型|版本)"
)
_CLAUSE = re.compile(r"[，。；,;！？!?\n]")


def offered(text: str, found: list[Found]) -> list[Found]:
    """`found` with the versions the sentences that offer choices give their facts."""
    offers = list(_OFFER.finditer(text)) if "提供" in text or "有" in text or "分为" in text else []
    out = []
    for f in found:
        f = _offered(text, f, offers)
        if f.variant is None and f.attribute in ("drive", "transmission"):
            f = _designated(text, f)
        elif f.variant is None:
            f = _engine_subject(text, f)
        out.append(f)
    return out


def _offered(text: str, f: Found, offers: list[re.Match[str]]) -> Found:
    if f.variant is not None:
        return f
    for m in offers:
        if not m.start("items") <= f.value.start < m.end("items"):
            continue
        sized = {"displacement": ("发动机", "动力", "版本"), "battery_capacity": ("电池", "版本")}
        if m.group("what").startswith(sized.get(f.attribute, ())):
            return replace(f, variant=text[f.value.start : f.value.end])  # "1.5T", "75kWh"
        if f.attribute == "drive" and m.group("subject"):
            return replace(f, variant=m.group("subject"))
    return f


def _designated(text: str, f: Found) -> Found:
    cuts = [m.start() for m in _CLAUSE.finditer(text, max(0, f.value.start - 40), f.value.start)]
    start = cuts[-1] if cuts else max(0, f.value.start - 40)
    m = _DESIGNATED.match(text, start)
    return replace(f, variant=m.group("d")) if m is not None else f


# "新增的3.0T V6机械增压发动机", "新款H9的2.0T车型", "2.0T车型为…": an engine size as a subject
_ENGINE_SUBJECT = re.compile(
    r"\s*(?:其中|而|另外|[^，。；,;！？!?\n]{0,8}?的)?\s*(?:(?P<d>\d\.\d\s*[TL])(?![A-Za-z0-9])"
    r"(?:\s*[A-Za-z][A-Za-z0-9]{0,3})?[\u4e00-\u9fff]{0,6}?(?:发动机|车型|版本|版)"
    # "EV车型电池容量…", "DM-i车型搭载…": a version named by a Latin designation (a class of
    # body, "SUV车型", is none)
    r"|(?P<n>(?!(?:SUV|MPV|CUV)(?![A-Za-z]))[A-Z][A-Za-z]{1,5}(?:-[A-Za-z0-9]{1,4})?)(?:车型|版本|版))"
)
# "…车型搭载的是一台2.0T四缸涡轮增压发动机，最大功率…": the engine a clause fits, as its object
_FITTED = re.compile(
    r"(?:搭载|配备|采用|装备)(?:了|的是|的)?\s*(?:一台|一款|一具)?\s*(?P<d>\d\.\d\s*[TL])(?![A-Za-z0-9])"
    r"[^，。；,;！？!?\n\d]{0,12}?发动机"
)
# an engine size names a version only where its paragraph names another ("1.5T", "2.0T"), or
# where the engine is fitted to some versions ("中高配车型搭载的是一台2.0T…发动机"); one engine
# of the car's is its own (no variant)
_SIZE = re.compile(r"(?<![\d.])\d\.\d\s*[TL](?![A-Za-z0-9])")
_SOME_VERSIONS = re.compile(r"车型|版|[高低中顶]配")
_SENTENCE = re.compile(r"[。；;！？!?\n]")
# what makes a clause's subject its own: a component, a version, a model or a car
_OWN_SUBJECT = re.compile(r"电机|电池|发动机|增程器|车型|版|款|代|[A-Za-z]+\d|\d\.\d")


def _engine_subject(text: str, f: Found) -> Found:
    stops = [m.end() for m in _SENTENCE.finditer(text, max(0, f.value.start - 200), f.value.start)]
    sentence = stops[-1] if stops else max(0, f.value.start - 200)
    stop = _SENTENCE.search(text, f.value.start)
    if "电机" in text[sentence : stop.start() if stop else len(text)]:
        return f  # an engine beside a motor: each named by its part (`components`)
    cuts = [sentence] + [m.end() for m in _CLAUSE.finditer(text, sentence, f.value.start)]
    end = f.value.start
    para = text.rfind("\n\n", 0, f.value.start) + 1
    para_end = text.find("\n\n", f.value.start)
    named = _SIZE.finditer(text, para, para_end if para_end >= 0 else len(text))
    sizes = len({" ".join(m.group().split()) for m in named}) > 1
    for start in reversed(cuts[-4:]):
        m = _ENGINE_SUBJECT.match(text, start)
        if m is not None and m.end() <= end and (sizes or m.group("n")):
            return replace(f, variant=m.group("d") or m.group("n"))
        m = _FITTED.search(text, start, end if end < f.value.start else f.value.end)
        if m is not None and (m.end() <= end or m.start("d") == f.value.start):
            if sizes or _SOME_VERSIONS.search(text, start, m.start()):
                return replace(f, variant=m.group("d"))
        if _OWN_SUBJECT.search(text, start, end):
            return f  # this clause names its own subject ("电机最大功率160kW")
        end = start
    return f


def subject_sizes(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The displacement an engine size states where it is a clause's subject whose figures
    are that version's ("2.0T车型最大功率…": a 2.0-litre engine), unless one is read already."""
    named = {f.variant for f in found if f.variant and _SIZE.fullmatch(f.variant)}
    attr = vocab.attributes.get("displacement")
    if not named or attr is None:
        return []
    have = {f.variant for f in found if f.attribute == "displacement"}
    out: list[Found] = []
    for start in [0, *(m.end() for m in _CLAUSE.finditer(text))]:
        m = _ENGINE_SUBJECT.match(text, start)
        size = m.group("d") if m is not None else None
        if m is None or size is None or size not in named or size in have:
            continue
        values = read(attr, text, m.start("d"), m.end("d"), None, bare=False)
        if values:
            out.append(Found("displacement", values[0], m.start("d"), m.end("d"), size))
            have.add(size)
    return out


# "提供55KM和120KM两种纯电续航版本": ranges offered as versions, each named by its own range
_OFFERED_RANGES = re.compile(
    r"(?:提供|有|推出|分为|可选|包括)了?(?P<items>[^，。；,;！？!?\n]{2,40}?)"
    r"(?:两|三|四|五|[2-5])(?:种|款|个)(?:CLTC|NEDC|WLTC)?(?:纯电)?续航(?:里程)?(?:版本|版|车型)"
)


def offered_ranges(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """`found` with the electric ranges a sentence offers as versions, each its own version
    (any other reading of those figures dropped)."""
    if "续航" not in text or "electric_range" not in vocab.attributes:
        return found
    attr = vocab.attributes["electric_range"]
    for m in _OFFERED_RANGES.finditer(text):
        a, b = m.span("items")
        values = [v for v in read(attr, text, a, b, None) if v.unit]
        if len(values) < 2:
            continue
        found = [f for f in found if not a <= f.value.start < b]
        found += [
            Found("electric_range", v, m.start(), m.end(), text[v.start : v.end]) for v in values
        ]
    return found
