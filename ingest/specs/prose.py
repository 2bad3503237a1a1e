"""Facts from sentences, English and Chinese.

A figure belongs to a label when the sentence says so plainly: the label then the figure in
the same clause ("The Nexon has a length of 3993 mm", "轴距为：2620毫米", "maximum power of
84.4 kW (115 PS) at 6,300 rpm"), or the figure then the label ("4,300 mm in overall length",
"29 MPG city", "250 Nm of torque"). The figure's unit must be of the label's dimension;
figures with no unit are never taken from prose.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from ingest.specs.conditions import paired
from ingest.specs.numbers import Quantity, joined_list, quantities
from ingest.specs.shapes import Found, values_of
from ingest.specs.subjects import SENTENCE_START, with_variant
from ingest.specs.traps import earlier_model
from ingest.specs.units import KWH100, L100
from ingest.specs.values import compared, read, rpm_value
from ingest.specs.vocabulary import Hint, Vocabulary, unit_hint

# A wrapped line goes on; a blank line or a new list item ends the clause.
_CLAUSE_END = re.compile(r"[。！？；;!?]|\.(?:\s|$)|\n\s*\n|\n\s*(?:[-*•]|\d+\.)\s")
_WINDOW = 48  # characters from the end of a label to its figure
# A change, not a value: "续航里程提升10km", "提升续航里程达61.6km", "increased by 20 hp"
# (written right before the figure or the label; "提升至138kW" is a value).
_DELTA = re.compile(
    r"(?:提升|提高|增加|降低|减少|缩短|加长|多出|相比)了?(?:约|近)?\s*$|\b(?:by|increased?|"
    r"decreased?|more than|less than)\s*$|\b(?:half|quarter)(?:\s+an?)?\s*$|一半的?$",
    re.IGNORECASE,
)
# "Can add approximately 60 miles of range": an amount gained, not the car's figure
_ADDED = re.compile(r"\b(?:adds?|adding|gains?|extra|additional|another)\b[^.;\n]*$", re.I)
_POSTFIX = re.compile(
    r"[ \t]*(?:(?:of|in|for)\s+)?(?:(?:overall|total|the)\s+)?"
    r"(?P<one>[A-Za-z][\w-]*)(?:(?P<two>[ \t]+[A-Za-z][\w-]*)(?P<three>[ \t]+[A-Za-z][\w-]*)?)?",
)


def sentences(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Label–figure pairs in the prose of `text`, outside the spans already read."""
    labels = [
        m
        for m in vocab.find_labels(text)
        if not any(s <= m[0] < e for s, e in skip) and not modified(vocab, text, m)
    ]
    tight = [m for m in _tight(vocab, text, labels) if not any(s <= m[0] < e for s, e in skip)]
    labels = sorted({*labels, *_topics(vocab, text, skip, labels), *tight})
    if not labels:
        return []
    figures = _figures_near(vocab, text, labels)
    # "0-100km/h加速时间为6.9s", "0-62mph in 6.6 seconds": a figure inside a label (or the
    # whole of it) is part of its name, not a value
    figures = [q for q in figures if not any(a <= q.start and q.end <= b for a, b in labels)]
    labels = [m for m in labels if not any(q.start <= m[0] < q.end for q in figures)]
    taken: set[int] = set()
    own: list[tuple[Found, str]] = []  # figures told apart by their own brackets
    out = _figure_then_label(vocab, text, figures, taken)
    # label then figure, in the same clause, before the next label
    for i, m in enumerate(labels):
        if any(f.start <= m[0] < f.end for f in out):
            continue
        stop = _clause_end(text, m[1])
        nxt = labels[i + 1][0] if i + 1 < len(labels) else len(text)
        stop = min(stop, nxt, m[1] + _WINDOW)
        for q in figures:
            if q.start < m[1] or q.start >= stop or q.start in taken:
                continue
            before_label = text[max(0, m[0] - 10) : m[0]]
            before_figure = text[max(m[1], q.start - 12) : q.start]
            if _DELTA.search(before_label) or _DELTA.search(before_figure):
                break
            if (
                compared(text, q.start, q.end)
                or _BEYOND.match(text, q.end)
                or _class_bound(text, q)
            ):
                break  # "售价10万元以内的车型": a bound of a class of cars, not a value
            if earlier_model(text, q.start):
                continue  # "最大功率由老款的185kW提升至195kW": the label's figure is the next
            found = _bind(vocab, m, text, q.start, _value_end(text, q.end), m[0], None)
            pair = paired(text, q, figures, partial(_bind_at, vocab, m, text)) if found else []
            if pair:  # "11 kW (standard) or 19.2 kW (optional)": each its version's
                own += pair
                taken.update(f.value.start for f, _ in pair)
                break
            if found:
                out.extend(found)
                taken.add(q.start)
                out.extend(_enumerated(vocab, m, text, figures, q, taken))
                break
    listed = [(with_variant(vocab, text, f).variant, f, v) for f, v in own]
    return [with_variant(vocab, text, f) for f in out] + [
        replace(f, variant=f"{head} ({v})" if head else v) for head, f, v in listed
    ]


