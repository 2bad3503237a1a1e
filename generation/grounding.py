"""Spec grounding: is every number-with-unit in a generated text backed by a retrieved passage?

Both sides go through the same extractor: the generated text yields *claims*, the passages yield
*facts*. A claim is supported when some fact of the same dimension agrees with it after unit
conversion, within the rounding both figures were written with: "204 PS" stands for any power in
[203.5, 204.5) PS, "150 kW" for [149.5, 150.5) kW, and the two overlap once converted, so
150 kW backs 204 PS; 1,498 cc backs "1.5 L"; "15万公里" is 150,000 km. A claim that no
converted fact reaches is unsupported, except when its number appears in a passage as a bare
figure: under a header-style unit of its dimension ("Wheelbase (mm)  2 520"), or, in a passage
without such headers, specific enough to count (at least 100, or with decimals), so a stray "5"
backs nothing.

Covered: power (kW, PS, hp, 马力, 千瓦), torque (Nm, N·m, 牛·米, lb-ft), length (mm, cm, m,
毫米), distance (km, 公里, miles), displacement and volume (L, cc, 升, litres, "1.5T"), fuel
consumption (L/100km, 百公里油耗4.5升, km/L, mpg), electric consumption (kWh/100km), energy
(kWh, 千瓦时), speed (km/h, mph), time (s, min, h, 秒), mass (kg, 公斤), inches, rpm, g/km and
prices (万元, 元, ¥, $, €, ₹, lakh, crore). Text is NFKC-normalised first, so full-width digits
and units read like their ASCII forms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ingest.specs.units import (
    CNY,
    INR,
    KWH100,
    L100,
    LITRE,
    MULTIPLIERS,
    PREFIXES,
    SUFFIXES,
    Unit,
)

_ASCII_TAIL = r"(?![a-z])"
# Thousands separators, Indian grouping ("7,94,000") included.
_NUMBER = r"(?:\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_LIST_SEP = r"(?:\s*(?:[/~～\-–—]|至|到|or|to|和|或)\s*)"


def _alternation(forms: list[tuple[str, Unit]]) -> str:
    parts = []
    for i, (form, _) in enumerate(forms):
        tail = _ASCII_TAIL if form[-1].isascii() and form[-1].isalpha() else ""
        parts.append(f"(?P<u{i}>{form}{tail})")
    return "|".join(parts)


_SUFFIX_RE = _alternation(SUFFIXES)
_PREFIX_RE = "|".join(f"(?P<p{i}>{form})" for i, (form, _) in enumerate(PREFIXES))
_MULT_RE = r"(?P<mult>万|亿|(?:lakhs?|crores?|million|mn)(?![a-z]))"

# A claim: optional currency prefix, one number or a list/range of numbers, an optional
# multiplier (万, lakh), then a unit. Lists share the unit: "4560/1860/1680 mm", "1750-4000 rpm".
_CLAIM = re.compile(
    rf"(?:(?<![a-z])(?P<prefix>{_PREFIX_RE})\s*)?"
    rf"(?<![a-z0-9])(?<![0-9][.,])(?P<numbers>{_NUMBER}(?:{_LIST_SEP}{_NUMBER})*)"
    rf"\s*(?:-\s*)?"
    rf"(?:{_MULT_RE}\s*)?"
    rf"(?:(?P<unit>{_SUFFIX_RE}))?",
    re.IGNORECASE,
)
_ONE_NUMBER = re.compile(_NUMBER)

# Spaces as thousands separators ("6 000 r/min", "1 500-4 000 r/min") are read only when a
# unit follows: in a table row "1 197 998 1 493" they separate cells.
_SPACED_NUMBER = r"\d{1,3}(?: \d{3})+(?:\.\d+)?"
_SPACED = re.compile(
    rf"(?<![\d.,])(?P<numbers>(?:{_SPACED_NUMBER}|{_NUMBER})"
    rf"(?:{_LIST_SEP}(?:{_SPACED_NUMBER}|{_NUMBER}))*)\s*(?:-\s*)?(?P<unit>{_SUFFIX_RE})",
    re.IGNORECASE,
)
_SPACED_ONE = re.compile(rf"{_SPACED_NUMBER}|{_NUMBER}")
# Bare figures that may be space-grouped: each "d ddd" pair is also read as one number.
_SPACED_PAIR = re.compile(r"(?<![\d.,])(?=(\d{1,3}) (\d{3})(?![\d,.]))")

# 百公里油耗4.5升, 百公里油耗为5.9升, 每百公里耗电13.4度: the unit is split around the figure.
_PER_100 = re.compile(
    rf"百公里[^\d\n。；;]{{0,12}}?(?P<number>{_NUMBER})\s*"
    r"(?:(?P<litre>升|l(?![a-z])|lit(?:re|er)s?)|(?P<kwh>千瓦时|kwh|度))",
    re.IGNORECASE,
)
_FUEL_WORDS = re.compile(
    r"(?:油耗|耗油|fuel\s+(?:consumption|economy)|consumption)[^\d\n]{0,10}$", re.IGNORECASE
)
_PRICE_WORDS = re.compile(r"(?:价|售|元)")
# A unit in parentheses with no figure: a table header, "Fuel tank capacity (l)  45".
_HEADER = re.compile(rf"[(（]\s*(?:{_SUFFIX_RE})\s*[)）]", re.IGNORECASE)


class Unsupported(BaseModel):
    """A figure in the generated text that no retrieved passage backs."""

    text: str = Field(description="the figure as written")
    value: float = Field(description="the number as written (万/lakh applied)")
    unit: str = Field(description="the unit's symbol, e.g. PS for 马力")


class GroundingReport(BaseModel):
    """How many figures with units were checked, how many the passages back, and which not."""

    checked: int = 0
    supported: int = 0
    unsupported: list[Unsupported] = Field(default_factory=list)


@dataclass(frozen=True)
class Quantity:
    """One figure with its unit, as found in a text."""

    text: str
    value: float  # multiplier (万, lakh) applied
    half_width: float  # half the last written digit, multiplier applied: "1.5" → 0.05
    unit: Unit
    raw: float  # the number as written, before any multiplier
    start: int = 0  # offset in the normalised text, for reporting in reading order

    def canonical(self) -> list[tuple[float, float]]:
        """(value, half width) in the dimension's canonical unit, one pair per reading."""
        out = []
        for factor in self.unit.factors:
            centre = self.unit.convert(self.value, factor)
            ends = [
                self.unit.convert(v, factor)
                for v in (self.value - self.half_width, self.value + self.half_width)
                if v > 0 or not self.unit.inverse
            ]
            out.append((centre, max((abs(e - centre) for e in ends), default=0.0)))
        return out


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), odd spaces to plain ones."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")


