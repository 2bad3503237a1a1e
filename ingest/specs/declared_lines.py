"""Where a Chinese section says once which version its figures are for.

- A line of its own that declares the version ("采购版本：2026款 1.5L 手动 驾校版。", "版本：
  2025款 四驱旗舰版", "- **测试车款**：…") makes the figures after it, in its section and in the
  sections that go on under the same heading, that version's, when they name none of their own
  (`LineVersions`).
- A figure in brackets right after a version's name is that version's, whatever the section
  declares: "该车的1.4T 双离合版本（最大功率104kW）不在本次采购范围内", "一台奕炫 1.5T版本（最大功率
  132kW）" (`bracketed_version`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import ZH_VERSION_WORDS, Found

# the label (a short qualifier, then 版本 or 车款), a colon, the name to the line's end
_LINE = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?(?P<label>[\u4e00-\u9fff]{0,4}(?:版本|车款))(?:\*\*)?[ \t]*"
    r"[：:](?:\*\*)?[ \t]*(?P<v>[^\n。；;：:]{2,30}?)[ \t]*[。.]?[ \t]*$",
    re.M,
)
# a name of one version: a model year, a 版/型 ending or a designation with a figure
_ONE_VERSION = re.compile(r"\d{4}款|(?:版|型|版本)$|[A-Za-z0-9.]*\d[A-Za-z0-9.]*")
_NOT_ONE = re.compile(
    r"全系|所有|各|[两二三四五六\d]\s*(?:个|款|种)(?:版本|车型|配置)|[、/／和及或]"
)


class LineVersions:
    """The version a declaring line gives its section, carried over the sections that go on
    under the same heading (a list's or a paragraph's own section)."""

    def __init__(self) -> None:
        self._path: tuple[str, ...] | None = None
        self._carried: str | None = None
        self._lines: list[tuple[int, str]] = []

    def enter(self, heading_path: tuple[str, ...], text: str) -> None:
        """Start a section: read its declaring lines, or carry the heading's version on."""
        carried = self._lines[-1][1] if self._lines else self._carried
        self._carried = carried if heading_path == self._path else None
        self._path = heading_path
        self._lines = [
            (m.end(), name)
            for m in _LINE.finditer(text)
            if _ONE_VERSION.search(name := m.group("v").strip()) and not _NOT_ONE.search(name)
        ]

    def variant(self, found: Found) -> Found:
        """`found` with the version declared above it, when it names none."""
        if found.variant is not None:
            return found
        above = [name for end, name in self._lines if end <= found.start] if self._lines else []
        version = above[-1] if above else self._carried
        return found if version is None else replace(found, variant=version)


# a version's name ending in 版本/版/车型, right before the bracket
_ENDS = re.compile(r".(?:版本|版|车型)$")
_NAME_BEFORE = re.compile(r"(?P<v>[^，。；、：:,;（）()\n的台辆个款]{1,20}?(?:版本|版|车型))\s*$")
_DESIGNATED = re.compile(r"[A-Za-z0-9]")
_PARTICLE = re.compile(r"分别|其中|[为是和与及了在将把被比跟同都也即而]")
_REACH = 40


def bracketed_version(text: str, found: Found) -> Found:
    """`found` with the version whose name its bracket follows, if it sits in one."""
    back = max(0, found.value.start - _REACH)
    at = max(text.rfind("（", back, found.value.start), text.rfind("(", back, found.value.start))
    if at < 0 or found.value.start - at > _REACH:
        return found
    inside = re.search(r"[（）()\n]", text[at + 1 : found.value.end + _REACH])
    if inside is None or inside.group() not in "）)" or at + 1 + inside.start() < found.value.end:
        return found  # the bracket closed before the figure, or never does
    m = _NAME_BEFORE.search(text, max(0, at - 24), at)
    if m is None:
        return found
    name = m.group("v")
    cuts = list(_PARTICLE.finditer(name))
    name = name[cuts[-1].end() :] if cuts else name  # "分别为舒适版（七座）和运动版（五座）"
    words = name.split()
    while len(words) > 1 and not _DESIGNATED.search(words[0]):
        words = words[1:]  # "奕炫 1.5T版本": the car's name before the version's
    return replace(found, variant=" ".join(words)) if words and _ENDS.search(words[-1]) else found


