"""A live blog's time-stamped entries, and the version each entry is about.

A launch event's live blog gives one entry a paragraph, each opened by the time it was posted
("**19:22** 2.0T车型：最大功率187kW，…。零百加速7.9秒"). The time is no version's name (`subjects`
leaves it out); the version the entry opens with is what every figure of the entry that names
no version of its own is about, across its sentences:

- a name before a colon right after the time ("2.0T车型：", "C-DM 四驱：");
- a code in the entry's first sentence that is a word of a version the document lists with its
  own line ("- C-DM 四驱：18.99万元" makes "C-DM" one: "旅行者C-DM。这是插混版本…",
  "C-DM电池容量34.1kWh…"), not a test cycle's name or a part of a longer name.

Only a text with at least three stamped entries is read so: one time in a news story is not a
blog.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ingest.specs.shapes import Found

_STAMP = re.compile(r"^[ \t]*(?:\*\*)?(?:[01]?\d|2[0-3])[:：][0-5]\d(?:\*\*)?[ \t]+", re.M)
_OPENS = re.compile(
    r"(?P<v>[A-Za-z0-9][A-Za-z0-9.+-]{0,10}(?:[ \t][\u4e00-\u9fff]{1,4})?|[\u4e00-\u9fff]{1,6}版)"
    r"[ \t]*(?:车型|版本)?[：:]"
)
_LISTED = re.compile(r"^[ \t]*[-*•][ \t]+(?P<name>[^：:\n]{2,30}?)[ \t]*[：:]", re.M)
_CODE = re.compile(r"(?<![A-Za-z0-9.+-])[A-Za-z0-9][A-Za-z0-9.+-]{1,10}(?![A-Za-z0-9.+-])")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_MIN_ENTRIES = 3


def entry_version(text: str, found: Found) -> Found:
    """`found` with the version its live-blog entry is about, when it names none itself."""
    if found.variant is not None:
        return found
    for start, end, version in _entries(text):
        if start <= found.start < end:
            return replace(found, variant=version) if version else found
    return found


@lru_cache(maxsize=8)
def _entries(text: str) -> tuple[tuple[int, int, str | None], ...]:
    stamps = list(_STAMP.finditer(text))
    if len(stamps) < _MIN_ENTRIES:
        return ()
    listed = {w for m in _LISTED.finditer(text) for w in m.group("name").split()}
    ends = [m.start() for m in stamps[1:]] + [len(text)]
    return tuple(
        (m.start(), end, _version(text, m.end(), end, listed))
        for m, end in zip(stamps, ends, strict=True)
    )


def _version(text: str, start: int, end: int, listed: set[str]) -> str | None:
    opened = _OPENS.match(text, start, end)
    if opened is not None:
        return opened.group("v")
    stop = _SENTENCE_END.search(text, start, end)
    for m in _CODE.finditer(text, start, stop.start() if stop else end):
        if m.group() in listed and not m.group().isdigit():
            return m.group()
    return None