# "续航方面，…": a topic the next figures are about; a word too weak to be a label in a
# sentence ("续航", "功率") is one when the sentence makes it its topic.
_TOPIC = re.compile(r"([\u4e00-\u9fff]{1,6})方面")


def _topics(
    vocab: Vocabulary, text: str, skip: list[tuple[int, int]], labels: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    out = []
    for m in _TOPIC.finditer(text):
        if any(s <= m.start() < e for s, e in skip) or any(a < m.end(1) <= b for a, b in labels):
            continue
        word = m.group(1)
        for i in range(len(word)):
            key = vocab.lookup(word[i:])
            attr = vocab.attributes.get(key) if key else None
            if attr is not None and attr.dimension not in ("text", "count"):
                out.append((m.start(1) + i, m.end(1)))
                break
    return out


# "10万元以内的车型": a bound that picks out cars ("续航500km以上，" is the car's own bound)
_BEYOND = re.compile(r"\s*(?:以内|之内|以下|以上)的")
# "唯一一款售价跌破7万元的车型": a bound before a figure that qualifies a noun picks out cars
_BOUND_BEFORE = re.compile(r"(?:跌破|低于|高于|超过|不到|不足|突破)\s*$")


def _class_bound(text: str, q: Quantity) -> bool:
    return text.startswith("的", q.end) and bool(
        _BOUND_BEFORE.search(text, max(0, q.start - 4), q.start)
    )


# "续航526km", "功率为150kW", "续航提升到760km", "电池也加大到15.87度": a word too weak to be
# a label in a sentence is one when its figure follows it at once, past a verb of being or of
# reaching at most
_AT_ONCE = re.compile(
    r"(?:为|是|达到?|可达|高达|约为?|仅为?|仅需|只有|[:：]"
    r"|(?:也|还|则)?(?:提升|提高|增加|增长|延长|缩短|降低|下降|升级|加大|增大|扩大)?(?:到|至))?\s*\d"
)


def _tight(vocab: Vocabulary, text: str, labels: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for word in vocab.weak_zh:
        for m in re.finditer(re.escape(word), text):
            if _AT_ONCE.match(text, m.end()) and not any(
                a < m.end() and m.start() < b for a, b in labels
            ):
                out.append((m.start(), m.end()))
    return out


# "分别是526km、606km和712km", "290, 303 and 318 miles": one label, several figures
_LIST_JOIN = re.compile(r"\s*(?:、|,|，|和|及|与|以及|或|\band\b|\bor\b)\s*", re.IGNORECASE)


def _enumerated(
    vocab: Vocabulary,
    m: tuple[int, int],
    text: str,
    figures: list[Quantity],
    first: Quantity,
    taken: set[int],
) -> list[Found]:
    """The further figures of a list that follows a label's first figure, each bound to it."""
    out: list[Found] = []
    last = first
    for q in figures:
        if q.start <= last.start:
            continue
        join = _LIST_JOIN.fullmatch(text, last.end, q.start)
        if join is None or q.start in taken or q.unit is not last.unit:
            break
        found = _bind(vocab, m, text, q.start, _value_end(text, q.end), m[0], None)
        if not found:
            break
        out.extend(found)
        taken.add(q.start)
        last = q
    return out


def _rpm_after(text: str, found: Found, end: int) -> list[Found]:
    """ "250 Nm of torque between 1,500-2,750 rpm": the engine speed after the label."""
    if found.attribute not in ("power", "torque"):
        return []
    lead = re.match(r"[ \t]*(?:at|@|between|from)[ \t]*", text[end : end + 12], re.I)
    if lead is None:
        return []
    rpm = rpm_value(text, end + lead.end(), min(len(text), end + lead.end() + 24))
    if rpm is None or rpm.start != end + lead.end():
        return []
    return [Found(f"{found.attribute}_rpm", rpm, found.start, rpm.end, found.variant)]


# "Tightening Torque - 25 Nm": a capitalised gerund before a label makes a name of another
# quantity (a service torque, not the engine's)
_GERUND = re.compile(r"\b[A-Z][a-z]+ing[ \t]+$")


# a label that is a verb ("starts at", "priced from") has a subject before it, no modifier:
# "The Touring starts at $40,395" names a trim ending in -ing
_VERB_LABEL = re.compile(r"(?:starts?|starting|priced)\b", re.IGNORECASE)


def modified(vocab: Vocabulary, text: str, m: tuple[int, int]) -> bool:
    if _VERB_LABEL.match(text, m[0]):
        return False
    gerund = _GERUND.search(text, max(0, m[0] - 24), m[0])
    return gerund is not None and vocab.lookup(text[gerund.start() : m[1]]) is None


def _figures_near(vocab: Vocabulary, text: str, labels: list[tuple[int, int]]) -> list[Quantity]:
    """Figures with a unit close enough to a label to be bound to it (reading only those
    windows keeps a long text with thousands of bare numbers cheap)."""
    windows = [(a, min(len(text), b + _WINDOW + 40)) for a, b in labels]
    windows += [(max(0, a - 30), a) for a, _ in labels if _HAN.match(text, a)]  # "…的定价区间"
    for m in _WORDS.finditer(text):
        if m.group().lower() in vocab.label_first:
            windows.append((max(0, m.start() - 40), m.start()))
    windows.sort()
    merged: list[list[int]] = []
    for a, b in windows:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    figures: list[Quantity] = []
    for a, b in merged:
        a = _figure_start(text, a)
        for q in quantities(text, a, b):
            if q.unit is not None or q.wan:
                figures.append(q)
            elif text.startswith(",", q.end) and (joined := joined_list(text, q.start, b)):
                figures.append(joined)  # "长宽高4830、1900、1495毫米": the unit once, at the end
    return figures


def _figure_start(text: str, at: int) -> int:
    """Move a window's start back to the beginning of a figure it would cut."""
    while at > 0 and (text[at - 1].isdigit() or text[at - 1] in ".,"):
        at -= 1
    return at


_WORDS = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _figure_then_label(
    vocab: Vocabulary, text: str, figures: list[Quantity], taken: set[int]
) -> list[Found]:
    """ "4,300 mm in overall length", "34 MPG combined", "250 Nm of torque"."""
    out: list[Found] = []
    for q in figures:
        m = _POSTFIX.match(text, q.end)
        if _ADDED.search(text, max(0, q.start - 24), q.start):
            continue
        if m is None:
            out.extend(_zh_label_after(vocab, text, q, taken))
            continue
        for end in (m.end("three"), m.end("two"), m.end("one")):
            if end < 0 or vocab.lookup(text[m.start("one") : end]) is None:
                continue
            found = _bind(vocab, (m.start("one"), end), text, q.start, q.end, q.start, end)
            if found:
                out.extend(found)
                out.extend(_rpm_after(text, found[0], end))
                taken.add(q.start)
                break
    return out


# "6.98万－9.98万元的定价区间", "160kW的大功率电机", "600KM＋的远征续航": a Chinese label after
# its figure, past a few words that qualify it
_BOUND = re.compile(r"(?:接近|将近|不到|不足|超过|低于|高于|以内|之内)$")
# "再回头看看这10万起的预售价": a figure after 这/那/此 points back at one already stated
_BACK_REFERENCE = re.compile(r"(?:这|那|此)(?:个|款|台|辆)?$")
_ZH_AFTER = re.compile(r"[+＋]?\s*的?(?P<run>[\u4e00-\u9fff]{2,8})")


def _zh_label_after(vocab: Vocabulary, text: str, q: Quantity, taken: set[int]) -> list[Found]:
    m = _ZH_AFTER.match(text, q.end)
    before = text[max(0, q.start - 12) : q.start]
    if (
        m is None
        or compared(text, q.start, q.end)
        or _DELTA.search(before)
        or _BOUND.search(before)
        or _BACK_REFERENCE.search(before)
    ):
        return []  # "提高了1万元的价格": a change; "接近10万元的售价": a bound
    run = m.group("run")
    for i in range(len(run) - 1):
        for j in range(len(run), i + 1, -1):
            if vocab.lookup(run[i:j]) is None:
                continue
            a = m.start("run") + i
            found = _bind(vocab, (a, a + j - i), text, q.start, q.end, q.start, a + j - i)
            if found:
                taken.add(q.start)
            return found
    return []


def _bind_at(vocab: Vocabulary, m: tuple[int, int], text: str, q: Quantity) -> list[Found]:
    return _bind(vocab, m, text, q.start, q.end, m[0], None)


def _bind(
    vocab: Vocabulary,
    m: tuple[int, int],
    text: str,
    start: int,
    end: int,
    ev_start: int,
    ev_end: int | None,
) -> list[Found]:
    label = text[m[0] : m[1]]
    key = vocab.lookup(label)
    if key is None:
        return []
    joined = joined_list(text, start, start + 60) if key == "LWH" else None
    end = joined.end if joined is not None else end  # "长宽高分别为4900mm、1860mm和1450mm"
    if key != "LWH":
        attr = vocab.attributes[key]
        if attr.dimension in ("text", "count"):
            return []  # only measured values are read from sentences
        if attr.dimension == "price" and _option_priced(text, min(m[0], start)):
            return []  # "可选装越级舒享包……，售价10000元": the option's price, not the car's
        if (
            unit_hint(label) is None
            and key.startswith("fuel_economy")
            and _HAN.search(label)
            and _LITRES.match(text, start)
        ):
            label = _PER_100KM_LABEL  # "亏电油耗每百公里2.9升": litres are per 100 km in Chinese
        values = read(attr, text, start, end, unit_hint(label), bare=False)
        if not values or values[0].start != start:
            return []
        end = values[0].rpm[1] if values[0].rpm else values[0].end
    per_100km = unit_hint(label) in _PER_100KM  # "百公里电耗为12.5kWh": the label's unit
    return values_of(
        vocab,
        key,
        label if per_100km else "",
        text,
        start,
        end,
        ev_start,
        ev_end if ev_end is not None else end,
        None,
        single=False,
    )


_PER_100KM = (Hint(L100), Hint(KWH100))
_PER_100KM_LABEL = "百公里油耗"
_LITRES = re.compile(r"\d+(?:\.\d+)?\s*升(?!\s*[/每])")  # "2.9升", not "13.1升每百公里"


# An option, pack or package a sentence prices rather than the car
# an option package (…包), not a battery pack (电池包)
_OPTION = re.compile(
    r"选装|选配|套件|(?<!电)[^\s，。]包[（(，,]|"
    r"\b(?:option(?:al)?|pack(?:age)?|add-on|accessor(?:y|ies))\b",
    re.IGNORECASE,
)


def _option_priced(text: str, at: int) -> bool:
    back = max(0, at - 200)
    starts = [m.end() for m in SENTENCE_START.finditer(text, back, at)]
    return _OPTION.search(text, starts[-1] if starts else back, at) is not None


def _value_end(text: str, end: int) -> int:
    """Extend a figure over a restatement and an engine speed: "(115 PS) at 6,300 rpm"."""
    m = re.match(
        r"\s*[(（][^)）\n]{1,20}[)）](?:\s*(?:at|@|/|between)\s*[\d ,.\-]+\s*(?:rpm|r/min))?",
        text[end:],
        re.I,
    )
    if m is None:
        m = re.match(r"\s*(?:at|@|/|between)\s*[\d ,.\-]+\s*(?:rpm|r/min)", text[end:], re.I)
    return end + (m.end() if m else 0)


def _clause_end(text: str, start: int) -> int:
    m = _CLAUSE_END.search(text, start)
    return m.start() if m else len(text)
