"""Versions a Chinese sentence speaks of as a group (`group_versions`).

A script or a buyer's guide walks through a car's versions in groups rather than one by one:
"80KM的两个版本，电池是10.08度" (the two versions whose names hold 80KM), "两款超越型都换成了
225/50 R18" (both 超越型 versions), "领先型和卓越型用的是215/55 R17的轮胎" (a list of version
names as the clause's subject). Each figure after such a subject, to the end of its sentence or
to the next group, is the group's: named as the text names the group ("80KM", "超越型"), one
fact per listed name. The shape is read, not the words: a name (Latin letters and digits, or
a short Chinese word ending in 版/型) before "的" and a count of versions, or a count then the
name, or two names joined by 和/、 before a verb.

Two versions offered as a pair ("它提供1.4T和1.6L两种动力，前者最大功率117kW，后者为94kW") are
前者 and 后者 after it in that sentence (`paired_version`); a clause naming a version by its
level ("顶配为9.39万元", "入门款那台…") is that level's (`level_version`); a spoken short form
("80的零百是7.9秒" where the text names the 80KM) is the version whose name it starts
(`short_version`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.respective import shared_by_listed
from ingest.specs.shapes import Found
from ingest.specs.trims import trim_subjects

_COUNT = r"(?:两|三|四|五|[2-5])"
_LATIN_NAME = r"[A-Za-z0-9][A-Za-z0-9.+]*"
_ZH_NAME = r"[\u4e00-\u9fff]{1,4}?(?:版|型)"
# "80KM的两个版本", "四驱版的两款车型": the versions that share the name before 的
_OF_NAME = re.compile(
    rf"(?P<v>{_LATIN_NAME}|[\u4e00-\u9fff]{{2,4}}(?:版|型))的{_COUNT}(?:个|款|种)(?:版本|车型|配置)"
)
# "两款超越型", "两个Max版": a count, then the name the versions share
_COUNTED = re.compile(rf"{_COUNT}(?:款|个)(?P<v>{_ZH_NAME}|{_LATIN_NAME}(?:版|型)?)")
_GENERIC = re.compile(r"^(?:.*车型|.*配置|版本?|车款|车|型|新车|车系)$")  # "三款配置车型": all
# "领先型和卓越型用的是…": two or more version names as a clause's subject, then its verb
_LISTED = re.compile(
    rf"(?P<list>{_ZH_NAME}(?:\s*(?:和|与|、|及)\s*{_ZH_NAME})+)\s*(?:都|均|则|也)*\s*"
    r"(?:用的是|用上了?|用了|配的是|装的是|是|为)"
)
_JOIN = re.compile(r"\s*(?:和|与|、|及)\s*")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE = re.compile(r"[，,；;。！？!?\n]")


def group_versions(text: str, at: int) -> list[str]:
    """The versions the sentence holding `text[at]` names as a group before it, the last
    group named before `at`; [] when it names none."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, at - 200), at)), default=0)
    start = max(start, at - 200)
    listed = _listed_subject(text, at)
    if listed:
        return listed
    groups = [
        (m.start(), m.group("v"))
        for pattern in (_OF_NAME, _COUNTED)
        for m in pattern.finditer(text, start, at)
        if not _GENERIC.match(m.group("v"))
    ]
    return [max(groups)[1]] if groups else []


def _listed_subject(text: str, at: int) -> list[str]:
    clauses = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 80), at)]
    start = clauses[-1] if clauses else max(0, at - 80)
    m = _LISTED.match(text, start, at)
    if m is None or "分别" in text[start:at]:
        return []
    return _JOIN.split(m.group("list"))


_NAME = r"(?:\d+(?:\.\d+)?[A-Za-z]+|[A-Za-z][A-Za-z0-9.+-]*|[\u4e00-\u9fff]{1,4}?(?:版|型))"
# "提供1.4T和1.6L两种动力", "55KM与120KM两个版本": two versions offered as a pair
_PAIR = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<a>{_NAME})\s*(?:和|与|、|及)\s*(?P<b>{_NAME})\s*(?:两种|两款|两个)"
)
_WHICH = re.compile(r"前者|后者")


def paired_version(text: str, at: int) -> str | None:
    """The version 前者 or 后者 before `text[at]` stands for, when its sentence offered two
    as a pair before it; else None."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, at - 200), at)), default=0)
    words = list(_WHICH.finditer(text, max(start, at - 200), at))
    if not words:
        return None
    pairs = list(_PAIR.finditer(text, max(start, at - 200), words[-1].start()))
    if not pairs:
        return None
    return pairs[-1].group("a" if words[-1].group() == "前者" else "b")


# "顶配为9.39万元", "入门款那台…", "最低配的指导价…": a version named by its level
_LEVEL = re.compile(r"(?:最)?(?:顶配|高配|中配|低配)(?:版|款|车型)?|入门(?:版|款|车型)|基础版|丐版")


def level_version(text: str, at: int) -> str | None:
    """The version the clause holding `text[at]` names by its level before it, if one."""
    clauses = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 40), at)]
    start = clauses[-1] if clauses else max(0, at - 40)
    levels = list(_LEVEL.finditer(text, start, at))
    return levels[-1].group() if levels else None


_SHORT = re.compile(r"(?<![\d.A-Za-z])(?P<n>\d{2,4})的")


def short_version(text: str, at: int) -> str | None:
    """The version a bare number before 的 in the clause holding `text[at]` stands for: the
    one name the text writes as that number and letters ("80" for "80KM")."""
    clauses = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 30), at)]
    start = clauses[-1] if clauses else max(0, at - 30)
    short = list(_SHORT.finditer(text, start, at))
    if not short:
        return None
    n = short[-1].group("n")
    names = set(re.findall(rf"(?<![\d.]){n}[A-Za-z]{{1,3}}(?![A-Za-z])", text))
    return names.pop() if len(names) == 1 else None


def per_trim(text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
    """A sentence's figure whose subject is a list of trims ("Base and Premium trims use a
    2.0-liter …") once for each trim."""
    out = []
    for f, prose in found:
        trims = (
            (trim_subjects(text, f.value.start) or _shared(text, f) or _group(text, f))
            if prose
            else []
        )
        out += [(replace(f, variant=t), prose) for t in trims] or [(f, prose)]
    return out


def _shared(text: str, found: Found) -> list[str]:
    """The Chinese versions a clause lists as its subject, when the fact names none of its
    own beyond them ("尊贵版和旗舰版则换上了235/45 R18轮胎")."""
    names = shared_by_listed(text, found.value.start)
    return names if found.variant is None or found.variant in names else []


def _group(text: str, found: Found) -> list[str]:
    """The versions a sentence speaks of as a group ("80KM的两个版本，电池是…"), as one of a
    pair (前者/后者) or by level ("顶配为…") (`groups`), for a figure of no version or only a
    motor's."""
    if found.variant is not None and not found.variant.endswith("电机"):
        return []
    at = found.value.start
    one = paired_version(text, at) or level_version(text, at) or short_version(text, at)
    return group_versions(text, at) or ([one] if one else [])
