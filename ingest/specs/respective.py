"""Names a sentence lists, then figures it gives for them in turn (`respective`), or each
name with its figure after 分别为 (`interleaved`: "指导价分别为：1.5T 豪华版12.99万元，2.0T 旗舰版
16.49万元": each item's figure is its name's).

"有1.5T、1.5T+48V、2.0T三款动力系统，最大马力分别可以达到168Ps、204Ps、204Ps": the k figures of
one attribute after 分别 (or before "respectively") are the k names listed before them, in
order ("豪华版、尊贵版和旗舰版的售价分别为…": Chinese version names too, each figure that name's
even where a sentence reader gave it the list's last name); a listed engine name is its own
displacement's variant. A sentence that names no list but counts its versions ("三款车型的
官方指导价分别为…") is about the versions the document listed with that count before
("主要是三款车型：A、B和C", `slashed.version_names`). With any other count of names
or figures the reader cannot pair them, and the figures keep what the text around them says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest.specs.shapes import ZH_VERSION_WORDS, Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_RESPECTIVE = re.compile(r"分别|\brespectively\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
# a name in a list: Latin letters, digits and joiners ("1.5T+48V", "2.0 TSI", "Sport")
_NAME = r"[A-Za-z0-9][A-Za-z0-9.+\-]*(?: [A-Za-z0-9][A-Za-z0-9.+\-]*){0,2}"
_LIST = re.compile(rf"(?<![A-Za-z0-9.+\-])(?P<list>{_NAME}(?:\s*(?:、|,|/|and|和|与)\s*{_NAME})+)")
_JOIN = re.compile(r"\s*(?:、|,|/|\band\b|和|与)\s*")
# "豪华版、尊贵版和旗舰版", "长续航版与超长续航版", "两驱、四驱": Chinese version names listed
_ZH_NAME = r"(?:[\u4e00-\u9fffA-Za-z0-9+.\"·]{1,12}?(?:版本|版|车型)|" + ZH_VERSION_WORDS + ")"
_ZH_LIST = re.compile(rf"(?P<list>{_ZH_NAME}(?:\s*(?:、|,|和|与|及|以及)\s*{_ZH_NAME})+)")
_ZH_JOIN = re.compile(r"\s*(?:、|,|和|与|以及|及)\s*")
# what the sentence says before its first name ("新车共推出豪华版" names 豪华版), and a count
# after its last ("两驱和四驱两种版本" names 四驱)
_LEAD = re.compile(
    r"^.*(?:推出|提供|包括|包含|分为|共有|共|有|是|为|的|：|:)了?"
    r"|[一二两三四五六七八九十\d]+(?:种|款|个)(?:版本|版|车型)$"
)
# "三款车型的…分别为", "这两个版本": a sentence that counts the versions it is about
_COUNT = re.compile(r"(?P<n>两|三|四|五|[2-5])(?:个|款|种)(?:版本|车型|配置)")
_NUMERAL = {"两": 2, "三": 3, "四": 4, "五": 5}
_ENGINE_NAME = re.compile(r"\d\.\d\s*(?:[TL]|litre|liter)(?![a-z])", re.IGNORECASE)


def respective(text: str, found: list[Found], listed: Sequence[str] = ()) -> list[Found]:
    """`found` with the figures of each "respectively" sentence given the names it listed
    (or the document's `listed` versions, when it counts them), and listed engine names as
    their displacements' variants."""
    if not _RESPECTIVE.search(text):
        return found
    out = list(found)
    for m in _RESPECTIVE.finditer(text):
        back = [e.end() for e in _SENTENCE_END.finditer(text, max(0, m.start() - 300), m.start())]
        start = back[-1] if back else max(0, m.start() - 300)
        stop = _SENTENCE_END.search(text, m.end())
        end = _run_end(text, m, out, stop.start() if stop else len(text))
        # "510km和650km": figures, not names (engine sizes are names: "1.5T、2.0T", and so are
        # offered batteries that name their own version: "提供75kWh和100kWh两种电池包")
        figures = [
            f.value.start
            for f in out
            if f.attribute != "displacement" and f.variant != text[f.value.start : f.value.end]
        ]
        lists = [
            n
            for n in _LIST.finditer(text, start, m.start())
            if not any(n.start() <= at < n.end() for at in figures)
        ]
        # Chinese versions may be named in an earlier sentence of the paragraph
        zh = list(_ZH_LIST.finditer(text, start, m.start())) or list(
            _ZH_LIST.finditer(text, text.rfind("\n\n", 0, start) + 1, start)
        )
        counted = _counted(text[start : m.start()], listed) or _in_turn(text, start)
        if zh and (not lists or zh[-1].end() > lists[-1].end()):
            lists = zh
            names = [_LEAD.sub("", n) or n for n in _ZH_JOIN.split(zh[-1].group("list"))]
        elif lists:
            names = _JOIN.split(lists[-1].group("list"))
        elif counted:
            names, lists = counted, []
        else:
            continue
        list_end = lists[-1].end() if lists else start
        at = [
            i
            for i, f in enumerate(out)
            if start <= f.value.start < end
            and (f.variant is None or any(f.variant in n for n in names))  # or part of one
        ]
        after = [i for i in at if out[i].value.start > list_end]
        by_attr: dict[str, list[int]] = {}
        for i in after:
            by_attr.setdefault(out[i].attribute, []).append(i)
        for key, idx in by_attr.items():
            if key == "displacement":
                continue
            if len(idx) == len(names):
                for i, name in zip(idx, names, strict=True):
                    out[i] = replace(out[i], variant=name)
        if lists and all(_ENGINE_NAME.match(n) for n in names):
            out += _sizes(out, at, lists[-1], names)
    return out


_CLAUSE_CUT = re.compile(r"[，,；;]")
# "磷酸铁锂电池版驱动电机峰值功率160kW…；三元锂电池版的电机…": a version opening a clause
_OPENS = re.compile(
    r"(?:^|(?<=[，,。；;\n]))\s*(?![一两二三四五六七八九十\d]+[个款种])"
    r"(?P<n>[\u4e00-\u9fffA-Za-z0-9+.]{1,12}?(?:版|型))(?!本)"
)


def _in_turn(text: str, start: int) -> list[str]:
    """The versions the clauses of the paragraph before `start` open with, in turn, when it
    names no list: "A版…；B版…。整备质量分别为…" gives A版 and B版 their figures."""
    para = max(text.rfind("\n\n", 0, start) + 2, start - 300, 0)
    names = list(dict.fromkeys(m.group("n") for m in _OPENS.finditer(text, para, start)))
    return names if len(names) >= 2 else []


def _run_end(text: str, word: re.Match[str], found: list[Found], end: int) -> int:
    """Where the figures 分别 pairs end: at the clause break after its first figure ("前、后电机
    功率分别为160kW和200kW，最高车速180km/h": the top speed is no part of it); "respectively"
    comes after its figures and keeps its sentence. A break before another bare figure
    ("分别为17.98万元，16.49万元") goes on with the run."""
    if word.group() != "分别":
        return end
    first = min((f.value.end for f in found if word.end() <= f.value.start < end), default=None)
    if first is None:
        return end
    for cut in _CLAUSE_CUT.finditer(text, first, end):
        if not text[cut.end() : cut.end() + 2].strip()[:1].isdigit():  # "…，16.49万元": on
            return cut.start()
    return end


# "尊贵版和旗舰版则换上了235/45 R18轮胎": a clause whose subject lists versions, then its verb
_CLAUSE_START = re.compile(r"[，,。；;！？!?\n]")
_SHARED = re.compile(
    rf"\s*(?P<list>{_ZH_NAME}(?:\s*(?:、|,|和|与|以及|及)\s*{_ZH_NAME})+)\s*(?:则|都|均|也|还)*\s*"
    r"(?:换上|换装|使用|采用|配备|搭载|标配|升级为|升级到|提供|装备)"
)


def shared_by_listed(text: str, at: int) -> list[str]:
    """The Chinese versions the clause holding `text[at]` lists as its subject, each of them
    given its figure ("尊贵版和旗舰版则换上了…"); [] for a respective list (分别) or none."""
    starts = [m.end() for m in _CLAUSE_START.finditer(text, max(0, at - 80), at)]
    start = starts[-1] if starts else max(0, at - 80)
    m = _SHARED.match(text, start, at)
    if m is None or "分别" in text[start:at]:
        return []
    return [_LEAD.sub("", n) or n for n in _ZH_JOIN.split(m.group("list"))]


def _counted(before: str, listed: Sequence[str]) -> list[str]:
    """The document's listed versions when the words before 分别 count as many ("三款车型")."""
    m = _COUNT.search(before)
    if m is None or len(listed) < 2:
        return []
    n = m.group("n")
    return list(listed) if _NUMERAL.get(n, int(n) if n.isdigit() else 0) == len(listed) else []


def _sizes(out: list[Found], at: list[int], listed: re.Match[str], names: list[str]) -> list[Found]:
    """Each listed engine name's displacement, the name its variant ("1.5T、1.5T+48V、2.0T":
    1.5 for the first two, 2.0 for the third), from a size read in the list."""
    sizes = [
        i
        for i in at
        if out[i].attribute == "displacement"
        and listed.start() <= out[i].value.start < listed.end()
        and out[i].value.numbers
        and out[i].value.normalized
    ]
    if not sizes:
        return []
    template = out[sizes[0]]
    ratio = (template.value.normalized or 0.0) / template.value.numbers[0]
    starts = [listed.start()] + [listed.start() + j.end() for j in _JOIN.finditer(listed.group())]
    extra: list[Found] = []
    for name, offset in zip(names, starts[: len(names)], strict=True):
        size = float(name[:3])  # "1.5T+48V": an engine name starts with its size
        same = next((i for i in sizes if out[i].value.numbers[:1] == (size,)), None)
        if same is not None and out[same].variant is None:
            out[same] = replace(out[same], variant=name)
            continue
        value = replace(
            template.value,
            start=offset,
            end=offset + len(name),
            numbers=(size,),
            normalized=round(size * ratio, 4),
        )
        extra.append(replace(template, value=value, variant=name))
    return extra


# "指导价分别为：": a label's 分别为 and colon, then the first item's name right before its figure
_ITEMS_OPEN = re.compile(r"分别(?:为|是)\s*:\s*(?P<name>[^,，、;；。:\n]{1,20}?)\s*$")
_ITEM = re.compile(r"\s*[,，、;；]\s*(?:以及|和|及)?(?P<item>[^,，、;；。:\n]{2,40})")


def interleaved(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """`found` with the names of a "分别为：name figure，name figure…" list: the fact read
    from its first item gets that item's name, and each later item of the same quantity is a
    fact of its own name."""
    if "分别" not in text:
        return found
    out = []
    for f in found:
        m = _ITEMS_OPEN.search(text, f.start, f.value.start) if f.variant is None else None
        attr = vocab.attributes.get(f.attribute)
        if m is None or attr is None:
            out.append(f)
            continue
        out.append(replace(f, variant=m.group("name").strip(), start=m.start("name")))
        end: int | None = f.value.end
        while end is not None and (item := _ITEM.match(text, end)) is not None:
            end = None
            for digit in re.finditer(r"(?<![\d.])\d", item["item"]):
                at = item.start("item") + digit.start()
                values = read(attr, text, at, item.end(), None, bare=False)
                name = text[item.start("item") : at].strip()
                if values and values[0].start == at and values[0].unit == f.value.unit and name:
                    out.append(
                        Found(f.attribute, values[0], item.start("item"), values[0].end, name)
                    )
                    end = values[0].end
                    break
    return out
