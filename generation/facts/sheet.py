"""A car's fact sheet for one request: the brief's car resolved through the registry, and one
publishable value per attribute and variant, each with its citation.

Generation writes from this sheet, not from what a model remembers. The registry
(`ingest.specs.registry.CarRegistry`) merges facts that agree into one spec with every citation
and marks an attribute + variant with several numeric values as a conflict; here a conflict is
settled only when one value has more sources than every other, otherwise the attribute is left
out (a figure two documents disagree on is not published as if it were certain).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from generation.errors import CarHasNoFacts, UnknownCar
from ingest.analysis import has_han, romanised
from ingest.specs.measures import measured_under
from ingest.specs.registry import CarRegistry, CarSummary, FactCitation, Spec
from ingest.specs.variants import merge_variants, name_key

# What a trim or engine name never holds: a table row's cell separators, a consumption figure
# ("Fuel economy (WLTP combined) 5.9 L/100km" read as a variant of the next row's figures).
# A run of eight Chinese characters is a clause ("新车提供舒适版和豪华版"), not a name.
_NOT_A_NAME = re.compile(r"\||/\s*100\s*km|\bmpg\b|百公里|[\u4e00-\u9fff]{8,}", re.IGNORECASE)
# A heading of words that name no version: "All other trims", "Output", "City driving" (the
# figures under it are every other trim's, or a driving condition's, not one version's).
_NO_VERSION = re.compile(
    r"(?:(?:all|other|remaining|output|combined|total|trims?|models?|versions?|variants?|city|"
    r"highway|driving|conditions?|max|min|maximum|minimum|charging|system|specs?|"
    r"specifications?)\s*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SheetFact:
    """One value of one attribute (of one variant when the source names it) of the car."""

    key: str  # a stable id within the sheet: "power|kappa 1.0 l turbo gdi"
    attribute: str
    label: str
    variant: str | None
    value: str  # as the source wrote it
    numbers: tuple[float, ...]
    unit: str | None
    normalized: float | None
    normalized_unit: str | None
    citation: FactCitation
    sources: int = 1  # how many citations agree on it
    # every citation that states it (`citation` is the one a sentence cites)
    citations: tuple[FactCitation, ...] = ()


@dataclass
class FactSheet:
    """The facts generation may use for one car, in the vocabulary's order."""

    car: CarSummary
    facts: list[SheetFact] = field(default_factory=list)
    chinese: str | None = None  # the name Chinese text uses ("日产奇骏"), when one is known

    def name(self, language: str) -> str:
        """The car's name in `language`: a Chinese alias for zh when there is one."""
        if language == "zh" and self.chinese:
            return self.chinese
        if language == "zh":
            chinese = [a for a in self.car.aliases if has_han(a)]
            if chinese and not has_han(self.car.name):
                # the longest Chinese name is the most complete ("日产奇骏" over "奇骏")
                return max(chinese, key=len)
            return self.car.name
        # English names a model known only by its Chinese name in pinyin ("Volkswagen 探岳" →
        # "Volkswagen Tanyue"), as its id does: no Chinese characters in English copy
        return romanised(self.car.name)

    def names(self) -> list[str]:
        """Every name of the car (for checks that the car survives a rewrite)."""
        roman = romanised(self.car.name)
        return [
            self.car.name,
            *self.car.aliases,
            *([self.chinese] if self.chinese else []),
            *([roman] if roman != self.car.name else []),
        ]

    def of(self, attribute: str) -> list[SheetFact]:
        return [f for f in self.facts if f.attribute == attribute]

    def first(self, attribute: str) -> SheetFact | None:
        found = self.of(attribute)
        return found[0] if found else None

    def variants(self) -> list[str]:
        """The variants the sheet names, in first-seen order."""
        return list(dict.fromkeys(f.variant for f in self.facts if f.variant))


