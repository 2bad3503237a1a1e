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
from ingest.specs.counts import ENGINE_NAMED
from ingest.specs.numbers import Quantity, joined_list, quantities
from ingest.specs.outline import described_code, list_variant
from ingest.specs.shapes import Found, values_of
from ingest.specs.values import compared, read, rpm_value
from ingest.specs.vocabulary import Vocabulary, unit_hint

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
    labels = sorted({*labels, *_topics(vocab, text, skip, labels)})
    if not labels:
        return []
    figures = _figures_near(vocab, text, labels)
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
            if compared(text, q.start, q.end):
                break
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


# The engine or version a sentence is about, named before the figure in the same sentence:
# "The 1.5L U2 CRDi diesel engine produces …", "长续航双电机"WE"版搭载86kWh电池".
_ENGINE_NAME = re.compile(
    rf"\b(?P<v>\d\.\d\s*-?\s*(?:l|litre|liter)\b[^.,;:()]{{0,40}}?){ENGINE_NAMED}", re.I
)
# …版, or a drive, motor or range version's 版本/车型 ("双电机版本"; a bare "两种版本" is none)
_VERSION_NAME = re.compile(
    r"(?P<v>[^\s，。；、：:,（）()「」『』“”/／]{1,14}版(?![本权面])"
    r"|(?:两驱|四驱|前驱|后驱|单电机|双电机|标准续航|长续航|超长续航)(?:版本|车型))"
)
# 「手动星动版／手动星光版」: a version named in brackets is named whole
_QUOTED_VERSION = re.compile(r"[「『“](?P<v>[^」』”\n]{1,24}?版)[」』”]")
# Words a Chinese version name never holds: pronouns and particles before it ("它保留了…版")
_NOT_IN_NAME = re.compile(r"其中|而且|以及|[它其了与和及的是在为将把被比较跟同都也即而]")
# …and a name right after one of these is not the subject: what the subject is compared
# with ("它与手动基础版相差1万元") or the object of its verb ("它保留了极光X5燃油版的…")
_NOT_SUBJECT_AFTER = "与比较跟同了"
# hard-wrapped lines go on; a new list item starts afresh
_SENTENCE_START = re.compile(r"[。！？；;!?]|\.\s|\n\s*\n|\n[ \t]*(?:[-*•]|\d+\.)[ \t]")


# "- **SE Standard Range**: The entry-level trim featuring a 63 kWh battery …"
_ITEM_LEAD = re.compile(r"^\s*(?:[-*•]\s+)?\*\*(?P<v>[^*\n]{1,40}?)\s*:?\*\*\s*:?", re.MULTILINE)


# "The CVT automatic petrol variant returns …": a variant named as one in its sentence
_NAMED = re.compile(
    r"\b(?:the|a|an|this|its)\s+(?P<v>[A-Za-z0-9][\w.\-\s]{1,40}?)\s+"
    r"(?:variant|version|trim|option|tune)s?\b",
    re.IGNORECASE,
)
# "…, while the petrol IVT automatic returns approximately 18.4 km/l": a later clause's own
# subject, right before its verb of stating a figure
_CLAUSE_SUBJECT = re.compile(
    r"(?:^|[,;]\s*|\b(?:while|whereas|with)\s+)(?:the|a|an)\s+"
    r"(?P<v>[A-Za-z0-9][\w.\-\s]{1,30}?)\s+"
    r"(?:returns?|returning|delivers?|delivering|achieves?|achieving|is\s+rated|rated)\b",
    re.IGNORECASE,
)


# "超长续航双电机"YOU"搭载100kWh电池，NEDC续航606km": the version a Chinese sentence is
# about, as the subject of its first verb of fitting
_SUBJECT = re.compile(
    r"\s*(?P<v>[^\s，。；、：:,（）()]{2,16}?)(?:搭载|配备|配置|采用|拥有|装备)(?:了|有)?"
)
_NOT_VARIANT = re.compile(r"[车它其我]$|新车|该车|本车|车型|全系|方面|这款|此款|^[A-Za-z0-9 .-]+$")


_LEAD_WORD = re.compile(r"^(?:其中|而且|而|以及|和|与|对于|至于|分别为|分别是|包括|有)")


_SYSTEMS = re.compile(r"\bsystems?$", re.I)


