"""The attribute vocabulary (`data/specs/attributes.toml`): labels → canonical keys.

A label is matched whole after normalising ("Fuel.tank.capacity", "Fuel tank capacity (l)",
"MPG.city", "轴距为" all find their key); a unit hint in parentheses ("(mm)", "(in $1,000)",
"(miles per US gallon)") or a unit word inside the label ("City MPG", "Maximum horsepower")
becomes the unit of bare figures under it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.specs.numbers import first_words_re, fold, quantities, word_grams
from ingest.specs.units import KWH100, L100, Unit

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_HINT = re.compile(r"[(\[]([^()\[\]]{1,40})[)\]]")
_SPACES = re.compile(r"[\s._\-–/:：]+")
# Chinese label tails that carry no meaning: "轴距为：", "最大功率达到", "售价约"
_ZH_TAIL = re.compile(r"(?:为|是|达到?|约|仅|高达|区间|范围|分别为|可达)+$")
# Heads a Chinese 配置表 puts before the attribute name: who states it or the test cycle
# ("官方0-100km/h加速(s)", "厂商指导价", "工信部纯电续航里程", "CLTC纯电续航里程(km)")
_ZH_HEAD = re.compile(r"^(?:官方|厂商|厂家|工信部|国家|(?:cltc|nedc|wltc|wltp|epa)(?:-p)?\s*)+")
# A measured figure, not a stated one ("实测0-100km/h加速", "实测油耗"): never a spec
_MEASURED = ("实测", "实际", "测试")
# Label heads a spec sheet adds in front of the attribute name: "Max. Power", "Overall length"
_EN_HEAD = re.compile(
    r"^(?:the|a|an|vehicle|car|total|approx|approximately|claimed|max|maximum|peak|rated|wltp|epa|nedc)\s+"
)
# Three dimensions in one figure: "长宽高为：4312/1760/1613毫米", "L x W x H (mm)"
LWH = ("length", "width", "height")
_LWH_LABELS = (
    "长宽高",
    "长/宽/高",
    "长x宽x高",
    "长×宽×高",
    "长*宽*高",
    "车身尺寸",
    "尺寸",
    "外形尺寸",
    "dimensions",
    "overall dimensions",
    "l x w x h",
    "l/w/h",
    "lxwxh",
    "length x width x height",
    "length/width/height",
    "dimensions l x w x h",
    "dimensions (l x w x h)",
)


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str
    label: str
    dimension: str  # a units.py dimension, or "count" / "text" / "price"
    low: float | None = None  # plausible range in the canonical unit
    high: float | None = None
    label_zh: str = ""

    def plausible(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class Hint:
    """A unit the label gives its bare figures, with a multiplier ("in $1,000")."""

    unit: Unit
    multiplier: float = 1.0
    at_rpm: bool = False  # "(Nm@rpm)": a bare figure after "@" is the engine speed


@dataclass(slots=True)
class Vocabulary:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # normalised label → key
    prose_en: set[str] = field(default_factory=set)  # normalised labels for sentences
    prose_zh: list[str] = field(default_factory=list)  # Chinese ones, longest first
    weak_zh: list[str] = field(default_factory=list)  # Chinese words too weak alone ("续航")
    longest_en: int = 1  # words in the longest English prose label
    first_words: set[str] = field(default_factory=set)
    memo: dict[str, str | None] = field(default_factory=dict)
    first_re: re.Pattern[str] | None = None
    label_first: set[str] = field(default_factory=set)  # first words of every label
    label_words: dict[str, set[str]] = field(default_factory=dict)  # English word → keys
    # how questions name an attribute where documents do not label it so ("how far", 多少钱):
    # `asked` / `asked_zh` in the file, read by retrieval only, never by extraction
    asked: dict[str, str] = field(default_factory=dict)

    def may_start_label(self, word: str) -> bool:
        """Whether a line starting with `word` can start with a label (a fast pre-check)."""
        word = fold(word).lower()
        if word in self.label_first:
            return True
        return not word.isascii() and any(word.startswith(w) for w in self.label_first)

    def find_labels(self, text: str) -> list[tuple[int, int]]:
        """Spans of the labels strong enough to be read inside sentences, longest first."""
        if self.first_re is None:
            self.first_re = first_words_re(self.prose_en)
        lowered = text.lower()
        spans = [
            (a, b) for a, b, _ in word_grams(lowered, self.first_re, self.prose_en, self.longest_en)
        ]
        taken = [False] * len(text)
        for label in self.prose_zh:
            start = text.find(label)
            while start >= 0:
                end = start + len(label)
                if not any(taken[start:end]):
                    spans.append((start, end))
                    taken[start:end] = [True] * len(label)
                start = text.find(label, end)
        return sorted(spans)

    def lookup(self, label: str) -> str | None:
        """The attribute key a label names, or None ("LWH" for length/width/height)."""
        if label in self.memo:
            return self.memo[label]
        key = self._lookup(label)
        if len(self.memo) > 20_000:
            self.memo.clear()
        self.memo[label] = key
        return key

    def _lookup(self, label: str) -> str | None:
        norm = normalise(label)
        if not norm:
            return None
        if norm.startswith(_MEASURED):
            return None
        key = self.labels.get(norm)
        if key is None:
            stripped = _EN_HEAD.sub("", _ZH_TAIL.sub("", norm)).strip()
            key = self.labels.get(stripped) or self.labels.get(_ZH_HEAD.sub("", stripped))
        if key is None and economy_order(label) is not None:
            key = "fuel_economy_combined"  # a list of economies: read by `ordered.py`
        if key is None and (named := column_unit(label)) is not None:
            key = self._unit_fits(self.lookup(named[0]), named[1]) or self._by_words(*named)
        return key or self._unit_last(norm) or self._doubled(norm)

    def _by_words(self, name: str, hint: Hint) -> str | None:
        """The one attribute of the unit's dimension that every word of a column's name
        known from labels names ("usable battery" kWh, "dc peak" kW: battery_capacity,
        charging_power); None when a word names only other dimensions' ("home full charge
        cost", AUD: "charge" is a time's) or none is known."""
        found: set[str] | None = None
        for word in normalise(name).split():
            keys = self.label_words.get(word)
            if keys:
                fits = {k for k in keys if self._unit_fits(k, hint)}
                found = fits if found is None else found & fits
        return found.pop() if found and len(found) == 1 else None

    def _unit_last(self, norm: str) -> str | None:
        """The attribute of a label ending in a unit word that measures it ("max torque nm":
        torque, in Nm), else None."""
        head, _, last = norm.rpartition(" ")
        key = self.labels.get(head) or self.labels.get(_EN_HEAD.sub("", head).strip())
        if not head or last in _NOT_UNITS or key is None:
            return None
        hint = read_hint(last)
        return self._unit_fits(key, hint) if hint is not None else None

    def _doubled(self, norm: str) -> str | None:
        """The attribute a label names twice over ("OTR list price": "otr" and "list price"
        both name the price), else None."""
        words = norm.split()
        for i in range(1, len(words)):
            key = self.labels.get(" ".join(words[i:]))
            if key is not None and self.labels.get(" ".join(words[:i])) == key:
                return key
        return None

    def _unit_fits(self, key: str | None, hint: Hint) -> str | None:
        """`key` when a column's unit word measures it ("power_ps": power), else None."""
        attribute = self.attributes.get(key) if key else None
        if attribute is None or not hint.unit.dimension.startswith(attribute.dimension):
            return None
        return key