def _parse_number(raw: str) -> tuple[float, float]:
    """The value and the half width of its last written digit: "1,498" → (1498, 0.5)."""
    digits = raw.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return float(digits), 0.5 * 10.0**-decimals


def _unit_of(match: re.Match[str], prefix: str, forms: list[tuple[str, Unit]]) -> Unit | None:
    for name, value in match.groupdict().items():
        if value is not None and name[0] == prefix and name[1:].isdigit():
            return forms[int(name[1:])][1]
    return None


def _price_without_unit(text: str, match: re.Match[str]) -> bool:
    """14.58万 ending a clause, or after 价/售: a price in yuan; 1万辆 is a count."""
    after = text[match.end() : match.end() + 1]
    before = text[max(0, match.start() - 8) : match.start()]
    return not re.match(r"[\u4e00-\u9fff]", after) or bool(_PRICE_WORDS.search(before))


def extract_quantities(text: str) -> tuple[list[Quantity], list[float]]:
    """Every figure with a unit in `text`, and the bare numbers (written with no unit)."""
    text = normalise(text)
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []  # spans read by an earlier pass
    _read_per_100(text, found, taken)
    _read_spaced(text, found, taken)
    bare: list[float] = [float(a + b) for a, b in _SPACED_PAIR.findall(text)]
    _read_claims(text, found, taken, bare)
    found.sort(key=lambda q: q.start)
    return found, bare


def _read_per_100(text: str, found: list[Quantity], taken: list[tuple[int, int]]) -> None:
    """Consumptions per 100 km: "5.2 L/100 km", "15 kWh/100km"."""
    for m in _PER_100.finditer(text):
        value, half = _parse_number(m.group("number"))
        per_100 = L100 if m.group("litre") else KWH100
        found.append(Quantity(m.group(0), value, half, per_100, value, m.start()))
        taken.append((m.start("number"), m.end()))


def _read_spaced(text: str, found: list[Quantity], taken: list[tuple[int, int]]) -> None:
    """Figures with thousands written with spaces: "1 500-4 000 r/min"."""
    for m in _SPACED.finditer(text):
        if " " not in m.group("numbers").strip() or any(s <= m.start() < e for s, e in taken):
            continue
        spaced = [n.group(0) for n in _SPACED_ONE.finditer(m.group("numbers"))]
        if not any(" " in n for n in spaced):
            continue  # "5 / 150 km" and the like: the ordinary pass reads them
        unit = _unit_of(m, "u", SUFFIXES)
        assert unit is not None
        for n in spaced:
            value, half = _parse_number(n.replace(" ", ""))
            if value:
                found.append(
                    Quantity(f"{n} {m.group('unit')}", value, half, unit, value, m.start())
                )
        taken.append((m.start(), m.end()))


