"""Which car a text names: the curated alias file (`data/specs/cars.toml`) and titles.

A car's id is the alias file's model id when the model is listed ("nissan-x-trail" for 奇骏,
X-Trail, XTrail), else the slug of "make model" ("hyundai-venue"). Model years never enter
the id. A model alias matches alone when it is distinctive (Chinese, or at least three
characters with a letter); short or numeric names ("3", "001") need their make in front.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.analysis import HAN_RUN, pinyin
from ingest.specs.lines import Lines, line_key, load_lines
from ingest.specs.numbers import first_words_re, fold, word_grams

_SLUG = re.compile("[^a-z0-9]+")
# Words in a title after the model name that are not part of it.
TITLE_WORDS = frozenset(
    {
        "brochure",
        "digital",
        "specifications",
        "specification",
        "specs",
        "spec",
        "owner",
        "owners",
        "manual",
        "service",
        "passenger",
        "data",
        "review",
        "price",
        "prices",
        "and",
        "vs",
        "with",
        "the",
        "for",
        "is",
        "epa",
        "fuel",
        "guide",
        "sales",
        "car",
        "cars",
        "introduction",
        "to",
        "of",
        "in",
        "2026",
        "overview",
    }
)
_MODEL_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-+.]*")
# "美版Rogue（国内称为奇骏）", "the Rogue (known as the X-Trail elsewhere)"
_LEARN = re.compile(
    r"(?P<other>[A-Za-z][A-Za-z0-9\- ]{1,24}?)\s*[(（]\s*"
    r"(?:国内称为|国内名为|国内叫做?|国内的|即|又称|aka|also known as|known as(?: the)?)\s*"
    r"(?P<known>[^)）]{1,20})[)）]",
    re.IGNORECASE,
)
_LEARN_CUE = re.compile(r"国内|即|又称|aka|known as", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)(?!\s*年(?!款))")  # "2026年第二批": a date


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", " ", fold(name).lower()).strip()


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits, Chinese characters in pinyin ("BYD 海豹" →
    "byd-haibao", "Geely 星越L" → "geely-xingyue-l": an id a URL carries as it is, and the
    one most Chinese models' own Latin names spell), runs of anything else one "-"; accents
    and other scripts dropped ("Citroën" → "citroen")."""
    text = HAN_RUN.sub(lambda m: f" {pinyin(m.group())} ", text)
    kept = "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii())
    return _SLUG.sub("-", kept.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Hit:
    """A car named at `start:end` of a text; `car` is None when only the make is named."""

    start: int
    end: int
    car: str | None
    name: str
    brand: str


@dataclass(slots=True)
class CarIndex:
    brand_names: dict[str, str] = field(default_factory=dict)  # brand id → display name
    brand_aliases: dict[str, str] = field(default_factory=dict)  # lower alias → brand id
    model_names: dict[str, str] = field(default_factory=dict)  # car id → "Nissan X-Trail"
    model_brand: dict[str, str] = field(default_factory=dict)  # car id → brand id
    model_aliases: dict[str, list[str]] = field(default_factory=dict)  # lower alias → car ids
    strong: set[str] = field(default_factory=set)  # aliases that match without the make
    model_display: dict[str, list[str]] = field(default_factory=dict)  # car id → aliases as written
    # [names.<id>]: names the registry shows and questions use, for cars extraction finds by
    # itself; extraction never reads them (a listed model's English name would make every
    # English mention of it, a rival's included, one of the text's cars)
    other_names: dict[str, list[str]] = field(default_factory=dict)
    brand_names_scan: _Names | None = None
    model_names_scan: _Names | None = None
    lines: Lines = field(default_factory=Lines)  # the model-line gazetteer: candidates only

    def find(self, text: str) -> list[Hit]:
        """Every car (or bare make) named in `text`, left to right, overlaps resolved."""
        if self.brand_names_scan is None or self.model_names_scan is None:
            return []
        folded = fold(text)
        lowered = folded.lower()
        brands = [(a, b, self.brand_aliases[k]) for a, b, k in self.brand_names_scan.scan(lowered)]
        hits: list[Hit] = []
        used: list[tuple[int, int]] = []
        for m_start, m_end, alias in self.model_names_scan.scan(lowered):
            before = [
                b for b in brands if 0 <= m_start - b[1] <= 4 and _gap_ok(folded, b[1], m_start)
            ]
            brand_ids = {b[2] for b in before}
            ids = self.model_aliases.get(alias, [])
            match = [i for i in ids if self.model_brand[i] in brand_ids] or (
                ids if alias in self.strong and len(ids) == 1 else []
            )
            if len(match) != 1:
                continue
            start = min([b[0] for b in before] + [m_start])
            hits.append(
                Hit(start, m_end, match[0], self.model_names[match[0]], self.model_brand[match[0]])
            )
            used.append((start, m_end))
        for start, end, brand in brands:
            if not any(s <= start < e for s, e in used):
                hits.append(Hit(start, end, None, self.brand_names[brand], brand))
        return sorted(hits, key=lambda h: h.start)

    def brand_of(self, text: str) -> str | None:
        return self.brand_aliases.get(_key(text))

    def car(self, make: str, model: str) -> tuple[str, str]:
        """(id, display name) of a make and model as a data file writes them."""
        brand = self.brand_of(make)
        lowered = _key(model)
        for car_id in self.model_aliases.get(lowered, []):
            if brand is None or self.model_brand[car_id] == brand:
                return car_id, self.model_names[car_id]
        make_name = self.brand_names.get(brand, make.strip()) if brand else make.strip()
        model_name = _model_case(model.strip())
        if brand:  # a line of the gazetteer: its name ("宋PLUS", "F150" → "Song PLUS", "F-150")
            line = self.lines.line(brand, model_name)
            if line is None and not make.isascii():  # listed with its make ("极狐阿尔法S")
                line = self.lines.line(brand, make.strip() + model_name)
            cut = None if line else self.lines.after(brand, model_name, 0)
            if cut is not None:  # "718 Cayman GTS 4.0": the 718 Cayman ("EU5 PLUS" kept whole)
                written = model_name[: cut[0]]
                line = cut[1] if self.lines.line(brand, written) == cut[1] else None
                model_name = written
            model_name = line.name if line else model_name
        return slug(f"{make_name} {model_name}"), f"{make_name} {model_name}"

    def from_title(self, title: str) -> tuple[str, str, str] | None:
        """(id, name, model year or "") of the one car a title names, else None."""
        hits = self.find(title)
        cars = {h.car for h in hits if h.car}
        if len(cars) == 1:
            hit = next(h for h in hits if h.car)
            if any(h.car is None and h.brand != hit.brand for h in hits):
                return None  # "日产e-POWER亮相，五菱NanoEV…": more than one car
            return hit.car or "", hit.name, _year(title)
        if cars or not hits or title.isascii():
            return None  # an English title's unlisted model: `taught_en` read it, or none is
        brands = {h.brand for h in hits}
        if len(brands) != 1:
            return None
        hit = hits[0]
        words: list[tuple[str, int]] = []
        for m in _MODEL_WORD.finditer(fold(title), hit.end):
            gap = fold(title)[(words[-1][1] if words else hit.end) : m.start()]
            if gap.strip() or m.group().lower() in TITLE_WORDS or len(words) == 4:
                break
            words.append((m.group(), m.end()))
        if not words or (len(words) == 1 and _YEAR.fullmatch(words[0][0])):
            return None
        car_id, name = self.car(title[hit.start : hit.end], " ".join(w for w, _ in words))
        return car_id, name, _year(title)


# What may stand between a make and its model: "日产全新劲客", "长安·UNI-V", "Toyota New Camry"
GAP = re.compile(r"[\s\-·・]*(?:全新一代|全新|新一代|新款|第二代|新|new)?[\s\-·・]*", re.I)


def _gap_ok(text: str, start: int, end: int) -> bool:
    return GAP.fullmatch(text, start, end) is not None


def _year(text: str) -> str:
    m = _YEAR.search(text)
    return m.group() if m else ""


def _model_case(model: str) -> str:
    """EPA writes makes in capitals and models as listed; keep the model as written."""
    return model


# a data row's cell naming its car: make, model and version in one ("car: Porsche 718 …"), or
# the model and version ("Model: FORD F150 PICKUP 2WD", "Model: Golf SportWagen")
_CAR_CELL = re.compile(
    r"^[ \t]*(?:car|model)[ \t]*:[ \t]*(?P<value>[^\n]{1,60}?)[ \t]*$", re.I | re.M
)


def row_version(text: str, name: str) -> str | None:
    """The version a row's car or model cell writes after its car's line ("Porsche 718 Cayman
    GTS 4.0" of the Porsche 718 Cayman: "GTS 4.0"; "F150 PICKUP 2WD" of the Ford F-150:
    "PICKUP 2WD"); None when it writes none, or names the car otherwise."""
    m = _CAR_CELL.search(text)
    if m is None:
        return None
    words = name.split()  # the name, or its model alone ("F-150"), as the cell may start
    wanted = {line_key(" ".join(words[n:])) for n in range(len(words))}
    cell = m.group("value")
    for space in re.finditer(r"\s+", cell):
        if line_key(cell[: space.start()]) in wanted:
            return cell[space.end() :].strip() or None
    return None


def learned_aliases(index: CarIndex, text: str) -> dict[str, set[str]]:
    """Names a text gives a known car.

    "美版Rogue（国内称为奇骏）" → {"nissan-x-trail": {"Rogue"}}.
    """
    learned: dict[str, set[str]] = {}
    if not _LEARN_CUE.search(text):
        return learned
    for m in _LEARN.finditer(fold(text)):
        known = [h.car for h in index.find(m.group("known")) if h.car]
        other = m.group("other").strip()
        if len(known) == 1 and known[0] and other:
            learned.setdefault(known[0], set()).add(other)
    return learned


def load_cars(paths: Iterable[Path]) -> CarIndex:
    index = CarIndex()
    line_tables = []
    for path in paths:
        with path.open("rb") as f:
            data = tomllib.load(f)
        line_tables.append(data.get("lines", {}))
        for brand_id, entry in data.get("brands", {}).items():
            name = str(entry.get("name", brand_id))
            index.brand_names.setdefault(brand_id, name)
            for alias in [name, brand_id, *entry.get("aliases", ())]:
                index.brand_aliases.setdefault(_key(str(alias)), brand_id)
        for car_id, entry in data.get("models", {}).items():
            brand = str(entry.get("brand", ""))
            model = str(entry.get("name", car_id))
            make = index.brand_names.get(brand, brand.title())
            index.model_names.setdefault(car_id, f"{make} {model}".strip())
            index.model_brand.setdefault(car_id, brand)
            shown = index.model_display.setdefault(car_id, [])
            shown.extend(str(a) for a in [model, *entry.get("aliases", ())] if str(a) not in shown)
            for alias in [model, *entry.get("aliases", ())]:
                for lowered in _spellings(_key(str(alias))):
                    ids = index.model_aliases.setdefault(lowered, [])
                    if car_id not in ids:
                        ids.append(car_id)
                    if _distinctive(lowered):
                        index.strong.add(lowered)
        for car_id, entry in data.get("names", {}).items():
            known = index.other_names.setdefault(car_id, [])
            known.extend(str(a) for a in entry.get("aliases", ()) if str(a) not in known)
    index.brand_names_scan = _names(index.brand_aliases)
    index.model_names_scan = _names(index.model_aliases)
    index.lines = load_lines(line_tables, index.brand_names)
    return index


_CODE_APART = re.compile(r"\b([a-z]{2,3}) (\d+)\b")  # "xc 90"
_CODE_JOINED = re.compile(r"\b([a-z]{2,3})(\d+)\b")  # "xc90"


def _spellings(key: str) -> list[str]:
    """A model code as written and as people also spell it: "xc 90" and "xc90" both
    ("Volvo XC90" in a question, "VOLVO XC 90" in the EPA file). Codes only, two or three
    letters: "a 4" would be read into "a 4-cylinder", "model3" into a CSV's "Model3" column
    value of another make."""
    joined = _CODE_APART.sub(r"\1\2", key)
    apart = _CODE_JOINED.sub(r"\1 \2", key)
    return list(dict.fromkeys([key, joined, apart]))


def _distinctive(alias: str) -> bool:
    if not alias.isascii():
        return True
    return len(alias) >= 3 and any(c.isalpha() for c in alias) and not alias.isdigit()


@dataclass(slots=True)
class _Names:
    """Names looked up fast: ASCII ones by word n-grams, the others with str.find."""

    words: set[str] = field(default_factory=set)  # "x trail", "hyundai"
    longest: int = 1
    first_re: re.Pattern[str] | None = None
    others: list[str] = field(default_factory=list)  # "奇骏", "宏光mini ev", longest first

    def scan(self, lowered: str) -> list[tuple[int, int, str]]:
        if self.first_re is None:
            self.first_re = first_words_re(self.words)
        found = word_grams(lowered, self.first_re, self.words, self.longest)
        for name in self.others:
            start = lowered.find(name)
            while start >= 0:
                end = start + len(name)
                if _bounded(lowered, start, end, name):
                    found.append((start, end, name))
                start = lowered.find(name, start + 1)
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        kept: list[tuple[int, int, str]] = []
        for f in found:
            if not kept or f[0] >= kept[-1][1]:
                kept.append(f)
        return kept


def _bounded(text: str, start: int, end: int, name: str) -> bool:
    if name[0].isascii() and name[0].isalnum() and start > 0:
        if text[start - 1].isascii() and text[start - 1].isalnum():
            return False
    if name[-1].isascii() and name[-1].isalnum() and end < len(text):
        if text[end].isascii() and text[end].isalnum():
            return False
    return True


def _names(keys: Iterable[str]) -> _Names:
    names = _Names()
    for key in set(keys):
        if not key:
            continue
        if re.fullmatch(r"[a-z0-9]+(?: [a-z0-9]+)*", key):
            names.words.add(key)
            names.longest = max(names.longest, key.count(" ") + 1)
        else:
            names.others.append(key)
    names.others.sort(key=len, reverse=True)
    return names


_MARKED = re.compile(r"\d|-|(?<=.)[A-Z]")


def add_models(
    index: CarIndex, models: Iterable[tuple[str, str, Iterable[str]]], *, alone: bool = False
) -> None:
    """Teach `index` cars its alias files do not list: (car id, make as written, model
    names). A make it does not know is added. Known ids are left as they are.

    A name matches without its make only when it is marked as a name (a digit, a hyphen
    or a capital inside: "IONIQ 5", "Mach-E", "LeMans"); a plain word needs the make in
    front ("Dodge Charger", not "DC fast charger"): unlike the curated aliases, nobody
    checked that these are not everyday words. With `alone` (the names one document gives
    its cars, `taught_index`) every name but a bare number matches alone.
    """
    for car_id, make, names in models:
        if car_id in index.model_names:
            continue
        brand = index.brand_of(make)
        if brand is None:
            brand = slug(make)
            if not brand:
                continue
            index.brand_names.setdefault(brand, make.strip())
            index.brand_aliases.setdefault(_key(make), brand)
        written = [str(n).strip() for n in names if str(n).strip()]
        if not written:
            continue
        line = index.lines.line(brand, written[0])  # "EXPLORER" shown as the line's "Explorer"
        index.model_names[car_id] = (
            f"{index.brand_names[brand]} {line.name if line else written[0]}"
        )
        index.model_brand[car_id] = brand
        index.model_display[car_id] = list(dict.fromkeys(written))
        for name in written:
            for lowered in _spellings(_key(name)):
                ids = index.model_aliases.setdefault(lowered, [])
                if car_id not in ids:
                    ids.append(car_id)
                if (
                    _distinctive(lowered) and _MARKED.search(name)
                    if not alone
                    else len(lowered) > 1 and not lowered.isdigit()
                ):
                    index.strong.add(lowered)
    index.brand_names_scan = _names(index.brand_aliases)
    index.model_names_scan = _names(index.model_aliases)


def with_models(
    index: CarIndex, models: list[tuple[str, str, list[str]]], *, alone: bool = True
) -> CarIndex:
    """A copy of `index` that also knows `models` (`add_models`, each name alone unless
    not `alone`): the cars one document teaches, for that document only."""
    if not models:
        return index
    copy = CarIndex(
        dict(index.brand_names),
        dict(index.brand_aliases),
        dict(index.model_names),
        dict(index.model_brand),
        {alias: list(ids) for alias, ids in index.model_aliases.items()},
        set(index.strong),
        {car: list(names) for car, names in index.model_display.items()},
        lines=index.lines,
    )
    add_models(copy, models, alone=alone)
    return copy