# Economies a label lists in slash order: "EPA fuel economy (city/highway/combined)", "MPG
# City/Hwy" (`ingest/specs/ordered.py` reads the cell's list in that order).
_KIND = r"(?:city|urban|highway|hwy|combined|comb|cmb)"
_ORDER = re.compile(rf"\b{_KIND}(?:\s*/\s*{_KIND}\b)+", re.IGNORECASE)
_KEYS = {
    "city": "fuel_economy_city",
    "urban": "fuel_economy_city",
    "highway": "fuel_economy_highway",
    "hwy": "fuel_economy_highway",
    "combined": "fuel_economy_combined",
    "comb": "fuel_economy_combined",
    "cmb": "fuel_economy_combined",
}


def economy_order(label: str) -> tuple[str, ...] | None:
    """The economy attributes a label lists in slash order ("(city/highway/combined)",
    "MPG City/Hwy"), or None when it lists no such order."""
    m = _ORDER.search(label)
    if m is None:
        return None
    keys = tuple(_KEYS[w.lower()] for w in re.split(r"\s*/\s*", m.group()))
    return keys if len(set(keys)) == len(keys) else None


# A label's footnote mark: "CLTC纯电续航(km)<sup>①</sup>", "综合油耗①", "续航里程※"
_FOOTNOTE = re.compile(r"<sup>[^<]{0,6}</sup>|[\u2460-\u2473※]")


