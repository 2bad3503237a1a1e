"""The version a sentence is about, named before its figure (`with_variant`): a list's or
list item's name, "the CVT automatic petrol variant", a later clause's own subject ("…, while
the petrol IVT automatic returns …"), an engine ("The 1.5L U2 CRDi diesel engine produces …"),
a Chinese version ("长续航双电机"WE"版搭载86kWh电池") or the subject of its verb of fitting.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.counts import ENGINE_NAMED
from ingest.specs.outline import described_code, list_variant
from ingest.specs.shapes import ZH_VERSION_WORDS, Found
from ingest.specs.vocabulary import Vocabulary

# The engine or version a sentence is about, named before the figure in the same sentence:
# "The 1.5L U2 CRDi diesel engine produces …", "长续航双电机"WE"版搭载86kWh电池".
_ENGINE_NAME = re.compile(
    rf"\b(?P<v>\d\.\d\s*-?\s*(?:l|litre|liter)\b[^.,;:()]{{0,40}}?){ENGINE_NAMED}", re.I
)
# …版, or a drive, motor or range version's 版本/车型 ("双电机版本"; a bare "两种版本" is none)
_VERSION_NAME = re.compile(
    r"(?P<v>[^\s，。；、：:,（）()「」『』“”/／]{1,14}版(?![本权面])"
    r"|(?:" + ZH_VERSION_WORDS + r")(?:版本|车型)"
    r"|(?<![A-Za-z0-9.])[A-Za-z0-9.]*\d[A-Za-z0-9.]*(?=版本|车型))"  # "75kWh版本", "380TSI车型"
)
# A sentence's subject that is an engine by its size ("The 1.9-litre, fitted only to …, makes")
# or a group of trims by a shared name ("The petrol 2.5i grades keep …", "The three Hybrid
# grades add …")
_GROUP_SUBJECT = re.compile(
    r"\s*(?:The|All)\s+(?:(?P<v>\d\.\d\s*-?\s*(?:litre|liter|l))(?=\s*,|\s+(?:in|on|with|makes|"
    r"produces|develops|has|gets|is|comes)\b)|(?:[a-z]+\s+)?(?P<g>[A-Z0-9][\w.+-]*)\s+"
    r"(?:grades|trims|variants|versions|models)\b)"
)
# A version named by its number and name as a clause's subject: "the 120hp Evolution uses a
# 40kWh battery", "Its cheaper sibling, the 01 Standard Range, has a 42kWh battery"
_VERSION_SUBJECT = re.compile(
    r"(?:^|[\s:;,])the\s+(?P<v>\d[\w.]*\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2}),?\s+"
    r"(?:uses|has|gets|costs|comes|offers|adds|makes)\b"
)
# The version right before its gearbox, its verb given once ("The SX 4x2 gets a six-speed
# manual and the LS-U 4x2 a six-speed automatic")
_GAPPED = re.compile(
    r"(?:^|\s)(?:The|the)\s+(?P<v>[A-Z][\w-]*(?:\s+[A-Z0-9][\w-]*){0,3})\s+"
    r"(?:(?:gets|has|uses|offers|comes with)\s+)?an?\s+$"
)
# A version named at a bracket's start, before its figure: "(Turbo S: 0-60 mph in 2.4 seconds)"
_BRACKET_LEAD = re.compile(
    r"[(\[]\s*(?P<v>[A-Z][\w+-]*(?:\s+[A-Z0-9][\w+-]*){0,2})\s*:\s*[^()\[\]:]*$"
)
# A version set in bold as its sentence's subject: "The **2.5i Sport** swaps to … 225/55 R18"
_BOLD_SUBJECT = re.compile(r"(?:^|\s)(?:The|the)\s+\*\*(?P<v>[^*\n]{1,30}?)\*\*\s+[a-z]")
# 「手动星动版／手动星光版」: a version named in brackets is named whole
_QUOTED_VERSION = re.compile(r"[「『“](?P<v>[^」』”\n]{1,24}?版)[」』”]")
# Words a Chinese version name never holds: pronouns and particles before it ("它保留了…版")
_NOT_IN_NAME = re.compile(r"其中|而且|以及|[它其了与和及的是在为将把被比较跟同都也即而]")
# …and a name right after one of these is not the subject: what the subject is compared
# with ("它与手动基础版相差1万元") or the object of its verb ("它保留了极光X5燃油版的…")
_NOT_SUBJECT_AFTER = "与比较跟同了"
# hard-wrapped lines go on; a new list item starts afresh
SENTENCE_START = re.compile(r"[。！？；;!?]|\.\s|\n\s*\n|\n[ \t]*(?:[-*•]|\d+\.)[ \t]")


# "- **SE Standard Range**: The entry-level trim featuring a 63 kWh battery …"
# (not a news dateline: "**Ingolstadt, 2 December 2026** — Audi has …", a place and a date;
# nor a live blog's time stamp: "**19:22** 2.0T车型：…")
_ITEM_LEAD = re.compile(
    r"^\s*(?:[-*•]\s+)?\*\*(?![^*\n]*,[^*\n]*(?:19|20)\d\d\*\*\s*[—–-])(?!\s*\d{1,2}:\d\d\*\*)"
    r"(?P<v>[^*\n]{1,40}?)\s*:?\*\*\s*:?",
    re.MULTILINE,
)


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
# about, as the subject of its first verb of fitting; "安全配置上，…" is a topic, no subject
_SUBJECT = re.compile(
    r"\s*(?P<v>[^\s，。；、：:,（）()]{2,16}?)(?:搭载|配备|配置|采用|拥有|装备)(?!上|方面|中)(?:了|有)?"
)
_NOT_VARIANT = re.compile(r"[车它其我]$|新车|该车|本车|车型|全系|方面|这款|此款|^[A-Za-z0-9 .-]+$")


_LEAD_WORD = re.compile(r"^(?:其中|而且|而|以及|和|与|对于|至于|分别为|分别是|包括|有)")


_SYSTEMS = re.compile(r"\bsystems?$", re.I)


def with_variant(vocab: Vocabulary, text: str, found: Found) -> Found:
    """`found` with the variant its list, its list item or its sentence names before it."""
    opened = _zh_opened(text, found)
    if opened is not None:
        return replace(found, variant=opened)
    listed = list_variant(vocab, text, found.value.start)
    if listed is not None and not (found.variant and _SYSTEMS.search(listed)):
        return replace(found, variant=listed)  # ("**Four-Wheel Drive Systems:**" over a
        # fact naming its own variant, "4WD on select trims", is the fact's topic)
    lead = _ITEM_LEAD.match(text, text.rfind("\n", 0, found.start) + 1)
    lead = None if lead is None or _zh_topic(lead.group("v")) else lead
    if found.variant is not None:
        if lead is not None and found.start >= lead.end() and described_code(lead, found.variant):
            return replace(found, variant=lead.group("v").strip())
        return found
    if lead is not None:
        return replace(found, variant=_own_version(text, lead, found) or lead.group("v").strip())
    if found.attribute == "drive" and "\u4e00" <= text[found.value.start] <= "\u9fff":
        # "两驱版……，四驱为3.9秒": a drive word is no version named before it; but "2.0T发动机…，
        # 并且只与智能四驱系统搭配" is the drive of the engine its sentence names
        back = max(0, found.start - 400)
        starts = [m.end() for m in SENTENCE_START.finditer(text, back, found.start)]
        engines = _zh_engines(text, text[starts[-1] if starts else back : found.start], found.start)
        return replace(found, variant=engines[-1].group("v")) if engines else found
    back = max(0, found.start - 400)  # a sentence is never longer
    starts = [m.end() for m in SENTENCE_START.finditer(text, back, found.start)]
    sentence = text[starts[-1] if starts else back : found.start]
    named = list(_NAMED.finditer(sentence))
    at_named = {_at(m) for m in named}
    subjects = [m for m in _CLAUSE_SUBJECT.finditer(sentence) if _at(m) not in at_named]
    names = (
        [m for m in [_GAPPED.search(sentence)] if m and found.attribute == "transmission"]
        or [m for m in [_BRACKET_LEAD.search(sentence)] if m]
        or sorted([*named, *subjects], key=_at)
        or [m for m in [_GROUP_SUBJECT.match(sentence)] if m]  # the subject before an object
        or list(_VERSION_SUBJECT.finditer(sentence))
        or list(_BOLD_SUBJECT.finditer(sentence))
        or list(_ENGINE_NAME.finditer(sentence))
        or _versions(sentence)
        or (_zh_engines(text, sentence, found.start) if found.attribute != "displacement" else [])
    )
    if not names:
        subject = _SUBJECT.match(sentence)
        if subject is None or _NOT_VARIANT.search(subject.group("v")):
            return found
        return replace(found, variant=subject.group("v"))
    last = names[-1]
    if _OBJECT_OF.search(sentence, 0, last.start()):
        return found  # "pairs the 1.5-litre turbo engine with … an 18.4 kWh battery": an object
    group = last.groupdict().get("g")
    name = _LEAD_WORD.sub("", " ".join((group or last.group("v")).split()))
    return replace(found, variant=name or None)


def _own_version(text: str, lead: re.Match[str], found: Found) -> str | None:
    """The Chinese version the figure's own sentence names after a bold lead that names none
    (a car's: "**阿维塔12**：…。增程后驱版电池容量39.05kWh")."""
    if _ZH_VERSION_WORD.search(lead.group("v")) or found.start < lead.end():
        return None
    starts = [m.end() for m in SENTENCE_START.finditer(text, lead.end(), found.start)]
    named = _versions(text[starts[-1] if starts else lead.end() : found.start])
    return named[-1].group("v") if named else None


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


# "其中1.5T发动机最大功率为124kW，2.0T发动机…": an engine size naming a version's engine
_ZH_ENGINE = re.compile(
    r"(?<![\d.])(?P<v>\d\.\d[TL](?:\+48V)?)(?=发动机|车型|版本|版|动力|车款|的)"
)
_SIZE = re.compile(r"(?<![\d.])\d\.\d[TL]")


def _zh_engines(text: str, sentence: str, at: int) -> list[re.Match[str]]:
    """The engine sizes a Chinese sentence names as versions, when the whole sentence (to its
    。) names more than one size (a car with one engine has no engine variant)."""
    window = text[at - len(sentence) : at + 4]  # "1.5T|发动机最大功率": the label may hold 发动机
    names = [m for m in _ZH_ENGINE.finditer(window) if m.end() <= len(sentence)]
    if not names:
        return []
    stops = [m.end() for m in _FULL_STOP.finditer(text, max(0, at - 400), at)]
    end = _FULL_STOP.search(text, at)
    start, stop = (stops[-1] if stops else max(0, at - 400)), (end.start() if end else len(text))
    return names if len({m.group() for m in _SIZE.finditer(text, start, stop)}) > 1 else []


_FULL_STOP = re.compile(r"[。！？!?]|\n\s*\n")


# "插混版搭载一台1.5T四缸发动机", "纯电版为前后双电机四驱": a clause a version opens, its verb
_ZH_OPENED = re.compile(
    r"\s*(?P<v>[\u4e00-\u9fffA-Za-z0-9+.]{1,10}?(?:版|(?<!车)型))(?:则|都|均|也)?"
    r"(?:为|是|采用|搭载|配备|配有|用的是)(?:了|一台|一套|的是)?"
)
# A Chinese bold lead that names a place or a topic ("**发动机舱**：", "**车头（45度角）**："),
# not a version: Chinese words only, none a version's (a version word at its end, a drive, a
# powertrain)
_ZH_WORDS = re.compile(r"[\u4e00-\u9fff]+")
_ZH_VERSION_WORD = re.compile(r"(?:版|型|款|版本)$|驱|增程|纯电|插混|混动|燃油")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


def _zh_topic(lead: str) -> bool:
    name = _BRACKETED.sub("", lead).strip(" ：:")
    return bool(_ZH_WORDS.fullmatch(name)) and not _ZH_VERSION_WORD.search(name)


_ENGINE_NAMED = re.compile(r"^\d\.\d[TL]")  # a variant that is an engine's name ("1.5T四缸")
_ZH_CLAUSE = re.compile(r"[，,。；;！？!?\n]")
_NOT_ONE = re.compile(r"^[一两二三四\d]+[个款种]|[和与及、]")


def _zh_opened(text: str, found: Found) -> str | None:
    """The version a Chinese clause opens with, when `found` is a phrase of that clause right
    after its verb (within a few characters) and names no version but an engine."""
    if found.variant is not None and not _ENGINE_NAMED.match(found.variant):
        return None
    cuts = [m.end() for m in _ZH_CLAUSE.finditer(text, max(0, found.start - 30), found.start)]
    start = cuts[-1] if cuts else max(0, found.start - 30)
    m = _ZH_OPENED.match(text, start, found.value.end)
    if m is None or found.start - m.end() > 8 or _NOT_ONE.search(m.group("v")):
        return None  # a count ("两款车型") or a list ("舒享型和豪华型": `groups`) is no one version
    return m.group("v")
