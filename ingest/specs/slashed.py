"""One `参数：值/值` line for several versions (`slashed`).

A Chinese spec list gives each version's figure in one line, split by "/" in the versions'
order ("整备质量：2060kg/2195kg", "驱动方式：前置前驱/智能四驱"), and says once which versions
those are: a note ("“/”前为两驱版，后为四驱版"), a line of their names ("车型：两驱版/四驱版") or
the sentence that introduces them ("共有两驱版和四驱版两个版本"). Each part is then read as
that version's value. A unit's own slash ("7.5L/100km", "km/h", "r/min") splits nothing, and
a line whose parts are not as many as the names is left as the `key: value` reader read it.

The same lists write a second version's figure in brackets after the first's
("整备质量：1935kg（2010kg）") and say so in their note ("括号内为长续航版数值"): with two
versions named, the bracketed figure is the named one's and the other figure the other's. A
bracket that does not read as one figure of the label ("订金：5000元（7日内可退）") splits
nothing. The text is read folded (`numbers.fold`: "／", "：", "（" as ASCII).
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

_LINE = re.compile(r"^[ \t]*(?P<label>[^:\n|]{1,30}?)[ \t]*:[ \t]*(?P<value>[^\n]+?)[ \t]*$", re.M)
# A slash inside a unit: "L/100km", "kWh/100km", "km/h", "r/min", "N/m", "转/分"; or inside
# a tyre size: "255/45 R19"
_UNIT_SLASH = re.compile(
    r"(?<=[LlhH度])/(?=\s*100\s*km)|(?<=km)/(?=h)|(?<=[rR])/(?=min)|(?<=转)/(?=分)|(?<=N)/(?=m)"
    r"|(?<=\d{3})/(?=\d{2}\s*Z?R\s*\d)"
)
# The slash as a note names it: "/", "“/”", "斜杠", "斜线"
_SLASH = r"(?:[\"“'‘]?/[\"”'’]?|斜杠|斜线)"
# "“/”前为两驱版，后为四驱版", "斜杠前为A、斜杠后为B" (read folded: "、" is ",")
_NOTE = re.compile(
    _SLASH + r"\s*(?:前|左)(?:面|边)?(?:为|是|的为)\s*(?P<a>[^，,；;。、/\s]{1,16}?)"
    r"\s*[，,；;]\s*" + _SLASH + r"?\s*(?:后|右)(?:面|边)?(?:为|是|的为)\s*"
    r"(?P<b>[^，,；;。、/\s)）]{1,16})"
)
# "括号内为长续航全轮驱动版数值", "括号中是四驱版的数据"
_BRACKET_NOTE = re.compile(
    r"(?:括号|括弧)(?:内|中|里)(?:的)?(?:数值|数据)?(?:为|是)\s*(?P<b>[^，,；;。/\s()]{1,16}?)"
    r"(?:的)?(?:数值|数据|参数)?(?=[，,；;。\s]|$)"
)
_VERSIONS_LABEL = re.compile(r"^(?:适用|对应|所列)?(?:车型|版本|车型版本|配置|型号|款型)(?:名称)?$")
# "共有两驱版和四驱版两个版本", "分为标准版、长续航版两款车型"
_INTRO = re.compile(
    r"(?:共有|分为|提供|推出|包括)(?P<names>[^，,。；;：:]{2,60}?)"
    r"(?:两|三|四|2|3|4)(?:个|款|种)(?:版本|车型|配置)"
)
# "主要是三款车型：260TURBO 精英版、260TURBO 尊贵版和锐·混动旗舰版" (the count first; "两个动力
# 版本：…" too)
_COUNTED = re.compile(
    r"(?:两|三|四|五|2|3|4|5)(?:个|款|种)(?:动力|配置|驱动)?(?:版本|车型|配置)\s*[:：]\s*"
    r"(?P<names>[^。；;:：\n]{2,80}?)\s*(?=[。；;\n]|$)"
)
_VERSION_WORD = re.compile(r"(?:版|型|款|[两四前后]驱)$|^(?:[A-Za-z]+\d*|\d+[A-Za-z]+)$")
# "**2.0T 燃油四驱领航版**：指导价19.98万。…": a paragraph a Chinese version's name leads
_LEAD = re.compile(r"^[ \t]*\*\*(?P<name>[^*\n:]{2,30}?(?:版本|版|车型))\*\*[ \t]*:", re.M)


def _bracket_order(folded: str, names: list[str]) -> list[str]:
    """The two versions in the order "figure(figure)" gives them, when a note names the
    bracketed one among two named versions; else []."""
    note = _BRACKET_NOTE.search(folded)
    if note is None or len(names) != 2 or note.group("b") not in names:
        return []
    inside = note.group("b")
    return [n for n in names if n != inside] + [inside]


def version_names(text: str) -> list[str]:
    """The versions a section's slashed values are for, in order, or [] when it names none."""
    note = _NOTE.search(text)
    if note is not None:
        return [note.group("a"), note.group("b")]
    for m in _LINE.finditer(text):
        if _VERSIONS_LABEL.match(m.group("label").strip()):
            parts = [p.strip() for p in m.group("value").split("/")]
            if len(parts) > 1 and all(parts):
                return parts
    for intro in (_INTRO.search(text), _COUNTED.search(text)):
        if intro is None:
            continue
        names = [n.strip() for n in re.split(r"以及|和|、|与|及|,|，", intro.group("names"))]
        if len(names) > 1 and all(_VERSION_WORD.search(n) for n in names if n):
            return [n for n in names if n]
    leads = [m.group("name").strip() for m in _LEAD.finditer(text)]
    return leads if len(leads) > 1 else []


