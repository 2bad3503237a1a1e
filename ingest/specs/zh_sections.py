"""Where a Chinese document says which version a block of figures is for (which car a table
column is for: `ingest.specs.columns`).

- A section under a heading that names a version ("## 550长续航进阶版：17.58万元") is about that
  version: its figures of no version, or of a generic one ("入门版本", "这个版本"), are that
  version's, unless their sentence speaks of every version ("全系") or their paragraph
  starts a new topic ("**购车建议**：…") (`heading_version`).
- A bracketed group header that names a version ("【后驱超长续航版】") makes the `参数：值` lines
  under it, to the next header, that version's; a drive word inside it names the version and
  states no drive (`bracket_versions`). A header of another kind ("【车身尺寸】", "【共同参数】")
  ends the version's block.
- A state of charge window then a duration ("快充30%-80%仅需15分钟", "30%-80%约需25分钟") is a
  charging time with no label (`charging_windows`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import ZH_VERSION_HEAD, Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Attribute, Vocabulary

_CJK = re.compile(r"[\u4e00-\u9fff]")


_HEAD_VERSION = re.compile(r"^\s*(?P<v>[^\s：:，,。（(]{2,20}?(?:版|型))\s*(?:[：:（(].*)?$")
_GENERIC = re.compile(r"^(?:入门|顶配|高配|低配|中配|基础|这个|该|此|本|这一)?(?:版本|版|车型|款)$")
_ALL = re.compile(r"全系|全车系|所有版本|各个?版本|其[他它]版本")
_TOPIC_LEAD = re.compile(r"\s*\*\*")


def heading_version(heading_path: tuple[str, ...], text: str, found: list[Found]) -> list[Found]:
    """`found` with the version the section's heading names, where their text names none."""
    if not heading_path:
        return found
    m = _HEAD_VERSION.match(heading_path[-1])
    if m is None or not _CJK.search(m.group("v")) or _GENERIC.match(m.group("v")):
        return found
    out = []
    for f in found:
        if f.variant is None or _GENERIC.match(f.variant):
            para = text.rfind("\n\n", 0, f.start)
            start = para + 2 if para >= 0 else 0
            end = text.find("\n\n", f.start)
            paragraph = text[start : end if end >= 0 else len(text)]
            sentence = re.split(r"[。！？!?]", text[start : f.value.start])[-1]
            if not _ALL.search(sentence) and not _TOPIC_LEAD.match(paragraph):
                f = replace(f, variant=m.group("v"))
        out.append(f)
    return out


_WINDOW = re.compile(
    # "30%-80%", "从10%充到80%"
    r"(?P<soc>\d{1,3}\s*%\s*(?:充电?)?[-–—~至到]\s*\d{1,3}\s*%)[^，。；,;\d%]{0,6}?"
    r"(?P<value>(?:约|仅|只|大约|最快)?(?:需要?|用时|耗时|仅需|只需)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>分钟|小时|min|h)(?![A-Za-z]))"
)


def charging_windows(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Charging times given as a state-of-charge window and a duration, outside `skip`."""
    if "%" not in text or "charging_time" not in vocab.attributes:
        return []
    attr = vocab.attributes["charging_time"]
    out = []
    for m in _WINDOW.finditer(text):
        if any(a <= m.start("n") < b for a, b in skip):
            continue
        values = read(attr, text, m.start("n"), m.end("u"), None)
        if len(values) == 1 and values[0].unit is not None:
            value = replace(values[0], start=m.start("value"))
            named = _WINDOW_VERSION.search(text, max(0, m.start() - 16), m.start())
            version = named.group("v") if named else None
            out.append(Found("charging_time", value, m.start("soc"), m.end("value"), version))
            out += _other_version(attr, text, m.end(), version)
    for m in _WINDOW_AFTER.finditer(text):  # "30分钟(30%-80%)": the duration, its window after
        if any(a <= m.start("n") < b for a, b in skip):
            continue
        values = read(attr, text, m.start("n"), m.end("u"), None)
        if len(values) == 1 and values[0].unit is not None:
            out.append(Found("charging_time", values[0], m.start(), m.end()))
    return out


_WINDOW_AFTER = re.compile(
    r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<u>分钟|小时|min|h)\s*[（(]\s*(?:SOC\s*)?"
    r"\d{1,3}\s*%\s*[-–—~至到]\s*\d{1,3}\s*%\s*[）)]"
)


# "深蓝S7纯电版快充30%-80%…": the version right before a window; "，增程版则需要30分钟": another
# version's time in the next clause, the window left unsaid
_WINDOW_VERSION = re.compile(
    r"(?P<v>[\u4e00-\u9fff]{1,6}(?:版|型))\s*(?:直流|交流)?(?:快充|慢充)?\s*$"
)
_OTHER_VERSION = re.compile(
    r"\s*[，,；;]\s*(?:而)?(?P<v>[\u4e00-\u9fffA-Za-z0-9]{1,6}?(?:版|型))(?:则|也)?\s*"
    r"(?P<value>(?:约|仅|只|大约)?(?:需要?|要|用时)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?:分钟|小时))"
)


def _other_version(attr: Attribute, text: str, at: int, version: str | None) -> list[Found]:
    m = _OTHER_VERSION.match(text, at) if version else None
    if m is None or m.group("v") == version:
        return []
    values = read(attr, text, m.start("n"), m.end("value"), None)
    if len(values) != 1 or values[0].unit is None:
        return []
    value = replace(values[0], start=m.start("value"))
    return [Found("charging_time", value, m.start("v"), m.end("value"), m.group("v"))]


def _in_version_name(text: str, found: Found) -> bool:
    if found.attribute not in ("drive", "transmission"):
        return False
    start = text.rfind("\n", 0, found.value.start) + 1
    end = text.find("\n", found.value.end)
    line = text[start : end if end >= 0 else len(text)].strip(" \t#*")
    return ZH_VERSION_HEAD.search(line) is not None


_BRACKET_HEAD = re.compile(r"^[ \t]*[【\[](?P<v>[^】\]\n]{1,24})[】\]][ \t]*$", re.M)
_NAMES_VERSION = re.compile(r"(?:版|型|款|版本|车型)$")
# "【一、小鹏MONA M03：新增两款版本】": a numbered section's title, a car and what it brings
# (a colon, a count of versions), not the name of one version
_NOT_ONE_VERSION = re.compile(
    r"[：:]|^[一二三四五六七八九十\d]+[、.．]|[两二三四五六\d]\s*[款个种]"
)


def bracket_versions(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """`found` with the version each 【…版】 group header names given to its lines, and
    without the drive or gearbox a version's name says ("智己LS6 四驱超性能Max版" alone on its
    line, or in a header: a name, no statement)."""
    found = [(f, p) for f, p in found if not _in_version_name(text, f)]
    if "【" not in text and "[" not in text:
        return found
    heads = [
        (m.start(), m.end(), m.group("v").strip())
        for m in _BRACKET_HEAD.finditer(text)
        if not _NOT_ONE_VERSION.search(m.group("v"))
    ]
    if not any(_NAMES_VERSION.search(v) for _, _, v in heads):
        return found
    out = []
    for f, prose in found:
        inside = next((h for h in heads if h[0] <= f.value.start < h[1]), None)
        if inside is not None:
            if f.attribute in ("drive", "transmission"):
                continue  # "【后驱超长续航版】": a version's name, no drive stated
        else:
            above = [h for h in heads if h[1] <= f.start]
            version = above[-1][2] if above else None
            if version and _NAMES_VERSION.search(version) and f.variant is None:
                f = replace(f, variant=version)
        out.append((f, prose))
    return out
