"""The realiser: sentences from facts, by phrase templates per attribute and language.

The phrasebooks (`data/realise/{en,zh}.toml`) give several templates per group of facts. For
one topic (a group's facts, for one variant) the realiser repeatedly takes the templates whose
every placeholder it has a fact for, keeps those that say the most, and picks one by a stable
hash of the car, the topic and the request's business, so a run is reproducible and different
cars do not all read alike. What no group template covers is written by the attribute's own
template. Each sentence carries the citation numbers of the facts it states, before its stop.
"""

from __future__ import annotations

import re
import string
import tomllib
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generation.facts.phrasing import value_text, words
from generation.facts.plan import ROW_NUMBER, Topic
from generation.facts.powertrain import plug_in
from generation.facts.sheet import FactSheet, SheetFact, named_by_variant, said_by_engine
from ingest.analysis import has_han, romanised
from ingest.specs.figures import spelled_codes
from ingest.specs.measures import measured_under
from ingest.specs.variants import is_model_year

_FIELDS = string.Formatter()
# A turning circle its source gives as a radius ("最小转弯半径5.5米", "turning radius"): a
# radius is half the circle, so the text names what the source measured.
_RADIUS = re.compile(r"(?i)radius|半径")
_CIRCLE = re.compile(r"(?i)circle|diameter|直径")


def _worded(fact: SheetFact) -> str:
    """The phrasebook key for how the source words `fact` ("turning_radius"), else ""."""
    evidence = fact.citation.evidence
    if fact.attribute == "turning_circle" and _RADIUS.search(evidence):
        return "" if _CIRCLE.search(evidence) else "turning_radius"
    return ""


_STOP = re.compile(r"([.。!！?？])$")
# "a" before a vowel sound: "an 8-speed", "an Electronically Controlled CVT" (not "a U2").
_ARTICLE = re.compile(r"\b([Aa]) (?=(?:[AEIOaeio]|8|11\b|18\b))")
# A measure before the noun it measures takes the singular unit: "a 107-inch wheelbase", not
# "a 107 inches wheelbase" ("a 2,710 mm wheelbase" stays).
_SINGULAR = {"inches": "inch", "feet": "foot", "litres": "litre", "gallons": "gallon"}
_ATTRIBUTIVE = re.compile(
    r"\b(\d[\d,.]*) (inches|feet|litres|gallons) (?=wheelbase|battery|boot|tank|engine)"
)