def _bracketed(value: str, start: int) -> list[tuple[int, int]]:
    """ "1935kg(2010kg)": the figure before the bracket and the one inside, or [] when the
    value is not of that shape."""
    m = re.fullmatch(r"(?P<a>[^()]+?)\s*\((?P<b>[^()]+)\)", value)
    if m is None:
        return []
    return [(start + m.start("a"), start + m.end("a")), (start + m.start("b"), start + m.end("b"))]


def _parts(value: str, start: int) -> list[tuple[int, int]]:
    masked = _UNIT_SLASH.sub("#", value)
    spans, pos = [], 0
    for i, ch in enumerate(masked):
        if ch == "/":
            spans.append((start + pos, start + i))
            pos = i + 1
    spans.append((start + pos, start + len(value)))
    return spans


Declared = tuple[list[str], list[str]]  # the versions in slash order, and in bracket order


def declared(folded: str, before: Declared = ([], [])) -> Declared:
    """The versions a (folded) section declares for its slashed and bracketed figures, else
    those declared `before` it."""
    names = version_names(folded)
    if len(names) < 2:
        return before
    return names, _bracket_order(folded, names)


def slashed(
    vocab: Vocabulary, text: str, found: list[Found], inherited: Declared = ([], [])
) -> list[Found]:
    """`found` with each slashed `参数：值/值` line read once per version it names: the
    versions the section declares, else those an earlier section of the document declared
    (a list's note heads it, its `【动力】` sections follow)."""
    if "/" not in text and "(" not in text:
        return found
    names, bracket = declared(text, inherited)
    if len(names) < 2:
        return found
    out = list(found)
    for m in _LINE.finditer(text):
        key = vocab.lookup(m.group("label"))
        if key is None or _VERSIONS_LABEL.match(m.group("label").strip()):
            continue
        spans = _parts(m.group("value"), m.start("value"))
        order = names
        if len(spans) == 1 and bracket:
            spans, order = _bracketed(m.group("value"), m.start("value")), bracket
        if len(spans) != len(order):
            continue
        per_part = []
        for name, (a, b) in zip(order, spans, strict=True):
            read = values_of(
                vocab, key, m.group("label"), text, a, b, m.start(), m.end(), name, single=True
            )
            if len(read) != 1 and not (key == "LWH" and read):
                break
            per_part.extend(read)
        else:
            out = [f for f in out if not (m.start() <= f.start < m.end())] + per_part
    return out
