"""The cars a query names, so that search can prefer the chunks about them.

Names come from the car index (`data/specs/cars.toml`: makes, models and their aliases in
English and Chinese) taught the cars of the registry that the alias file does not list (their
names as the documents give them, "Hyundai Venue" → "Venue"). "凯美瑞的油耗" names
toyota-camry, "the Venue" hyundai-venue, "Venue vs Creta" both; a bare make names no car.
A model name that needs its make ("Tacoma") also names its car apart from it: when the query
names that make elsewhere, or, beside another car, when it is written as a proper name
("the F-150 PowerBoost or the Tacoma"); a plural names its car ("older Honda Accords").

    cars = QueryCars(index)
    cars.find("丰田凯美瑞的油耗")   # [Mention(car="toyota-camry", start=0, end=5)]
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from ingest.analysis import has_han
from ingest.specs.cars import CarIndex, Hit, add_models, slug
from ingest.specs.numbers import fold

T = TypeVar("T")

# `named_in_text` reads the first of the fused order: further down, a restored score is still
# no result (each read costs a passage decode and a regex scan)
OTHERS_READ = 30
_WORDS = re.compile(r"[a-z0-9]+")
_GLUE = re.compile(r"[ -]?[a-z0-9]+(?:[ -][a-z0-9]+){0,2}")  # words just after a name
MAX_CARS = 4  # a query naming more is a list, not a comparison: the first four are searched
_HAN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")  # a Chinese model name
# a Chinese make, then the model's code: "极光x5插电混动版"
_MADE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff]{2,})([a-z0-9]+).*")


@dataclass(frozen=True, slots=True)
class Mention:
    """A car named at `start:end` of the query (offsets of the query as given). `family` is
    the car and the models it is a variant of, by id ("toyota-corolla-hybrid" →
    toyota-corolla too): a base model's documents speak for its variants (the Corolla sheet
    gives the Corolla Hybrid's mileage)."""

    car: str
    start: int
    end: int
    family: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownCar:
    """A car of the registry: its id and every name documents give it."""

    id: str
    names: tuple[str, ...]


