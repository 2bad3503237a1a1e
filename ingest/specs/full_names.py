"""A Chinese text that lists its versions by their full names ("一共三个版本：Pro后驱版、Max后驱
长航版、Max四驱版") then speaks of them by short forms: "Pro：电池82kWh", "我这台后驱长航：电池
100kWh", "四驱2400公斤", "两个后驱版都是…". A short form is the listed version whose name holds
it (its 版/型 ending and the speaker's "我这台" aside) when exactly one does; a counted group
("两个后驱版") is every listed version that holds it when their number is the count. A short
form that several names hold, or none, stays as written.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.shapes import Found

# the speaker's own car or a pointing word before the name: "我这台", "我的", "那台", "这个"
_ASIDE = re.compile(r"^(?:我(?:的|家|这台|这辆|那台)?|这台|那台|这辆|这个|那个|这款)")
_COUNTED = re.compile(r"^(?P<n>[两二三四五2-5])(?:个|款|台|种)(?P<core>.+)$")
_COUNTS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_ENDING = re.compile(r"(?:版本|版|型|车型)$")
_PARTICLES = re.compile(r"其中|分别|[了的是为而和与及]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def full_names(found: Found, listed: list[str]) -> list[Found]:
    """`found` with its short version named in full, once per version of a counted group."""
    listed = [_PARTICLES.split(n)[-1] for n in listed]  # "推出了标准续航版": 标准续航版
    if found.variant is None or len(listed) < 2 or found.variant in listed:
        return [found]
    if not any(_CJK.search(n) for n in listed):
        return [found]  # an English sheet's versions: short forms there are other words
    names = _named(found.variant, listed)
    return [replace(found, variant=n) for n in names] if names else [found]


def full_name(found: Found, listed: list[str]) -> Found:
    """`found` with its short version named in full when it stands for one listed version."""
    named = full_names(found, listed)
    return named[0] if len(named) == 1 else found


def _named(variant: str, listed: list[str]) -> list[str]:
    if variant in listed:
        return [variant]
    counted = _COUNTED.match(variant)
    core = _ENDING.sub("", _ASIDE.sub("", counted.group("core") if counted else variant))
    if not core or core == variant and len(core) < 2 and not core.isascii():
        return []
    holding = [n for n in listed if core.casefold() in n.casefold()]
    if counted is not None:
        n = counted.group("n")
        return holding if len(holding) == _COUNTS.get(n, int(n) if n.isdigit() else 0) else []
    return holding if len(holding) == 1 else []


# a sentence (after its label's colon) whose subject is one short form or two joined, then a
# verb: "Pro是400V平台，…要25分钟", "后驱长航和四驱都支持800V高压快充，…15分钟"
_SUBJECTS = re.compile(
    r"\s*(?P<a>[A-Za-z0-9\u4e00-\u9fff]{2,8}?)(?:\s*(?:和|与|及|、)\s*"
    r"(?P<b>[A-Za-z0-9\u4e00-\u9fff]{2,8}?))?\s*(?:都|均|也|则)?(?:是|为|支持|采用|搭载|配备)"
)
_SENTENCE = re.compile(r"[。；;！？!?\n：:]")


def subject_names(text: str, found: Found, listed: list[str]) -> list[Found]:
    """`found`, of no version, once for each listed version its sentence's subject names by a
    short form; else `found` alone."""
    listed = [_PARTICLES.split(n)[-1] for n in listed]
    if found.variant is not None or len(listed) < 2 or not any(_CJK.search(n) for n in listed):
        return [found]
    back = max(0, found.value.start - 80)
    stops = [m.end() for m in _SENTENCE.finditer(text, back, found.value.start)]
    m = _SUBJECTS.match(text, stops[-1] if stops else back, found.value.start)
    if m is None:
        return [found]
    names = []
    for short in filter(None, (m.group("a"), m.group("b"))):
        one = _named(short, listed)
        if len(one) != 1:
            return [found]
        names += one
    return [replace(found, variant=n) for n in dict.fromkeys(names)]