@lru_cache(maxsize=8192)
def normalise(label: str) -> str:
    """Lowercase, footnote marks and unit hints removed, runs of spaces and punctuation as
    one space."""
    text = _CAMEL.sub(
        " ", _HINT.sub(" ", fold(_FOOTNOTE.sub(" ", label)))
    ).lower()  # "EngineSize", "DriveTrain"
    text = text.replace("*", " ").replace("^", " ").replace("#", " ")
    return _SPACES.sub(" ", text).strip(" ,;")


# A data file's column named in snake_case, its unit the last word: "power_ps", "boot_l"
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


@lru_cache(maxsize=4096)
def column_unit(label: str) -> tuple[str, Hint] | None:
    """(the name, the unit) of a snake_case column whose last word is a unit ("otr_gbp" →
    "otr", GBP; "accel_0_62_s" → "accel 0-62", s), else None: an export's columns name
    their units so, however short ("l", "s")."""
    label = label.strip()
    if not _SNAKE.fullmatch(label):
        return None
    head, _, tail = label.rpartition("_")
    hint = read_hint(tail)
    while hint is None and "_" in head:  # "price_aud_before_oncosts": words after the unit
        head, _, tail = head.rpartition("_")
        hint = read_hint(tail)
    return (re.sub(r"(?<=\d)_(?=\d)", "-", head).replace("_", " "), hint) if hint else None


@lru_cache(maxsize=4096)
def unit_hint(label: str) -> Hint | None:
    """The unit a label gives its figures: "(mm)", "(in $1,000)", "City MPG"; else None."""
    if (named := column_unit(label)) is not None:
        return named[1]
    folded = fold(label)
    if "百公里" in folded and ("油耗" in folded or "电耗" in folded):  # "百公里电耗为12.5kWh"
        return Hint(L100 if "油耗" in folded else KWH100)
    if (hint := two_units(label)) is not None:  # "Max power PS (kW)": PS, kW in brackets
        return hint
    for m in _HINT.finditer(folded):
        hint = read_hint(m.group(1).strip())
        if hint is not None:
            return hint
    for word in re.findall(r"[A-Za-z][A-Za-z0-9/]+|[\u4e00-\u9fff]+", _HINT.sub(" ", folded)):
        if len(word) >= 2 and word.lower() not in _NOT_UNITS:
            hint = read_hint(word)
            if hint is not None:
                return hint
    return None


_AT_RPM = re.compile(r"\s*@\s*(?:rpm|r/min)$", re.IGNORECASE)
# Words that read as units but in a label name the attribute: "Max. Torque", "Height"
# a unit word right before a bracketed unit: the cell's first figure is in it ("150 (110)")
_UNIT_BEFORE = re.compile(r"([A-Za-z][A-Za-z0-9/.-]*)\s*[(\[]([^()\[\]]{1,12})[)\]]")


@lru_cache(maxsize=4096)
def two_units(label: str) -> Hint | None:
    """The first unit of a label naming two, the second in brackets ("Max power PS (kW)":
    PS), else None."""
    before = _UNIT_BEFORE.search(fold(label))
    if before is None or before.group(1).lower() in _NOT_UNITS:
        return None
    hint = read_hint(before.group(1))
    return hint if hint is not None and read_hint(before.group(2)) is not None else None


_NOT_UNITS = frozenset({"in", "to", "at", "per", "of", "hours", "time", "s"})