def _claim_unit(text: str, m: re.Match[str]) -> Unit | None:
    """The unit of one claim, from its suffix, currency prefix or multiplier; None if bare."""
    unit = _unit_of(m, "u", SUFFIXES)
    prefix_unit = _unit_of(m, "p", PREFIXES)
    mult = (m.group("mult") or "").lower()
    if prefix_unit is not None and (unit is None or unit.dimension.startswith("price")):
        unit = prefix_unit
    elif unit is None and mult in ("lakh", "lakhs", "crore", "crores"):
        unit = INR
    elif unit is None and mult in ("万", "亿") and _price_without_unit(text, m):
        unit = CNY
    if unit is LITRE and _FUEL_WORDS.search(text[max(0, m.start() - 16) : m.start()]):
        unit = L100  # 油耗4.5升: a consumption written like a volume
    return unit


def _read_claims(
    text: str, found: list[Quantity], taken: list[tuple[int, int]], bare: list[float]
) -> None:
    """The ordinary figures: numbers with a unit after or a currency before them."""
    for m in _CLAIM.finditer(text):
        if any(s <= m.start("numbers") < e for s, e in taken):
            continue
        numbers = [n.group(0) for n in _ONE_NUMBER.finditer(m.group("numbers"))]
        unit = _claim_unit(text, m)
        if unit is None:
            bare.extend(float(n.replace(",", "")) for n in numbers)
            continue
        if unit is LITRE and m.group("unit")[-1] in "tT":
            if any(float(n.replace(",", "")) >= 10 for n in numbers):
                continue  # "3500T" is no engine size
        multiplier = MULTIPLIERS.get((m.group("mult") or "").lower(), 1.0)
        for n in numbers:
            value, half = _parse_number(n)
            if value == 0:
                continue  # the 0 of "0-100 km/h" is no claim
            written = m.group(0).strip() if len(numbers) == 1 else f"{n} {m.group('unit')}"
            found.append(
                Quantity(
                    written, round(value * multiplier, 6), half * multiplier, unit, value, m.start()
                )
            )


def _agrees(claim: Quantity, fact: Quantity) -> bool:
    for c, ch in claim.canonical():
        for f, fh in fact.canonical():
            # Both figures are roundings; they agree when their intervals overlap. The strict
            # inequality keeps 178 from matching 177; the slack absorbs float error.
            if abs(c - f) < ch + fh - 1e-9 * max(abs(c), abs(f), 1.0):
                return True
    return False


def _distinctive(value: float) -> bool:
    """A bare number specific enough to back a figure: not a 5 or a 7 seen anywhere."""
    return value >= 100 or value != int(value)


class Evidence:
    """The facts in a set of passages, indexed by dimension for repeated checks.

    Bare numbers in a passage with header-style units back claims of those units' dimensions
    ("Fuel tank capacity (l)  45" backs "45 L", not "45 kW"); in a passage without any, they
    back a claim of any dimension when distinctive (at least 100, or with decimals).
    """

    def __init__(self, passages: Iterable[str]):
        self.facts: dict[str, list[Quantity]] = {}
        self.bare: set[float] = set()
        self.under_header: dict[str, set[float]] = {}  # dimension → bare numbers
        for passage in passages:
            quantities, bare = extract_quantities(passage)
            for q in quantities:
                self.facts.setdefault(q.unit.dimension, []).append(q)
            headers = [_unit_of(h, "u", SUFFIXES) for h in _HEADER.finditer(normalise(passage))]
            for unit in headers:
                if unit is not None:
                    self.under_header.setdefault(unit.dimension, set()).update(bare)
            if not headers:
                self.bare.update(b for b in bare if _distinctive(b))

    def supports(self, claim: Quantity) -> bool:
        if any(_agrees(claim, fact) for fact in self.facts.get(claim.unit.dimension, [])):
            return True
        headed = self.under_header.get(claim.unit.dimension, set())
        return any(v in self.bare or v in headed for v in (claim.raw, claim.value))


def check(text: str, passages: Iterable[str] | Evidence) -> GroundingReport:
    """Check every figure with a unit in `text` against `passages`."""
    evidence = passages if isinstance(passages, Evidence) else Evidence(passages)
    claims, _ = extract_quantities(text)
    report = GroundingReport(checked=len(claims))
    for claim in claims:
        if evidence.supports(claim):
            report.supported += 1
        else:
            report.unsupported.append(
                Unsupported(text=claim.text, value=claim.value, unit=claim.unit.symbol)
            )
    return report
