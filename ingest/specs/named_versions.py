"""Versions with Latin names that a Chinese text declares, then opens clauses with.

An export story names the local versions in Latin ("推出Urban和Ultimate两个版本", "分为Premium
后驱和Performance四驱两个版本"), then states their figures clause by clause, each opened by the
version's name ("Urban为前驱，Ultimate为适时四驱", "Urban综合油耗8.7L/100km，Ultimate为
9.1L/100km"). A figure that names no version, in a clause of the same section that opens with
one of the declared names, is that version's. Only names the text declares as versions count:
a test cycle or a brand at a clause's start ("WLTP续航…") is none.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ingest.specs.shapes import Found

_LATIN = r"[A-Z][A-Za-z0-9+-]{1,15}"
_DECLARED = re.compile(
    rf"(?P<names>{_LATIN}[\u4e00-\u9fff]{{0,3}}(?:(?:和|与|、|及){_LATIN}[\u4e00-\u9fff]{{0,3}})+)"
    r"(?:等)?[两三四五六\d]+(?:个|款|种)(?:版本|车型|配置)"
)
_NAME = re.compile(_LATIN)
_COUNTED = re.compile(r"[个款种](?:版本|车型|配置)")
_CLAUSE = re.compile(r"[，,。；;!！?？\n]")


def declared_version(text: str, found: Found) -> Found:
    """`found` with the declared version its clause opens with, when it names none."""
    if found.variant is not None:
        return found
    names = _declared(text)
    if not names:
        return found
    start = max((m.end() for m in _CLAUSE.finditer(text, 0, found.value.start)), default=0)
    opening = _NAME.match(
        text,
        start
        + len(text[start : found.value.start])
        - len(text[start : found.value.start].lstrip()),
    )
    if opening is None or opening.group() not in names:
        return found
    return replace(found, variant=opening.group())


@lru_cache(maxsize=8)
def _declared(text: str) -> frozenset[str]:
    if not _COUNTED.search(text):
        return frozenset()
    return frozenset(
        n.group() for m in _DECLARED.finditer(text) for n in _NAME.finditer(m.group("names"))
    )