def _attributive(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{_SINGULAR[match.group(2)]} "


# 版 after a Latin trim name ("Max版", "Pro版"): the trim's name is the version's in English.
_LATIN_TRIM = re.compile(r"(?<=[A-Za-z0-9+])\s*版")
# a version's name that says which generation it is comes before the car's ("第一代" →
# "the first-generation Changan CS55 PLUS", "第一代长安CS55 PLUS")
_GENERATION = re.compile(r"(?:[a-z]+-generation|previous|new)|[\u4e00-\u9fff]*代")
# a Chinese version's name that is only a word of what it has ("Petrol" → "汽油", "四驱") is
# called a version ("汽油版"); one already saying what it is (版, 款, 型, 配, 代) stays
_BARE_VERSION = re.compile(r"[\u4e00-\u9fff]+(?<![版款型配代])")
# A name's words: parted by spaces, and where Chinese meets Latin ("路虎Defender": 路虎, Defender).
_NAME_WORDS = re.compile(r"[\u4e00-\u9fff]+|[^\s\u4e00-\u9fff]+")
_HEADING_WORDS = re.compile(r"(?i)\s*\b(?:specifications|specs|details)\b\s*$")
# A leading model year, or the years a heading says a version was made in ("2010-2024 Model
# Years 4.0L V6"): the name is what follows.
_LEADING_YEAR = re.compile(
    r"((?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?)\s+(?:model\s+years?\s+(.+)|(\D.*))", re.IGNORECASE
)
# A trim described, its name in brackets: "Base Model (SR)", "Mid-Level Trim (TRD Sport)",
# "2024 Model Year (4.0L V6)": the name is what a sentence calls it.
_DESCRIBED = re.compile(
    r"^((?:(?:19|20)\d\d|base|entry|mid|level|mid-level|top|premium|model|year|trim|grade|"
    r"version)[\s-]*)+\((?P<name>[^()]+)\)$",
    re.IGNORECASE,
)


def pick(options: Sequence[str], *seed: object) -> str:
    """One of `options`, the same one for the same seed in every run."""
    if not options:
        return ""
    key = "|".join(str(s) for s in seed).encode("utf-8")
    return options[zlib.crc32(key) % len(options)]


def fields_of(template: str) -> list[str]:
    """The template's placeholders in the order it says them (the order its facts are cited
    in: a set here made citation order depend on the process's hash seed)."""
    return list(dict.fromkeys(name for _, name, _, _ in _FIELDS.parse(template) if name))


@dataclass(frozen=True)
class Sentence:
    """A written sentence and the facts it states."""

    text: str
    facts: tuple[SheetFact, ...] = ()
    implied: tuple[SheetFact, ...] = ()  # what its variant's name says ("3.5L": 3.5 L)


@dataclass
class Phrasebook:
    """One language's templates (`data/realise/{language}.toml`)."""

    language: str
    units: Mapping[str, str]
    terms: Mapping[str, str]
    groups: Mapping[str, list[str]]
    single: Mapping[str, str]
    connectives: Mapping[str, list[str]]
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, language: str) -> Phrasebook:
        data = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
        known = {"units", "terms", "groups", "single", "connectives"}
        return cls(
            language=language,
            units=data.get("units", {}),
            terms={k.casefold(): v for k, v in data.get("terms", {}).items()},
            groups=data.get("groups", {}),
            single=data.get("single", {}),
            connectives=data.get("connectives", {}),
            sections={k: v for k, v in data.items() if k not in known},
        )

    def phrase(self, section: str, name: str) -> Any:
        """A section's entry, e.g. `phrase("blog", "verdict")` (a string or a list)."""
        return self.sections.get(section, {}).get(name, "")

    def value(self, fact: SheetFact, *, short: bool = False) -> str:
        return value_text(
            fact,
            self.language,
            units=self.units,
            terms=self.terms,
            short=short,
            attribute_units=self.sections.get("attribute_units", {}),
        )


Cite = Callable[[SheetFact], int]