def with_variant(vocab: Vocabulary, text: str, found: Found) -> Found:
    """`found` with the variant its list, its list item or its sentence names before it."""
    listed = list_variant(vocab, text, found.value.start)
    if listed is not None and not (found.variant and _SYSTEMS.search(listed)):
        return replace(found, variant=listed)  # ("**Four-Wheel Drive Systems:**" over a
        # fact naming its own variant, "4WD on select trims", is the fact's topic)
    lead = _ITEM_LEAD.match(text, text.rfind("\n", 0, found.start) + 1)
    if found.variant is not None:
        if lead is not None and found.start >= lead.end() and described_code(lead, found.variant):
            return replace(found, variant=lead.group("v").strip())
        return found
    if lead is not None:
        return replace(found, variant=lead.group("v").strip())
    back = max(0, found.start - 400)  # a sentence is never longer
    starts = [m.end() for m in _SENTENCE_START.finditer(text, back, found.start)]
    sentence = text[starts[-1] if starts else back : found.start]
    named = list(_NAMED.finditer(sentence))
    at_named = {_at(m) for m in named}
    subjects = [m for m in _CLAUSE_SUBJECT.finditer(sentence) if _at(m) not in at_named]
    names = (
        sorted([*named, *subjects], key=_at)
        or list(_ENGINE_NAME.finditer(sentence))
        or _versions(sentence)
    )
    if not names:
        subject = _SUBJECT.match(sentence)
        if subject is None or _NOT_VARIANT.search(subject.group("v")):
            return found
        return replace(found, variant=subject.group("v"))
    last = names[-1]
    if _OBJECT_OF.search(sentence, 0, last.start()):
        return found  # "pairs the 1.5-litre turbo engine with … an 18.4 kWh battery": an object
    name = _LEAD_WORD.sub("", " ".join(last.group("v").split()))
    return replace(found, variant=name or None)


def _at(m: re.Match[str]) -> int:
    return m.start("v")


def _versions(sentence: str) -> list[re.Match[str]]:
    """The Chinese version names of a sentence in order: bracketed ones whole, others from
    their last pronoun or particle on, none that follows 与/比 (what it is compared with)."""
    quoted = list(_QUOTED_VERSION.finditer(sentence))
    out = list(quoted)
    for m in _VERSION_NAME.finditer(sentence):
        if any(q.start() <= m.start("v") < q.end() for q in quoted):
            continue
        cuts = list(_NOT_IN_NAME.finditer(sentence, m.start("v"), m.end("v")))
        cut = cuts[-1] if cuts else None
        if cut is None:
            out.append(m)
        elif cut.group() not in _NOT_SUBJECT_AFTER and cut.end() < m.end("v") - 1:
            tail = _VERSION_NAME.match(sentence, cut.end())
            if tail is not None:
                out.append(tail)
    return sorted(out, key=_at)


# A name right after a verb that joins parts is what the subject is made of, not the subject:
# "a plug-in hybrid that pairs the 1.5-litre turbo engine with an electric motor".
_OBJECT_OF = re.compile(
    r"\b(?:pairs?|pairing|combines?|combining|mates?|mating|couples?|coupling|joins?|"
    r"teams?|adds?|borrows?)\s+(?:it\s+with\s+)?(?:the|a|an|its)?\s*$",
    re.IGNORECASE,
)


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


def modified(vocab: Vocabulary, text: str, m: tuple[int, int]) -> bool:
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
        figures.extend(q for q in quantities(text, a, b) if q.unit is not None or q.wan)
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
        values = read(attr, text, start, end, unit_hint(label), bare=False)
        if not values or values[0].start != start:
            return []
        end = values[0].rpm[1] if values[0].rpm else values[0].end
    return values_of(
        vocab,
        key,
        "",
        text,
        start,
        end,
        ev_start,
        ev_end if ev_end is not None else end,
        None,
        single=False,
    )


# An option, pack or package a sentence prices rather than the car
_OPTION = re.compile(
    r"选装|选配|套件|[^\s，。]包[（(，,]|\b(?:option(?:al)?|pack(?:age)?|add-on|accessor(?:y|ies))\b",
    re.IGNORECASE,
)


def _option_priced(text: str, at: int) -> bool:
    back = max(0, at - 200)
    starts = [m.end() for m in _SENTENCE_START.finditer(text, back, at)]
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