# a sentence (after its label's colon) that opens with a version's designation and a verb of
# being or fitting: "330TSI为2.0T发动机，最大功率137kW，…；380TSI同样是2.0T，功率提升到162kW"
_SUBJECT = re.compile(
    r"\s*(?:其中|而)?(?P<v>(?<![A-Za-z0-9.])[A-Za-z0-9.+]*\d[A-Za-z0-9.+]*[A-Za-z][A-Za-z0-9+]*"
    r"(?:车型|版本|版)?|(?:" + ZH_VERSION_WORDS + r")版?)"
    r"\s*(?:则|也|同样|都)?(?:为|是|采用|搭载|配备|用的是)"
)
# a version's name right before its figure, alone in its clause: "综合油耗：两驱版7.1升/百公里，
# 四驱版7.9升/百公里"
_RIGHT_BEFORE = re.compile(
    r"\s*(?:而|但|其中)?(?P<v>[\u4e00-\u9fffA-Za-z0-9]{1,8}?(?:版|型))\s*(?:为|是|约为|约)?\s*$"
)
_SENTENCE = re.compile(r"[。；;！？!?\n：:]")
_CLAUSE = re.compile(r"[，,、。；;！？!?\n：:]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_NAME = re.compile(r"车型$|^[这该此本各全]|^(?:入门|顶配|高配|低配)")


def clause_version(text: str, found: Found) -> Found:
    """`found` with the version its sentence opens with, or that its clause names right before
    it, when it names none (or one its text names before that sentence: "两个后驱版都是…；四驱是
    前后双电机，总功率365kW")."""
    back = max(0, found.value.start - 120)
    if _HAN.search(text, back, found.value.start) is None:
        return found  # both shapes are Chinese: an English sentence has none
    clauses = [m.end() for m in _CLAUSE.finditer(text, back, found.value.start)]
    named = _RIGHT_BEFORE.fullmatch(text, clauses[-1] if clauses else back, found.value.start)
    if named is not None and not _NOT_NAME.search(named.group("v")):
        if found.variant is None or named.group("v") not in found.variant:  # "标准版49.8kWh"
            return replace(found, variant=named.group("v"))
    if found.variant is not None:
        return _reopened(text, found)
    stops = [m.end() for m in _SENTENCE.finditer(text, back, found.value.start)]
    opened = _SUBJECT.match(text, stops[-1] if stops else back)
    if opened is None or opened.end("v") > found.value.start:
        return found
    return replace(found, variant=opened.group("v"))


def _reopened(text: str, found: Found) -> Found:
    assert found.variant is not None
    back = max(0, found.value.start - 120)
    stops = [m.end() for m in _SENTENCE.finditer(text, back, found.value.start)]
    opened = _SUBJECT.match(text, stops[-1] if stops else back)
    if opened is None or opened.end("v") > found.value.start or opened.group("v") == found.variant:
        return found
    named_at = text.rfind(found.variant, max(0, back - 400), found.value.start)
    return (
        found
        if named_at < 0 or named_at >= opened.start("v")
        else replace(found, variant=opened.group("v"))
    )


# a drive word opening its clause as the subject: "四驱是前后双电机", "四驱那个推背感确实猛"
_DRIVE_SUBJECT = re.compile(r"(?:版)?\s*(?:则|也|都)?(?:是|为|那个|那台|这个|的)")
_OPENS = re.compile(r"(?:^|[，,。；;！？!?\n：:])\s*(?:而|但)?\s*$")


def names_a_version(text: str, found: Found) -> bool:
    """Whether a drive `found` reads is a version's name as its clause's subject, no drive
    stated of the car."""
    if found.attribute != "drive":
        return False
    if _DRIVE_SUBJECT.match(text, found.value.end) is None:
        return False
    return _OPENS.search(text, max(0, found.value.start - 4), found.value.start) is not None