class Realiser:
    """Writes topics as sentences in one language for one car."""

    def __init__(self, book: Phrasebook, sheet: FactSheet, *, cite: Cite, seed: str = ""):
        self.book = book
        self.sheet = sheet
        self.cite = cite
        self.seed = seed
        self.car = sheet.name(book.language)

    def topic(self, topic: Topic, *, introduced: bool = False) -> list[Sentence]:
        """Every fact of `topic`, in as few sentences as the templates allow. What the
        variant's own name says ("3.5L twin-turbo V6": 3.5 L, six cylinders) is not said again:
        the first sentence, which names the variant, states it; a variant whose name says all
        its facts is named as offered ("The Land Rover Defender is offered with the 5.0L
        supercharged V8"), unless the text has `introduced` it already."""
        named = tuple(f for f in topic.facts if topic.variant and named_by_variant(f))
        twice = tuple(f for f in topic.facts if said_by_engine(f, self.sheet.facts))  # "inline-4"
        # a value with nothing the language can say (a Chinese clause in English) is not said
        left = {
            f.attribute: f
            for f in topic.facts
            if f not in named and f not in twice and self.book.value(f)
        }
        if named and not left:
            template = "" if introduced else str(self.book.phrase("names", "offered"))
            return [self._render(template, named, None, named=topic.variant)] if template else []
        sentences: list[Sentence] = []
        templates = list(self.book.groups.get(self.worded(topic.group, topic.variant), []))
        while left:
            plain = {a for a, f in left.items() if not _worded(f)}  # a radius: said alone
            names = ({n for n in fields_of(t) if n not in ("car", "variant")} for t in templates)
            usable = [t for t, n in zip(templates, names, strict=True) if n and n <= plain]
            if not usable:
                break
            most = max(len(fields_of(t)) for t in usable)
            best = [t for t in usable if len(fields_of(t)) == most]
            template = pick(best, self.sheet.car.id, topic.group, topic.variant, self.seed)
            said = [left.pop(name) for name in fields_of(template) if name in left]
            sentences.append(self._render(template, said, topic.variant))
            templates.remove(template)
        for fact in left.values():
            template = (
                self.book.single.get(_worded(fact), "")
                or self.book.single.get(self.worded(fact.attribute, topic.variant))
                or self.book.single.get(fact.attribute)
                or self.book.single.get("*", "")
            )
            if template:
                sentences.append(self._render(template, [fact], topic.variant))
        if named and sentences:  # said by the first sentence's subject: used, not cited
            sentences[0] = replace(sentences[0], implied=named)
        return sentences

    def _render(
        self,
        template: str,
        facts: Sequence[SheetFact],
        variant: str | None,
        *,
        named: str | None = None,
    ) -> Sentence:
        """`template` filled with `facts` for `variant`; `named`: a variant the template names
        as {variant} though the facts are the car's to say."""
        facts = shared_citation(facts)
        values = {f.attribute: self.book.value(f) for f in facts}
        subject = self.subject(variant)
        if facts:
            values.setdefault("label", facts[0].label)
            values.setdefault("value", self.book.value(facts[0]))
        car = self.car
        whose = variant and not is_model_year(variant) and subject != self.car
        if whose and "{variant}" not in template:
            # say whose figure it is (a bare model year is the car itself)
            if "{car}" in template:
                car = subject
            elif self.book.language == "zh":
                template = subject + template
            else:
                template = _STOP.sub(lambda m: f" for the {subject}{m.group(1)}", template)
        shown = self.short(named) if named else subject
        text = template.format(car=car, variant=shown, **values)
        if self.book.language == "en":
            text = _ATTRIBUTIVE.sub(_attributive, text)
            text = _ARTICLE.sub(lambda m: m.group(1) + "n ", text)
        return Sentence(self.cited(text, facts), tuple(facts))

    def subject(self, variant: str | None) -> str:
        """Who a sentence is about: the variant, the car when there is none, and the car's
        name with a model year or a short trim name ("the 2025 Aurora X5 1.5T", "the Honda
        Civic Sport", "2018款福特F150"); a long engine name stands alone. A figure measured
        another way names its measure after its version ("1.5T / 2.0T, seats folded" → "the
        Aurora X5 (seats folded)")."""
        if variant:
            version, measure = measured_under(variant)
            if measure is not None:
                en = self.book.language == "en"
                said = self._english(measure) if en else words(measure, "zh", self.book.terms)
                return f"{self.subject(version or None)}{f' ({said})' if en else f'（{said}）'}"
        if not variant or self.several(variant):
            return self.car
        year, rest = self._year_and_name(variant)
        if self.book.language == "zh":  # "1.5-litre turbocharged" → "1.5升涡轮增压"
            rest = _versioned(words(rest, "zh", self.book.terms))
        else:  # "3.6 L Auto-8 2WD" → "3.6 L 8-speed automatic 2WD"
            rest = spelled_codes(rest, "en")
        translated = self.book.language == "en" and has_han(rest)
        if translated:
            rest = self._english(rest)
        named = any(n.casefold() in rest.casefold() for n in self._names())
        make = self._make_before(rest)
        if not named and make is not None:  # "Taycan Turbo" → "Porsche Taycan Turbo"
            rest = f"{make}{'' if has_han(make[-1:]) else ' '}{rest}"
        elif not named and _GENERATION.fullmatch(rest):  # "第一代" → "第一代长安CS55 PLUS",
            rest = f"{rest}{' ' if translated else ''}{self.car}"  # "first-generation Changan …"
        elif not named and (year or translated or len(rest.replace(" / ", "/").split()) <= 2):
            rest = self._joined(rest) if rest else self.car
        if year:
            template = str(self.book.phrase("names", "model_year") or "{year} {car}")
            return template.format(year=year, car=rest)
        return rest

    def version(self, variant: str) -> str:
        """A version as a list of the car's versions names it, without the car's name: its
        model year and its own name ("2025 · 舒适版" → "2025款舒适版", "2025 Comfort version"),
        never the sheet's key; the car's name where it names no one version."""
        if self.several(variant):
            return self.car
        year, _ = self._year_and_name(variant)
        name = self.short(variant)
        if not name:
            return self.subject(variant)
        if year:
            template = str(self.book.phrase("names", "model_year") or "{year} {car}")
            return template.format(year=year, car=name)
        return name

    def several(self, variant: str) -> bool:
        """Whether `variant` names two or more of the car's versions at once (a table's column
        "Aurora X5 1.5T / 2.0T" beside the "1.5T" and "2.0T AWD" rows): its figures are
        what those versions share, the car's to say, not a version called "1.5T / 2.0T"."""
        _, rest = self._year_and_name(variant)
        parts = [p.strip() for p in re.split(r"\s*/\s*|\s+(?:and|&)\s+|、|和", rest) if p.strip()]
        if len(parts) < 2:
            return False
        others = [v for v in self.sheet.variants() if v != variant]
        return all(
            any(re.search(rf"(?<![\w.]){re.escape(p)}(?![\w.])", o, re.IGNORECASE) for o in others)
            for p in (_strip_names(part, self._names()) for part in parts)
            if p
        )

    def worded(self, name: str, variant: str | None) -> str:
        """The phrasebook's key for `name` as this car's powertrain words it: "ev_plug_in"
        for a plug-in hybrid's battery (its range is electric), else `name`."""
        if not plug_in(self.sheet.facts, variant):
            return name
        key = f"{name}_plug_in"
        book = self.book
        known = key in book.groups or key in book.single or bool(book.phrase("blog", key))
        return key if known else name

    def generation(self, variant: str) -> bool:
        """Whether `variant` names a generation of the car ("第一代", "初代"): its figure is
        the model before this one's, never a headline's."""
        _, rest = self._year_and_name(variant)
        english = self._english(rest, pinyin=False) if has_han(rest) else rest
        return bool(_GENERATION.fullmatch(rest) or _GENERATION.fullmatch(english))

    def short(self, variant: str, *, pinyin: bool = True) -> str:
        """A variant as a title names it, without its model year or the car's own name
        ("2025 · Aurora X5 Hybrid" → "Hybrid"; the Porsche Taycan's "Taycan Turbo GT" →
        "Turbo GT")."""
        _, rest = self._year_and_name(variant)
        if self.book.language == "zh":
            rest = _versioned(words(rest, "zh", self.book.terms))
        elif has_han(rest):
            rest = self._english(rest, pinyin=pinyin)
        for name in sorted(self._names(), key=len, reverse=True):
            if rest.casefold().startswith(name.casefold() + " "):
                return rest[len(name) :].strip()
        make = self._make_before(rest)
        if make is not None:  # "Taycan Turbo GT" of the Porsche Taycan: "Turbo GT"
            trim = rest[len(self.car) - len(make) :].strip()
            if any(ch.isalpha() for ch in trim):  # "Defender 90" stays
                return trim
        return rest

    def _english(self, rest: str, *, pinyin: bool = True) -> str:
        """A Chinese variant name in English: by the term list ("四驱版" → "four-wheel drive
        version"; the car's Chinese name as its English one: "全新奇骏" → "all-new Nissan
        X-Trail"; a Latin trim name's 版 says nothing more: "Max版" → "Max"), what no term
        translates in pinyin ("潮流版" → "Chaoliu version"), or left in Chinese (`pinyin`
        False: a title names no such version)."""
        english = _LATIN_TRIM.sub("", rest)
        if not has_han(english):
            return english  # a trim's own name ("Max"), as the source writes it
        for name in sorted((n for n in self.sheet.names() if has_han(n)), key=len, reverse=True):
            english = english.replace(name, f" {self.car} ")
        # what the term list cannot translate is a trim's own name: in pinyin, as English
        # press writes it ("潮流版" → "Chaoliu version"), never Chinese in an English sentence
        english = words(english, "en", self.book.terms)
        return romanised(english) if pinyin else english

    def _joined(self, rest: str) -> str:
        """The car's name and a variant's: "Nissan Patrol NISMO", "极氪001四驱版" (in Chinese,
        no space beside a Chinese character)."""
        tight = self.book.language == "zh" and (has_han(self.car[-1:]) or has_han(rest[:1]))
        return f"{self.car}{'' if tight else ' '}{rest}"

    def _names(self) -> list[str]:
        """The car's names a variant's name may hold: three letters at least, or two Chinese
        characters ("奇骏" in "全新奇骏")."""
        return [n for n in self.sheet.names() if len(n) >= 3 or (has_han(n) and len(n) >= 2)]

    def _year_and_name(self, variant: str) -> tuple[str | None, str]:
        """A variant's model year and its name, a described trim by its bracketed name."""
        parts = [p.strip() for p in ROW_NUMBER.sub("", variant).split("·") if p.strip()]
        year = next((p for p in parts if is_model_year(p)), None)
        rest = " ".join(p for p in parts if p != year)
        rest = _HEADING_WORDS.sub("", rest).strip() or rest  # "Hybrid Specifications"
        leading = _LEADING_YEAR.match(rest)
        if year is None and leading:  # "2025 SE trim": the 2025 Toyota RAV4 SE trim
            year, rest = leading.group(1), leading.group(2) or leading.group(3)
        described = _DESCRIBED.match(rest)
        if described:
            year = year or next(iter(re.findall(r"(?:19|20)\d\d", rest)), None)
            rest = described.group("name").strip()
        return year, rest

    def _make_before(self, rest: str) -> str | None:
        """The words of the car's name before the model's own, when `rest` starts with the
        model's name ("Porsche" for "Taycan Turbo" of the Porsche Taycan; "Land Rover" for
        "Defender 90"; "路虎" for "Defender 110" of 路虎Defender, a script change parting
        words as a space does): said with them, the car's name is not said twice."""
        words_ = _NAME_WORDS.findall(self.car)
        for k in range(1, len(words_)):
            model = self.car[self.car.index(words_[k], len("".join(words_[:k]))) :]
            if rest.casefold() == model.casefold() or rest.casefold().startswith(
                model.casefold() + " "
            ):
                return self.car[: len(self.car) - len(model)].strip()
        return None

    def cited(self, text: str, facts: Sequence[SheetFact]) -> str:
        """`text` with its facts' citation numbers before its final stop."""
        numbers = list(dict.fromkeys(self.cite(f) for f in facts))
        if not numbers:
            return text
        marks = "".join(f"[{n}]" for n in numbers)
        if _STOP.search(text):
            return _STOP.sub(
                lambda m: f"{'' if self.book.language == 'zh' else ' '}{marks}{m.group(1)}", text
            )
        return f"{text} {marks}"

    def line(self, section: str, name: str, *seed: object, **values: str) -> str:
        """A fixed phrase (a lead, a verdict) picked and filled in."""
        entry = self.book.phrase(section, name)
        options = entry if isinstance(entry, list) else [entry]
        template = pick([o for o in options if o], self.sheet.car.id, section, name, *seed)
        return template.format(car=self.car, **values) if template else ""

    def join(self, sentences: Sequence[str]) -> str:
        sep = "" if self.book.language == "zh" else " "
        return sep.join(s for s in sentences if s)


