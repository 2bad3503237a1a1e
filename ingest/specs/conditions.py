"""Which of several figures in one cell or line is for what: the bracket or the condition
after each figure ("22.35 (MT), 22.94 (AMT)", "Up to 11.5 inches at maximum air suspension
height (8.9 inches with coil suspension)", "Up to 8,201 pounds on the Defender 110, or 7,716
pounds on the Defender 90").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from ingest.specs.numbers import Quantity
from ingest.specs.values import Value

T = TypeVar("T")

# "(MT)", "(Petrol Mode)", "(2025)": words or a year in brackets after a figure name the
# variant it is for (not a figure restated in another unit: "(120 PS)")
_QUALIFIER = re.compile(
    r"[(（](?P<q>(?:[A-Za-z\u4e00-\u9fff][^()（）\d\n]{0,30}|(?:19|20)\d\d|"
    r"[A-Z][A-Za-z0-9.\-]{0,8}(?: [A-Za-z0-9\-]{1,12}){0,2}|"  # a designation: "(Q4 45)"
    r"\d\.\d[A-Za-z]{1,3}(?: [A-Za-z0-9\-]{1,12}){0,2}))[)）]"  # an engine's: "(2.0T AWD)"
)
# "… at maximum air suspension height", "… with coil suspension", "… on the Defender 90": the
# condition right after a figure (its unit included), up to the next bracket, comma, "or" or
# the end; it starts with a word, not a figure ("at 5,600 rpm" is an engine speed)
_CONDITION = re.compile(
    r"[ \t]+(?:at|with|on|for|in)[ \t]+(?:the[ \t]+|a[ \t]+|an[ \t]+)?"
    r"(?P<q>[A-Za-z][^,;()（）\n]{1,40}?)[ \t]*(?=$|[,;()（）]|[ \t]+(?:or|and)\b)",
    re.IGNORECASE,
)


def qualified(values: list[Value], text: str, end: int) -> list[str | None]:
    """What tells each of `values` from the others: a bracket after it (before the next one,
    or `end`), else the condition right after it. Figures that all have a condition, each a
    different one, are told apart by them; otherwise only brackets count."""
    out: list[str | None] = []
    for value, stop in zip(values, [*(v.start for v in values[1:]), end], strict=True):
        bracket = _QUALIFIER.search(text, value.end, stop)
        out.append(bracket.group("q").strip() if bracket else None)
    if None not in out or len(values) < 2:
        return out
    conditions = [
        _condition(text, v.end, stop)
        for v, stop in zip(values, [*(v.start for v in values[1:]), end], strict=True)
    ]
    if None in conditions or len(set(conditions)) != len(conditions):
        return _worded(values, text, end) or out
    return conditions


# the words after a figure up to a semicolon (the cell's last figure: up to its end): "1.3
# L/100km weighted; 4.5 L/100km battery depleted"; not a joining word ("2,100 kg or …")
_WORDS_AFTER = re.compile(
    r"[ \t]+(?!(?:or|and|on|in|at|with|for|to|from)\b)"
    r"(?P<q>[A-Za-z][A-Za-z -]{1,30}?)[ \t]*(?P<stop>;|$)"
)


def _worded(values: list[Value], text: str, end: int) -> list[str | None] | None:
    """The words each figure of a cell of `;`-parted figures has after it, when every one
    has its own; else None."""
    named: list[str | None] = []
    for n, value in enumerate(values):
        stop = values[n + 1].start if n + 1 < len(values) else end
        m = _WORDS_AFTER.match(text[:stop], value.end)
        last = n + 1 == len(values)
        if m is None or (m.group("stop") == ";") == last:
            return None  # no words, or figures not parted by semicolons
        named.append(" ".join(m.group("q").split()))
    return named if len(set(named)) == len(named) else None


def narrows(variant: str, qualifier: str) -> bool:
    """Whether a figure's bracket names one of the versions its column is for: "(2.0T AWD)"
    in a "1.5T / 2.0T" column is that version's, not the column's and a condition."""
    parts = [p.split() for p in variant.casefold().split("/")]
    head = qualifier.casefold().split()[:1]
    return len(parts) > 1 and any(p[-1:] == head for p in parts if p)


def _condition(text: str, start: int, stop: int) -> str | None:
    m = _CONDITION.match(text[:stop], start)
    return " ".join(m.group("q").split()) if m else None


# "6-speed automatic or 6-speed manual": gearboxes offered as alternatives, each a whole one
_GEARBOX = re.compile(
    r"\d+\s*-?\s*speed\b|\b(?:e-?CVT|CVT|DCT|DSG|IVT|AMT)\b"
    r"|\b\d{1,2}-?(?:MT|AT|AMT|DCT|DCA|DSG|IVT)\b",  # "6MT / 7DCA", "8AT": a count and a code
    re.IGNORECASE,
)
_OR = re.compile(r"\s*,?\s+or\s+|[ \t]+/[ \t]+", re.IGNORECASE)  # "6MT / 7DCA": a cell's two


def alternatives(key: str, value: Value, text: str) -> list[Value]:
    """A transmission cell of gearboxes joined by "or" (or a spaced slash), one value each;
    else `value`."""
    if key != "transmission":
        return [value]
    out: list[Value] = []
    start = value.start
    for m in [*_OR.finditer(text, value.start, value.end), None]:
        end = m.start() if m else value.end
        if not _GEARBOX.search(text, start, end):
            return [value]
        out.append(Value(start, end))
        start = m.end() if m else end
    return out


# "400 horsepower in standard form, or up to 450 horsepower in high-output applications": a
# figure offered as another's alternative, with the condition it holds in after it
_OR_BEFORE = re.compile(
    r"\bor\s+(?:up\s+to|about|around|approximately|nearly|~)?\s*$", re.IGNORECASE
)
_IN_CONDITION = re.compile(
    r"[ \t]+(?:in|on|for|with)[ \t]+(?:the[ \t]+|a[ \t]+|an[ \t]+)?"
    r"(?P<q>[A-Za-z][\w-]*(?:[ \t]+[\w-]+)?"
    r"[ \t]+(?:form|applications?|configurations?|versions?|models?|trims?|tune|spec))\b",
    re.IGNORECASE,
)


def alternative_condition(text: str, start: int, end: int) -> str | None:
    """The condition an alternative figure `text[start:end]` holds in, else None."""
    if not _OR_BEFORE.search(text, max(0, start - 24), start):
        return None
    m = _IN_CONDITION.match(text, end)
    return " ".join(m.group("q").split()) if m else None


# "… or 19.2 kW (optional)", "190km（DM-i 945）／210km（DM-i 970）"
_BRACKET_JOIN = re.compile(
    r"\s*,?\s*(?:or|and)\s+(?:up\s+to\s+)?|\s*(?:[/／、]|和|与|及|以及)\s*", re.IGNORECASE
)  # "2780kg（纯电版）和2690kg（插混版）"


def paired(
    text: str, first: Quantity, figures: list[Quantity], bind: Callable[[Quantity], list[T]]
) -> list[tuple[T, str]]:
    """ "up to 11 kW (standard) or 19.2 kW (optional)": figures of one unit joined by "or" /
    "and", each followed by a bracket naming its version, bound each with that name; [] for
    a figure with no such partner."""
    bracket = own_bracket(text, first.end)
    if bracket is None:
        return []
    found = [(first, bracket[0])]
    end = bracket[1]
    for q in figures:
        if q.start < end:
            continue
        nxt = own_bracket(text, q.end)
        if (
            q.unit is not first.unit
            or nxt is None
            or not _BRACKET_JOIN.fullmatch(text, end, q.start)
        ):
            break
        found.append((q, nxt[0]))
        end = nxt[1]
    if len(found) < 2:
        return []
    out = [(fact, name) for q, name in found for fact in bind(q)[:1]]
    return out if len(out) == len(found) else []


_OWN_BRACKET = re.compile(  # words, a Chinese name or a designation ("Q4 40", "Hybrid 136")
    r"[ \t]*[(（](?P<v>[A-Za-z][A-Za-z0-9 .\-]{0,22}|[A-Z][A-Za-z0-9.\-]{0,8} \d{1,3}[A-Za-z]{0,3}|"
    r"[\u4e00-\u9fff]{1,8})[)）]"
)
# what a bracket says of how or for what a figure was measured, not which variant it is
_NO_VARIANT = re.compile(
    r"\b(?:usable|gross|net|approx\w*|est\w*|epa|wltp|nedc|cltc|claimed|rated|max\w*|peak|"
    r"combined|city|highway|hwy|typical\w*|about|around|min\w*|avg|average|sae|din|all|"
    r"every|both|each|full|total|only|see|note|incl\w*|excl\w*|with|without|per|at|"
    r"from|last|previous\w*)\b"  # "(from 238 hp last year)": an earlier figure, no variant
    r"|约|左右|综合|市区|高速|可用|全系|标配",
    re.IGNORECASE,
)


def own_bracket(text: str, end: int) -> tuple[str, int] | None:
    """The variant a bracket right after a figure ending at `end` names, and where it ends:
    "71.4 kWh (FWD)", "19.2 kW (optional)"; not "(usable)", "(approx.)", "(all variants)"."""
    m = _OWN_BRACKET.match(text, end)
    if m is None or _NO_VARIANT.search(m.group("v")):
        return None
    return m.group("v").strip(), m.end()


# A bracket's words that make its figure no spec of the car: what a tester's car cost or did,
# the share of a battery usable ("£27,995 (as tested £29,090)", "82kWh (77kWh usable)")
_ASIDE = re.compile(
    r"\b(?:as[- ]tested|tested|with options|options?|usable|real[- ]world|observed)\b", re.I
)


def without_asides(segment: str, values: list[Value]) -> list[Value]:
    """A cell's figures without those a bracketed remark gives: a figure with no unit beside
    figures with one ("302 horsepower (2025)", "(… with 2025 update)"), and any figure in a
    bracket whose words say it is a tester's or a part's ("(as tested £29,090)")."""
    if any(v.unit for v in values):
        values = [v for v in values if v.unit or not _in_brackets(segment, v.start, v.end)]
    elif len(values) > 1 and not _inside(segment, values[0].start):  # "6 (2nd-row captain's
        values = [v for v in values if not _inside(segment, v.start)]  # chairs)": a count's
    if len(values) < 2:  # remark in brackets after it
        return values
    return [v for v in values if not _aside(segment, v.start)]


def _inside(segment: str, start: int) -> bool:
    """Whether `segment[start]` is inside a bracket."""
    opened = max(segment.rfind("(", 0, start), segment.rfind("（", 0, start))
    return opened > max(segment.rfind(")", 0, start), segment.rfind("）", 0, start))


def _aside(segment: str, start: int) -> bool:
    opened = max(segment.rfind("(", 0, start), segment.rfind("（", 0, start))
    closed = max(segment.rfind(")", 0, start), segment.rfind("）", 0, start))
    if opened <= closed:
        return False
    shut = [i for i in (segment.find(")", start), segment.find("）", start)) if i >= 0]
    return _ASIDE.search(segment[opened : min(shut) if shut else len(segment)]) is not None


def _in_brackets(segment: str, start: int, end: int) -> bool:
    """Whether `segment[start:end]`, a figure with no unit beside figures with one, is inside
    a bracketed remark (a model year, a version's designation: "(Q4 45)"): no figure of the
    label's quantity, whatever else the remark says."""
    opened = max(segment.rfind("(", 0, start), segment.rfind("（", 0, start))
    closed = max(segment.rfind(")", 0, start), segment.rfind("）", 0, start))
    if opened <= closed:
        return False
    named = re.search(r"[A-Za-z]\w*\s+$", segment[opened + 1 : start]) is not None  # "(Q4 45)"
    return named or _MODEL_YEAR.fullmatch(segment, start, end) is not None


_MODEL_YEAR = re.compile(r"(?:19|20)\d\d")