def resolve_car(registry: CarRegistry, text: str) -> CarSummary:
    """The car `text` names (an id, a name or an alias): UnknownCar (404, with close matches)
    when none does, CarHasNoFacts (422) when it has no facts to write from."""
    car = registry.car(text.strip())
    if car is None:
        found = registry.search(text)
        car = found[0] if found else None
    if car is None:
        raise UnknownCar.among(registry, text)
    if car.facts == 0:
        raise CarHasNoFacts(car.id, car.name)
    return car


def build_sheet(registry: CarRegistry, car: CarSummary) -> FactSheet:
    """The car's publishable facts: one value per attribute and variant."""
    sheet = registry.sheet(car.id)
    if sheet is None:  # removed since it was resolved
        raise UnknownCar(car.name)
    groups: dict[tuple[str, str], list[Spec]] = defaultdict(list)
    for spec in sheet.specs:
        groups[(spec.attribute, (spec.variant or "").casefold())].append(spec)
    facts = []
    for (attribute, variant), specs in groups.items():
        chosen = _settle(specs)
        if chosen is not None:
            facts.append(_fact(f"{attribute}|{variant}", chosen))
    names = [car.name, *car.aliases]
    facts = [f for f in facts if not (f.variant and _not_a_name(f)) and not _bare_figure(f)]
    merged = _without_echoes(merge_variants(facts, names, agree=one_version))
    return FactSheet(car=car, facts=_named_once(one_engine(merged)))


def _settle(specs: list[Spec]) -> Spec | None:
    """The one value to publish: the only one, the non-numeric first one (a gearbox named two
    ways is not a disagreement about a figure), or the one more sources give; None on a tie."""
    if len(specs) == 1 or not any(s.conflict for s in specs):
        return specs[0]
    ranked = sorted(specs, key=lambda s: -len(s.citations))
    if len(ranked[0].citations) > len(ranked[1].citations):
        return ranked[0]
    return None


def _fact(key: str, spec: Spec) -> SheetFact:
    return SheetFact(
        key=key,
        attribute=spec.attribute,
        label=spec.label,
        variant=spec.variant,
        value=spec.value,
        numbers=spec.numbers,
        unit=spec.unit,
        normalized=spec.normalized,
        normalized_unit=spec.normalized_unit,
        citation=spec.citations[0],
        sources=len(spec.citations),
        citations=tuple(spec.citations),
    )


def same_value(a: SheetFact, b: SheetFact) -> bool:
    """Two values of one attribute that agree: words alike once folded, figures alike at the
    coarser one's written precision ("1.5 l" and "1 493 cc": 1.5 L covers 1.45-1.55 L)."""
    if a.normalized is None or b.normalized is None:
        return (
            a.normalized is None and b.normalized is None and name_key(a.value) == name_key(b.value)
        )
    if a.normalized_unit != b.normalized_unit:
        return False
    if a.normalized == b.normalized:  # 0 g/mi and 0 g/mi
        return True
    if not a.numbers or a.numbers[0] == 0:
        return False
    scale = a.normalized / a.numbers[0]
    decimals = len(str(a.numbers[0]).rstrip("0").partition(".")[2])
    half = 0.5 * 10.0**-decimals * scale
    return abs(a.normalized - b.normalized) <= half + 1e-9


def _without_echoes(facts: list[SheetFact]) -> list[SheetFact]:
    """A variant whose every fact an earlier kept variant already states is an echo of it
    ("U2 1.5 l CRDi Diesel: 1.5 l" after "U2 1.5 l CRDi VGT: 1 493 cc"; the 4WD trim of an
    engine the 2WD trim already gave): its facts are left out."""
    by_variant: dict[str, list[SheetFact]] = defaultdict(list)
    for fact in facts:
        if fact.variant:
            by_variant[fact.variant].append(fact)
    kept: list[SheetFact] = []
    echoes: set[str] = set()
    # the variant that says most first: the echo is the one with less to say
    for variant, own in sorted(by_variant.items(), key=lambda item: -len(item[1])):
        if all(any(o.attribute == f.attribute and same_value(f, o) for o in kept) for f in own):
            echoes.add(variant)
        else:
            kept.extend(own)
    return [f for f in facts if f.variant not in echoes]


