"""Spec grounding: is every number-with-unit in a generated text backed by a retrieved passage?

Both sides go through the same extractor: the generated text yields *claims*, the passages yield
*facts*. A claim is supported when some fact of the same dimension agrees with it after unit
conversion, within the rounding both figures were written with: "204 PS" stands for any power in
[203.5, 204.5) PS, "150 kW" for [149.5, 150.5) kW, and the two overlap once converted, so
150 kW backs 204 PS; 1,498 cc backs "1.5 L"; "15万公里" is 150,000 km. A claim that no
converted fact reaches is unsupported, except when its number appears in a passage as a bare
figure (a table cell whose unit sits in the header), which is counted as support.

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

# A US gallon is 3.785411784 L and a mile 1.609344 km: L/100km = 235.215 / mpg (US) or
# 282.481 / mpg (imperial). Brochures rarely say which; either reading is accepted.
_MPG_US = 235.2145833
_MPG_UK = 282.4809363


@dataclass(frozen=True)
class Unit:
    """One unit: its dimension, its display symbol, and how it converts to the canonical one."""

    dimension: str
    symbol: str
    factors: tuple[float, ...] = (1.0,)  # canonical = value * factor
    inverse: bool = False  # canonical = factor / value (mpg, km/L → L/100km)

    def convert(self, value: float, factor: float) -> float:
        return factor / value if self.inverse else value * factor


KW = Unit("power", "kW")
PS = Unit("power", "PS", (0.73549875,))
HP = Unit("power", "hp", (0.74569987,))
NM = Unit("torque", "Nm")
LBFT = Unit("torque", "lb-ft", (1.35581795,))
MM = Unit("length", "mm")
CM = Unit("length", "cm", (10.0,))
METRE = Unit("length", "m", (1000.0,))
INCH = Unit("inch", "in")
KM = Unit("distance", "km")
MILE = Unit("distance", "mi", (1.609344,))
LITRE = Unit("volume", "L")
CC = Unit("volume", "cc", (0.001,))
L100 = Unit("fuel_consumption", "L/100km")
KMPL = Unit("fuel_consumption", "km/L", (100.0,), inverse=True)
MPG = Unit("fuel_consumption", "mpg", (_MPG_US, _MPG_UK), inverse=True)
KWH100 = Unit("electric_consumption", "kWh/100km")
KWH = Unit("energy", "kWh")
KMH = Unit("speed", "km/h")
MPH = Unit("speed", "mph", (1.609344,))
SECOND = Unit("time", "s")
MINUTE = Unit("time", "min", (60.0,))
HOUR = Unit("time", "h", (3600.0,))
KG = Unit("mass", "kg")
RPM = Unit("rpm", "rpm")
GKM = Unit("emissions", "g/km")
CNY = Unit("price_cny", "CNY")
USD = Unit("price_usd", "USD")
EUR = Unit("price_eur", "EUR")
GBP = Unit("price_gbp", "GBP")
INR = Unit("price_inr", "INR")

# Surface forms after a number, longest first within each family so that "km/h" wins over
# "km" and "千瓦时" over "千瓦". ASCII forms must not run into a following letter.
_SUFFIXES: list[tuple[str, Unit]] = [
    # consumption first: they start like volumes and distances
    (r"l\s*/\s*100\s*km", L100),
    (r"升\s*/\s*百公里", L100),
    (r"kwh\s*/\s*100\s*km", KWH100),
    (r"千瓦时\s*/\s*百公里", KWH100),
    (r"km\s*/\s*l(?:itre|iter)?", KMPL),
    (r"kmpl", KMPL),
    (r"公里\s*/\s*升", KMPL),
    (r"mpg", MPG),
    (r"miles\s+per\s+gallon", MPG),
    (r"km\s*/\s*h", KMH),
    (r"kph", KMH),
    (r"公里\s*/\s*(?:小时|时)", KMH),
    (r"千米\s*/\s*(?:小时|时)", KMH),
    (r"mph", MPH),
    (r"g\s*/\s*km", GKM),
    (r"克\s*/\s*公里", GKM),
    (r"r\s*/\s*min", RPM),
    (r"rpm", RPM),
    (r"转\s*/\s*分(?:钟)?", RPM),
    (r"转", RPM),
    (r"kwh", KWH),
    (r"千瓦时", KWH),
    (r"kw", KW),
    (r"千瓦", KW),
    (r"ps", PS),
    (r"马力", PS),  # the Chinese 马力 is the metric horsepower
    (r"匹", PS),
    (r"cv", PS),
    (r"bhp", HP),
    (r"hp", HP),
    (r"horsepower", HP),
    (r"n\s*[·.\-⋅•]?\s*m", NM),
    (r"newton[\s-]*met(?:re|er)s?", NM),
    (r"牛(?:顿)?\s*[·.⋅•]?\s*米", NM),
    (r"lb[\s.-]*ft", LBFT),
    (r"mm", MM),
    (r"毫米", MM),
    (r"cm", CM),
    (r"厘米", CM),
    (r"km", KM),
    (r"kilomet(?:re|er)s?", KM),
    (r"公里", KM),
    (r"千米", KM),
    (r"miles?", MILE),
    (r"met(?:re|er)s?", METRE),
    (r"m(?![²³\w])", METRE),
    (r"米", METRE),
    (r"cc", CC),
    (r"ml", CC),
    (r"毫升", CC),
    (r"lit(?:re|er)s?", LITRE),
    (r"l", LITRE),
    (r"升", LITRE),
    (r"t(?=[\s,;.)）/，、]|$|[\u4e00-\u9fff])", LITRE),  # "1.5T": a 1.5-litre turbo
    (r"inch(?:es)?", INCH),
    (r"英寸", INCH),
    (r'"', INCH),
    (r"seconds?", SECOND),
    (r"secs?", SECOND),
    (r"s", SECOND),
    (r"秒", SECOND),
    (r"minutes?", MINUTE),
    (r"mins?", MINUTE),
    (r"分钟", MINUTE),
    (r"hours?", HOUR),
    (r"hrs?", HOUR),
    (r"h", HOUR),
    (r"小时", HOUR),
    (r"kgs?", KG),
    (r"kilograms?", KG),
    (r"公斤", KG),
    (r"千克", KG),
    (r"元(?:人民币)?", CNY),
    (r"人民币", CNY),
    (r"rmb", CNY),
    (r"cny", CNY),
    (r"yuan", CNY),
    (r"usd", USD),
    (r"dollars?", USD),
    (r"eur(?:os?)?", EUR),
    (r"€", EUR),
    (r"gbp", GBP),
    (r"£", GBP),
    (r"inr", INR),
    (r"rupees?", INR),
]

_PREFIXES: list[tuple[str, Unit]] = [
    (r"us\$", USD),
    (r"usd", USD),
    (r"\$", USD),
    (r"eur", EUR),
    (r"€", EUR),
    (r"gbp", GBP),
    (r"£", GBP),
    (r"rs\.?", INR),
    (r"inr", INR),
    (r"₹", INR),
    (r"rmb", CNY),
    (r"cny", CNY),
    (r"¥", CNY),
]

_MULTIPLIERS = {
    "万": 1e4,
    "亿": 1e8,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "million": 1e6,
    "mn": 1e6,
}

_ASCII_TAIL = r"(?![a-z])"
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_LIST_SEP = r"(?:\s*(?:[/~～\-–—]|至|到|or|to|和|或)\s*)"


def _alternation(forms: list[tuple[str, Unit]]) -> str:
    parts = []
    for i, (form, _) in enumerate(forms):
        tail = _ASCII_TAIL if form[-1].isascii() and form[-1].isalpha() else ""
        parts.append(f"(?P<u{i}>{form}{tail})")
    return "|".join(parts)


_SUFFIX_RE = _alternation(_SUFFIXES)
_PREFIX_RE = "|".join(f"(?P<p{i}>{form})" for i, (form, _) in enumerate(_PREFIXES))
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

# 百公里油耗4.5升, 百公里油耗为5.9升, 每百公里耗电13.4度: the unit is split around the figure.
_PER_100 = re.compile(
    rf"百公里[^\d\n。；;]{{0,12}}?(?P<number>{_NUMBER})\s*"
    r"(?:(?P<litre>升|l(?![a-z])|lit(?:re|er)s?)|(?P<kwh>千瓦时|kwh|度))",
    re.IGNORECASE,
)
_FUEL_WORDS = re.compile(
    r"(?:油耗|耗油|fuel\s+(?:consumption|economy)|consumption)[^\d\n]{0,10}$", re.IGNORECASE
)
_BARE_CNY = re.compile(r"(?:价|售|元)")


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

    def merge(self, other: GroundingReport) -> GroundingReport:
        return GroundingReport(
            checked=self.checked + other.checked,
            supported=self.supported + other.supported,
            unsupported=[*self.unsupported, *other.unsupported],
        )


@dataclass(frozen=True)
class Quantity:
    """One figure with its unit, as found in a text."""

    text: str
    value: float  # multiplier (万, lakh) applied
    half_width: float  # half the last written digit, multiplier applied: "1.5" → 0.05
    unit: Unit
    raw: float  # the number as written, before any multiplier

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
    return not re.match(r"[\u4e00-\u9fff]", after) or bool(_BARE_CNY.search(before))


def extract_quantities(text: str) -> tuple[list[Quantity], list[float]]:
    """Every figure with a unit in `text`, and the bare numbers (written with no unit)."""
    text = normalise(text)
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _PER_100.finditer(text):
        value, half = _parse_number(m.group("number"))
        unit = L100 if m.group("litre") else KWH100
        found.append(Quantity(m.group(0), value, half, unit, value))
        taken.append((m.start("number"), m.end()))

    bare: list[float] = []
    for m in _CLAIM.finditer(text):
        if any(s <= m.start("numbers") < e for s, e in taken):
            continue
        numbers = [n.group(0) for n in _ONE_NUMBER.finditer(m.group("numbers"))]
        unit = _unit_of(m, "u", _SUFFIXES)
        prefix_unit = _unit_of(m, "p", _PREFIXES)
        mult = (m.group("mult") or "").lower()
        if prefix_unit is not None and (unit is None or unit.dimension.startswith("price")):
            unit = prefix_unit
        elif unit is None and mult in ("lakh", "lakhs", "crore", "crores"):
            unit = INR
        elif unit is None and mult in ("万", "亿") and _price_without_unit(text, m):
            unit = CNY
        if unit is None:
            bare.extend(float(n.replace(",", "")) for n in numbers)
            continue
        if unit is LITRE and _FUEL_WORDS.search(text[max(0, m.start() - 16) : m.start()]):
            unit = L100  # 油耗4.5升: a consumption written like a volume
        if unit is LITRE and m.group("unit")[-1] in "tT":
            if any(float(n.replace(",", "")) >= 10 for n in numbers):
                continue  # "3500T" is no engine size
        multiplier = _MULTIPLIERS.get(mult, 1.0)
        for n in numbers:
            value, half = _parse_number(n)
            if value == 0:
                continue  # the 0 of "0-100 km/h" is no claim
            written = m.group(0).strip() if len(numbers) == 1 else f"{n} {m.group('unit')}"
            found.append(
                Quantity(written, round(value * multiplier, 6), half * multiplier, unit, value)
            )
    return found, bare


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
    """The facts in a set of passages, indexed by dimension for repeated checks."""

    def __init__(self, passages: Iterable[str]):
        self.facts: dict[str, list[Quantity]] = {}
        self.bare: set[float] = set()
        for passage in passages:
            quantities, bare = extract_quantities(passage)
            for q in quantities:
                self.facts.setdefault(q.unit.dimension, []).append(q)
            self.bare.update(b for b in bare if _distinctive(b))

    def supports(self, claim: Quantity) -> bool:
        if any(_agrees(claim, fact) for fact in self.facts.get(claim.unit.dimension, [])):
            return True
        return claim.raw in self.bare or claim.value in self.bare


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