def shared_citation(facts: Sequence[SheetFact]) -> list[SheetFact]:
    """The facts of one sentence, each cited by the passage that states most of them: a
    figure two passages state is cited by the one its sentence's other figures come from, so
    a sentence about one engine cites one passage, not its own and another engine's."""
    counts = Counter(
        chunk for f in facts for chunk in {c.chunk_id for c in f.citations or (f.citation,)}
    )
    chosen = []
    for fact in facts:
        options = fact.citations or (fact.citation,)
        best = max(options, key=lambda c: counts[c.chunk_id])  # the first among equals
        chosen.append(fact if best is fact.citation else replace(fact, citation=best))
    return chosen


def _strip_names(part: str, names: Sequence[str]) -> str:
    """A version's name without the car's ("Aurora X5 1.5T" → "1.5T")."""
    for name in sorted(names, key=len, reverse=True):
        if part.casefold().startswith(name.casefold()):
            return part[len(name) :].strip()
    return part


def _versioned(name: str) -> str:
    """A Chinese version's name as a version: "汽油" → "汽油版" (塔塔Tiago汽油版, not
    塔塔Tiago汽油), "四驱" → "四驱版"; "1.5T" and "高配版" as written."""
    return f"{name}版" if _BARE_VERSION.fullmatch(name) else name