def _named_once(facts: list[SheetFact]) -> list[SheetFact]:
    """A car-level fact that a named variant states too is that variant's ("makes 130 hp"
    from one document, "the 1993 Camry makes 130 hp" from another): keep the named one, so the
    text says whose figure it is."""
    named = [f for f in facts if f.variant]
    return [
        f
        for f in facts
        if f.variant or not any(o.attribute == f.attribute and same_value(f, o) for o in named)
    ]


def one_engine(facts: list[SheetFact]) -> list[SheetFact]:
    """Versions named only by the car's one engine are the car. A brochure's "A 1.5-litre
    turbocharged engine delivers 124 kW" and "Engine 1.5T turbocharged inline-4" made versions
    of a car that has one engine, and the text named it three ways. They are folded into the
    car when their names and the car's own engine agree (no two sizes, cylinder counts, fuels
    or drives) and so does every figure they share; the car's own value wins where it has one.
    A name with any other word ("1.5T 舒适版", "Kappa 1.0 l Turbo GDi") is a version's."""
    engine_only = {f.variant for f in facts if f.variant and _ENGINE_ONLY.fullmatch(f.variant)}
    if not engine_only:
        return facts
    if any(
        f.variant not in engine_only and f.attribute in _ENGINE_FACTS for f in facts if f.variant
    ):
        return facts  # other versions have engines of their own: "5.0L V8" beside "P400"
    car = [f for f in facts if f.variant is None]
    names = sorted(engine_only) + [f.value for f in car if f.attribute == "engine"]
    if any(not names_may_agree(a, b) or two_versions(a, b) for a in names for b in names):
        return facts
    moving = [f for f in facts if f.variant in engine_only]
    for n, fact in enumerate(moving):
        if not all(_agree(fact, o) for o in (*car, *moving[:n]) if o.attribute == fact.attribute):
            return facts
    out = [f for f in facts if f.variant not in engine_only]
    for fact in moving:
        if not any(o.attribute == fact.attribute and o.variant is None for o in out):
            out.append(replace(fact, variant=None))
    return out


def one_version(a: SheetFact, b: SheetFact) -> bool:
    """Two values one version may have: alike (`same_value`), or one gearbox written two
    ways with one count of speeds ("6-speed DCT with e-motor" in a table, "6-speed
    dual-clutch" in the prose under it)."""
    if same_value(a, b):
        return True
    speeds = [re.findall(r"\d+", f.value) for f in (a, b)]
    return a.attribute == "transmission" and bool(speeds[0]) and speeds[0] == speeds[1]


def _agree(a: SheetFact, b: SheetFact) -> bool:
    """Figures alike; words (a gearbox named in English and in Chinese: "7-speed dual-clutch",
    "7速双离合") with the same figures in them."""
    if a.normalized is not None or b.normalized is not None:
        return same_value(a, b) or same_value(b, a)
    if a.numbers and b.numbers:  # "inline-4" and "四缸"
        return a.numbers == b.numbers
    return re.findall(r"\d+", a.value) == re.findall(r"\d+", b.value)


def _bare_figure(fact: SheetFact) -> bool:
    """A figure without its unit where the attribute needs one ("Battery capacity: 60" from
    "BATTERY 60A"): "a 60 battery" says nothing a reader can use. Counts need none."""
    bare = fact.unit is None and _BARE.fullmatch(fact.value) is not None
    return bare and fact.attribute not in _COUNTS


def _not_a_name(fact: SheetFact) -> bool:
    """A variant that is a table row or a heading, not a version's name: cell separators, a
    consumption figure, a Chinese clause, words that name no version ("All other trims"), or
    the fact's own attribute ("Displacement 1,498 cc
    (1.5 L)" as the variant of a displacement)."""
    variant = fact.variant or ""
    own = name_key(fact.attribute.split("_")[0])
    return (
        bool(_NOT_A_NAME.search(variant))
        or _NO_VERSION.fullmatch(variant.strip()) is not None
        or (len(own) >= 5 and own in name_key(variant))
    )