class QueryCars:
    """Finds car names in queries; cheap (a scan of the query, not of the cars)."""

    def __init__(self, index: CarIndex) -> None:
        self.index = index
        # names() patterns by car set; a QueryCars is rebuilt, not changed, when cars change
        self._names: dict[frozenset[str], re.Pattern[str] | None] = {}

    @classmethod
    def build(cls, index: CarIndex, known: Iterable[KnownCar] = ()) -> QueryCars:
        """`index` taught the `known` cars it does not list, by their model names. A plain
        word needs its make (`add_models`), but a Chinese model name of two characters or
        more names its car alone, as the alias file's do ("海豹" for 比亚迪海豹), unless it is
        also a make's name (理想 is Li Auto's, and "ideal"); so does a name holding one
        written with Latin letters ("极光X5插电混动版", the name a Chinese document gives the
        Aurora X5 Hybrid)."""
        models = []
        alone = []
        for car in known:
            split = next(filter(None, (_split(index, car.id, name) for name in car.names)), None)
            if split is not None and car.id not in index.model_names:
                make, model = split
                # and its Chinese names (the alias file's [names]: "塔科马" of the Toyota Tacoma;
                # a document's "极光X5插电混动版", Latin letters inside)
                chinese = [n for n in car.names if _HAN_NAME.search(spelled(n))]
                models.append((car.id, make, [model, *chinese]))
                for key in (spelled(n).strip() for n in [model, *chinese]):
                    if _HAN_NAME.search(key) and key not in index.brand_aliases:
                        alone.append(key)
        add_models(index, models)
        # a Chinese name written as a make and the model's code ("极光X5插电混动版" of the Aurora
        # X5 Hybrid) spells the make in Chinese: 极光 names Aurora, so "极光X7" is its make's
        for car_id, _, (model, *chinese) in models:
            code = _WORDS.match(spelled(model))
            for name in chinese:
                made = _MADE.fullmatch(spelled(name).strip())
                if code and made and made.group(2) == code.group() and car_id in index.model_brand:
                    index.brand_aliases.setdefault(made.group(1), index.model_brand[car_id])
        add_models(index, [])  # the scans again, with those makes
        index.strong.update(alone)
        return cls(index)

    def find(self, query: str, *, proper_alone: bool = False) -> list[Mention]:
        """Each car the query names, once, in order of first mention (up to `MAX_CARS`).
        A name that needs its make counts without it where `_unmade` says; by the proper-name
        rule only beside another car unless `proper_alone`."""
        mentions: list[Mention] = []
        seen: set[str] = set()
        hits = _merged(self.index.find(query), self.index.find(_singular(query)))
        named = [(h.start, h.end, h.car, True) for h in hits if h.car is not None]
        unmade = self._unmade(query, hits)
        if not proper_alone and len({u[2] for u in named + unmade}) < 2:
            unmade = [u for u in unmade if u[3]]
        folded = fold(query).lower()
        for start, end, car, _ in sorted(named + unmade):
            car, end = self._variant(folded, car, end)
            if car in seen:
                continue
            seen.add(car)
            mentions.append(Mention(car, start, end, self.family(car)))
        return mentions[:MAX_CARS]

    def _variant(self, folded: str, car: str, end: int) -> tuple[str, int]:
        """`car`, or the known variant whose id is `car`'s and the words just after its name
        (大切诺基TrackHawk: jeep-grand-cherokee-trackhawk; the Chinese name has no English
        variant's alias to match), with the mention's new end."""
        words = list(_WORDS.finditer(folded, end, min(len(folded), end + 40)))
        for n in range(min(3, len(words)), 0, -1):
            run = words[:n]
            joined = folded[end : run[-1].end()]
            if _GLUE.fullmatch(joined) is None:
                continue
            longer = f"{car}-{slug(' '.join(w.group() for w in run))}"
            if longer in self.index.model_names:
                return longer, run[-1].end()
        return car, end

    def _unmade(self, query: str, hits: Sequence[Hit]) -> list[tuple[int, int, str, bool]]:
        """The cars named by a model name that needs its make but stands apart from it
        (`CarIndex.find` reads a make only just before its model): a model of a make the
        query names elsewhere ("the Toyota trucks: the Tundra SR or the Tacoma SR"; not a
        bare number, more often a quantity), or the
        one car of a name written as a proper name, capitalised inside a sentence of
        lowercase words ("the F-150 PowerBoost or the Tacoma i-FORCE MAX"); the flag is False
        for the latter."""
        scan = self.index.model_names_scan
        if scan is None:
            return []
        makes = {h.brand for h in hits if h.car is None}
        taken = [(h.start, h.end) for h in hits]
        folded = fold(query)
        trims = {h.end + (folded[h.end : h.end + 1] in " -") for h in hits if h.car is not None}
        found: list[tuple[int, int, str, bool]] = []
        for start, end, alias in scan.scan(folded.lower()):
            if start in trims or any(s < end and start < e for s, e in taken):
                continue  # a word just after a car is its trim ("Mustang GT"), not a car
            if alias.replace(" ", "").isdigit():
                continue  # "100" is more often kW than the Audi 100: a number needs its make
            ids = self.index.model_aliases.get(alias, [])
            ours = [i for i in ids if self.index.model_brand.get(i) in makes]
            if len(ours) == 1:
                found.append((start, end, ours[0], True))
            elif len(ids) == 1 and _proper(folded, start):
                found.append((start, end, ids[0], False))
        return found

    def names(self, cars: Iterable[str]) -> re.Pattern[str] | None:
        """A pattern finding, in a text lowercased and folded (`spelled`), a name that alone
        names one of `cars` ("gti", "model 3", "凯美瑞"; not a name that needs its make)."""
        wanted = frozenset(cars)
        if wanted not in self._names:
            aliases = sorted(
                {a for car in wanted for a in self._strong_aliases.get(car, ())},
                key=len,
                reverse=True,
            )
            spelled_as = (re.escape(a).replace(r"\ ", " ").replace(" ", "[ -]?") for a in aliases)
            pattern = rf"(?<![a-z0-9])(?:{'|'.join(spelled_as)})(?![a-z0-9])"
            self._names[wanted] = re.compile(pattern) if aliases else None
        return self._names[wanted]

    @cached_property
    def _strong_aliases(self) -> dict[str, list[str]]:
        """Car id → the names that name it without its make."""
        by_car: dict[str, list[str]] = {}
        for alias, ids in self.index.model_aliases.items():
            if alias in self.index.strong:
                for car in ids:
                    by_car.setdefault(car, []).append(alias)
        return by_car

    def family(self, car: str) -> tuple[str, ...]:
        """`car` and the known cars whose id it extends ("toyota-corolla-hybrid" extends
        "toyota-corolla"); never the other way: a query about a base model does not want
        every variant's pages."""
        parts = car.split("-")
        bases = ("-".join(parts[:n]) for n in range(len(parts) - 1, 1, -1))
        return (car, *(base for base in bases if base in self.index.model_names))


