"""The version an owner's review is about, from the fields line that opens it.

A page of owners' reviews (口碑) gives each review a line of fields parted by bars ("**购买车型：
2025款 55km 领航版｜裸车价：11.98万｜购车时间：2025年3月**"); the field whose value names a
version (a version word at its end, a model year before it or not) says which version the
owner bought: every figure of that review that names no version of its own is that version's,
unless its sentence says it holds for every version ("三个版本都一样", "全系一样"). The owner's
own measurements are left out elsewhere (`traps`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ingest.specs.shapes import Found

_FIELDS_LINE = re.compile(r"^[ \t>*]*(?P<line>[^\n|｜]+(?:[|｜][^\n|｜]+){2,})$", re.M)
_FIELD = re.compile(r"^[ \t*]*[^:：\d]{2,8}[:：][ \t]*(?P<value>[^\n]+?)[ \t*]*$")
_VERSION = re.compile(r"^(?:(?:19|20)\d\d款[ \t]*)?(?P<v>[^\s:：][^:：]{0,20}?(?:版|型))$")
_SENTENCE = re.compile(r"[。！？!?\n]")
_CLAUSE = re.compile(r"[，,；;（(]")
_OTHER = re.compile(r"其[他它]|另外|别的")
_EVERY_VERSION = re.compile(r"全系|全车系|所有版本|各个?版本|[两三四五六几\d]个版本都")


def review_version(text: str, found: Found) -> Found:
    """`found` with the version its review's fields line names, when it names none itself."""
    if found.variant is not None:
        return found
    version = _version(text)
    if version is None:
        return found
    start = max((m.end() for m in _SENTENCE.finditer(text, 0, found.start)), default=0)
    end = _SENTENCE.search(text, found.value.end)
    if _EVERY_VERSION.search(text, start, end.start() if end else len(text)):
        return found
    clause = max((m.end() for m in _CLAUSE.finditer(text, start, found.value.start)), default=start)
    if _OTHER.search(text, clause, found.value.start):
        return found  # "（另外两个版本是225/55 R18）": the versions the owner did not buy
    return replace(found, variant=version)


@lru_cache(maxsize=8)
def _version(text: str) -> str | None:
    if "|" not in text and "｜" not in text:
        return None
    for line in _FIELDS_LINE.finditer(text):
        fields = [_FIELD.match(f) for f in re.split(r"[|｜]", line.group("line"))]
        if not all(fields):
            continue  # a table's row or prose with bars, not a line of fields
        for field in fields:
            m = _VERSION.match(field.group("value")) if field else None
            if m is not None:
                return m.group("v")
    return None