# A displacement a variant's name states: "3.5L twin-turbo V6", "4.0-liter V6", "4.6 L SemiAuto-6".
_NAMED_LITRES = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*-?\s*(?:l|liters?|litres?)(?![a-z])")
_COUNTS = frozenset({"cylinders", "seats", "airbags"})
_BARE = re.compile(r"\s*[\d.,]+\s*")
_CHINESE_COUNTS = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 8: "八", 10: "十", 12: "十二"}
_ENGLISH_COUNTS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    8: "eight",
    10: "ten",
    12: "twelve",
}
# Words a value must have to be found in a name (a "V6" engine is found; an "A" is not).
_MIN_NAMED = 3
_MIN_NAMED_HAN = 2


def named_by_variant(fact: SheetFact) -> bool:
    """Whether the fact's own variant name already says it: the 3.5 L and the six cylinders of
    "3.5L twin-turbo V6", the gearbox of "4.6 L SemiAuto-6 2WD", the drive of "Dual-Motor AWD
    System". A sentence naming the variant would say it twice ("The 3.5L twin-turbo V6 has a
    3.5 L engine with 6 cylinders")."""
    name = unicodedata.normalize("NFKC", fact.variant or "").casefold()
    if not name:
        return False
    if fact.attribute == "displacement" and fact.normalized and fact.normalized_unit == "L":
        litres = fact.normalized
        return any(abs(float(m) - litres) < 0.051 for m in _NAMED_LITRES.findall(name))
    if fact.attribute == "cylinders" and fact.numbers:
        return _names_cylinders(name, int(fact.numbers[0]))
    if fact.numbers:
        return False
    value = name_key(fact.value)
    # two Chinese characters name a drive ("后驱" of "后驱版"), as three letters do ("AWD")
    shortest = _MIN_NAMED_HAN if has_han(value) else _MIN_NAMED
    return len(value) >= shortest and value in name_key(name)


def said_by_engine(fact: SheetFact, facts: Sequence[SheetFact]) -> bool:
    """Whether an engine fact among `facts` (the sheet's), of the same variant, already says
    this cylinder count or size in litres: "a 1.5 L turbo inline-4" then "has 4 cylinders", or
    "a 1.5-litre TSI 4-cyl plug-in hybrid (1.5 L)", says it twice."""
    if fact.attribute not in ("cylinders", "displacement"):
        return False  # the common case, without a scan of the sheet
    engines = [
        unicodedata.normalize("NFKC", e.value).casefold()
        for e in facts
        if e.attribute == "engine" and e.variant == fact.variant
    ]
    if fact.attribute == "cylinders" and fact.numbers:
        return any(_names_cylinders(name, int(fact.numbers[0])) for name in engines)
    # a size written in litres, as the name writes it; "1498 cc" says more than "1.5T"
    if fact.attribute == "displacement" and fact.normalized and fact.unit == "L":
        return any(round(fact.normalized, 1) in _engine_marks(name)[0] for name in engines)
    return False


def _names_cylinders(name: str, n: int) -> bool:
    """ "V6", "inline-4", "4-cylinder", "four-cylinder", "三缸" of `n` in a lower-cased name."""
    layout = rf"(?<![a-z0-9])(?:[viwh]|inline|straight|flat)[- ]?{n}(?!\d)|(?<!\d){n}[- ]?cyl"
    word = _ENGLISH_COUNTS.get(n)
    chinese = _CHINESE_COUNTS.get(n)  # "1.5T三缸"
    return (
        re.search(layout, name) is not None
        or bool(word and re.search(rf"(?<![a-z]){word}[- ]cyl", name))
        or bool(chinese and chinese + "缸" in name)
    )