def read_hint(text: str) -> Hint | None:
    text = re.sub(r"^(?:in|unit|units)\b\s*:?\s*", "", text, flags=re.IGNORECASE)
    if not text:
        return None
    at_rpm = _AT_RPM.search(text)
    if at_rpm is not None:  # "(Nm@rpm)", "(kW @ r/min)": the figure's unit, then its speed
        hint = read_hint(text[: at_rpm.start()])
        return None if hint is None else Hint(hint.unit, hint.multiplier, at_rpm=True)
    probe = text if text[0].isdigit() or not text[0].isalnum() else f"1 {text}"
    found = quantities(probe, group_spaces=True)
    if len(found) != 1 or found[0].unit is None:
        return None
    q = found[0]
    if q.start != 0 or q.end != len(probe) or q.unit is None:
        return None
    # "(in $1,000)" multiplies by its figure; "(万元)" by its 万 ("官方指导价(万元) | 20.98")
    multiplier = q.numbers[0] if probe is text or q.wan else 1.0
    return Hint(q.unit, multiplier)


@dataclass(frozen=True, slots=True)
class DataSet:
    """A known data file: recognised by its columns; the units its headers do not name."""

    name: str
    columns: frozenset[str]
    units: dict[str, str]
    attributes: dict[str, str]  # columns whose names the vocabulary does not know


def load_columns(path: Path) -> list[DataSet]:
    if not path.is_file():
        return []
    with path.open("rb") as f:
        data = tomllib.load(f)
    return [
        DataSet(
            name,
            frozenset(entry.get("columns", ())),
            dict(entry.get("units", {})),
            dict(entry.get("attributes", {})),
        )
        for name, entry in data.items()
        if isinstance(entry, dict)
    ]


def load_vocabulary(path: Path) -> Vocabulary:
    with path.open("rb") as f:
        data = tomllib.load(f)
    vocab = Vocabulary()
    prose: list[str] = []
    for key, entry in data.items():
        if not isinstance(entry, dict):
            continue
        low, high = entry.get("range", (None, None))
        vocab.attributes[key] = Attribute(
            key,
            str(entry.get("label", key)),
            str(entry.get("dimension", "text")),
            low,
            high,
            label_zh=str(entry.get("label_zh", "")),
        )
        names = [key.replace("_", " "), entry.get("label", ""), entry.get("label_zh", "")]
        names += list(entry.get("synonyms", ())) + list(entry.get("synonyms_zh", ()))
        for name in names:
            norm = normalise(str(name))
            if norm:
                vocab.labels.setdefault(norm, key)
                vocab.label_first.add(_first_word(norm))
                for word in norm.split() if norm.isascii() else ():
                    vocab.label_words.setdefault(word, set()).add(key)
            if _strong(str(name), entry.get("dimension", "text")):
                prose.append(str(name))
            elif str(name) in _WEAK and not str(name).isascii() and len(str(name)) > 1:
                vocab.weak_zh.append(str(name))
        for name in [*entry.get("asked", ()), *entry.get("asked_zh", ())]:
            vocab.asked.setdefault(normalise(str(name)), key)
    for name in _LWH_LABELS:
        vocab.labels.setdefault(normalise(name), "LWH")
        vocab.label_first.add(_first_word(normalise(name)))
    prose += ["长宽高", "长/宽/高", "车身尺寸", "外形尺寸", "尺寸"]
    for name in prose:
        norm = normalise(name)
        if norm.isascii():
            vocab.prose_en.add(norm)
            vocab.first_words.add(norm.split()[0])
            vocab.longest_en = max(vocab.longest_en, len(norm.split()))
        else:
            vocab.prose_zh.append(fold(name))
    vocab.prose_zh.sort(key=len, reverse=True)
    return vocab


# Single words too loose to name an attribute inside a sentence ("in the city", "a range of").
_WEAK = frozenset(
    {
        "city",
        "highway",
        "combined",
        "type",
        "class",
        "trans",
        "cyl",
        "displ",
        "drive",
        "fuel",
        "engine",
        "seating",
        "luggage",
        "battery",
        "rpm",
        "power",
        "price",
        "pricing",
        "mileage",
        "towing",
        "tire",
        "tyre",
        "tires",
        "tyres",
        "trunk",
        "seats",
        "passengers",
        "weight",
        "0-100",
        "0-60",
        "长",
        "宽",
        "高",
        "油箱",
        "电池",
        "续航",
        "功率",
        "扭矩",
        "价格",
        "快充",
    }
)


def _first_word(norm: str) -> str:
    m = re.match(r"[a-z0-9]+|[^\sa-z0-9]+", norm)
    return m.group() if m else norm


def _strong(name: str, dimension: str) -> bool:
    if dimension in ("text", "count") or not name:
        return False
    return name.lower() not in _WEAK