_PLURAL = re.compile(r"(?<=[a-z0-9])s(?![a-z0-9])")  # "Accords", "F-150s"


def _singular(text: str) -> str:
    """`text` with each word's plural "s" blanked, offsets kept ("older Honda Accords")."""
    return _PLURAL.sub(" ", text)


def _merged(hits: list[Hit], more: list[Hit]) -> list[Hit]:
    """`hits` and the cars of `more` that overlap none of their cars (a make only named
    there gives way to its car)."""
    cars = [h for h in hits if h.car is not None]
    added = [h for h in more if h.car is not None and not any(_overlap(h, c) for c in cars)]
    kept = [h for h in hits if h.car is not None or not any(_overlap(h, a) for a in added)]
    return sorted(kept + added, key=lambda h: h.start)


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


_CAPITALISED = re.compile(r"[A-Z][a-z0-9]")
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z]{4,}")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:：]\s*)$")


def _proper(text: str, start: int) -> bool:
    """Is the name at `start` of `text` written as a proper name: a capital, then a
    lowercase letter or a digit; in an English text, not where a sentence starts, and in a
    sentence (a lowercase word of four letters or more), not a title?"""
    if not _CAPITALISED.match(text, start):  # "Tacoma", "M3"; not "GT", a trim's letters
        return False
    if has_han(text):  # Latin words in a Chinese sentence are names
        return True
    if _SENTENCE_START.search(text[:start].rstrip(" \"'(")):
        return False
    return _LOWER_WORD.search(text) is not None


def _split(index: CarIndex, car_id: str, name: str) -> tuple[str, str] | None:
    """(make, model) of a registry name: a make the index knows at its start, else the
    leading words that spell the start of the car id ("Pontiac LeMans", pontiac-lemans)."""
    hits = index.find(name)
    if hits and hits[0].start == 0 and hits[0].car is None:
        model = name[hits[0].end :].strip(" -")
        return (name[: hits[0].end], model) if model else None
    words = name.split()
    for n in range(1, min(3, len(words) - 1) + 1):
        make = " ".join(words[:n])
        if car_id.startswith(slug(make) + "-"):
            return make, " ".join(words[n:])
    return None


def named_in_text(
    about: dict[str, tuple[str, ...]],
    ids: Sequence[str],
    named: set[str],
    names: re.Pattern[str],
    passages: Callable[[list[str]], Mapping[str, tuple[str, Any]]],
) -> dict[str, tuple[str, ...]]:
    """`about` (chunk id → its metadata's cars) with the `named` cars added to a chunk about
    other cars whose text names one by a name that needs no make (`QueryCars.names`): a Golf
    page's "Golf GTI" paragraph is about the GTI, which the EPA file lists apart; a news page
    compares the drag of cars it is not about. Only the first `OTHERS_READ` of `ids`."""
    others = [i for i in ids[:OTHERS_READ] if about.get(i) and named.isdisjoint(about[i])]
    for record_id, (text, _) in passages(others).items():
        if names.search(spelled(text)):
            about[record_id] = (*about[record_id], *sorted(named))
    return about


def spelled(text: str) -> str:
    """`text` as `QueryCars.names` patterns read it: folded (full-width forms), lowercase."""
    return fold(text).lower()


def without(query: str, mentions: Sequence[Mention]) -> str:
    """`query` with the car names blanked out: what is left asks about the car."""
    text = list(query)
    for mention in mentions:
        text[mention.start : mention.end] = " " * (mention.end - mention.start)
    return "".join(text)


class Refreshing(Generic[T]):
    """A `QueryCars` (or the fact chunks) rebuilt when `version()` changes (the registry
    grows with each ingest)."""

    def __init__(self, build: Callable[[], T], version: Callable[[], Hashable]) -> None:
        self._build = build
        self._version = version
        self._lock = threading.Lock()
        self._built: tuple[Hashable, T] | None = None

    def __call__(self) -> T:
        version = self._version()
        built = self._built
        if built is not None and built[0] == version:
            return built[1]
        with self._lock:
            if self._built is None or self._built[0] != version:
                self._built = (version, self._build())
            return self._built[1]