# The words of an engine's name: a size, a layout, aspiration, fuel ("1.5T turbocharged
# inline-4 petrol", "1.5升涡轮增压直列四缸发动机"), nothing that names a version.
_ENGINE_ONLY = re.compile(
    r"(?i)(?:[\s·,/()（）+-]|\d+(?:\.\d+)?|l\b|t\b|litres?|liters?|turbo(?:charged)?|supercharged"
    r"|inline|straight|[vi](?=\d)|cyl(?:inders?)?|four|three|six|engine|petrol|gasoline|diesel"
    r"|升|涡轮增压|自然吸气|直列|[三四六]缸|缸|发动机|汽油|柴油)+"
)
_ENGINE_FACTS = frozenset({"engine", "displacement", "cylinders", "power", "torque"})
_DRIVE = re.compile(r"(?i)\b(?:[24]wd|awd|fwd|rwd)\b|[两四前后]驱")
_FUEL = re.compile(
    r"(?i)\b(?:petrol|gasoline|diesel|hybrid|electric|crdi|tdi)\b|汽油|柴油|混动|纯电"
)


def two_versions(a: str, b: str) -> bool:
    """Do two versions' names say different drives or fuels ("2WD" and "四驱", "petrol" and
    "diesel")? Two rows of one size that do are two versions, not one engine named twice."""
    for pattern in (_DRIVE, _FUEL):
        ours, theirs = ({m.casefold() for m in pattern.findall(n)} for n in (a, b))
        if ours and theirs and ours != theirs:
            return True
    return False


def names_may_agree(a: str, b: str) -> bool:
    """Whether two versions' names may name one engine: no two displacements ("2.7 L" and
    "3.5L V6", "2.0T" and "3.0T") and no two cylinder counts ("V6" and "4-Cylinder")."""
    marks = [_engine_marks(unicodedata.normalize("NFKC", n).casefold()) for n in (a, b)]
    (litres_a, cylinders_a), (litres_b, cylinders_b) = marks
    return not (litres_a and litres_b and not litres_a & litres_b) and not (
        cylinders_a and cylinders_b and not cylinders_a & cylinders_b
    )


_NAMED_CYLINDERS = re.compile(
    r"(?<![a-z0-9])(?:[viwh]|inline|straight|flat)[- ]?(\d{1,2})(?!\d)"
    r"|(?<![\d.])(\d{1,2})[- ]?cyl"
)


# A turbo engine's size as its badge writes it: "2.0T", "1.5t" (not "1T", a tonne).
_BADGE_LITRES = re.compile(r"(?<![\d.])(\d\.\d)\s*t(?![a-z])")


def _engine_marks(name: str) -> tuple[set[float], set[int]]:
    sizes = _NAMED_LITRES.findall(name) + _BADGE_LITRES.findall(name)
    litres = {round(float(m), 1) for m in sizes}
    cylinders = {int(x or y) for x, y in _NAMED_CYLINDERS.findall(name)}
    return litres, cylinders


def unattributed(sheet: FactSheet, fact: SheetFact) -> bool:
    """A car-level figure of an attribute two or more named variants state with their own
    values: whose it is the sources do not say ("1,000 HP" beside the Taycan Turbo GT's 1,019
    HP and the Turbo's 871 HP), so it is not the car's figure either. Beside one named variant
    it stays (the car's one engine, its gearbox named two ways). A model year's figure beside
    two or more of that year's versions ("2025: 四驱" beside "2025 · 1.6T 两驱版: 前驱" and
    "2025 · 2.0T 四驱版: 前置四驱") is the year's car-level figure, and unattributed alike.
    Beside one named variant with another value ("500Nm" beside "diesel: 550Nm") it is some
    other version's, unnamed: the car had one figure, the variant would state it."""
    within = "" if fact.variant is None else f"{fact.variant} · "  # a year's own versions
    named = [
        o
        for o in sheet.facts
        if o.attribute == fact.attribute
        and o.variant
        and o.variant.startswith(within)
        and measured_under(o.variant)[1] is None  # "2025 · WLTP city" is a measure, no version
    ]
    if len({o.variant for o in named}) >= 2:
        return True
    return bool(named) and not any(same_value(o, fact) for o in named)
