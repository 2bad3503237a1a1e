"""Spec facts as a third ranking: the chunks that state a named car's value of the attribute
a query asks about.

Ingest extracts each document's spec facts (car, attribute, value) with the chunk that holds
the evidence (`ingest.specs`). A query that names a car ("the Tata Nexon") and an attribute
in the spec vocabulary's words (`data/specs/attributes.toml`: "luggage", "wheelbase",
"马力") points at those chunks directly, where BM25 and the vectors only see a passage about
the car: within one car's chunks the words that pick the right passage are few ("holds more
luggage" against a paragraph of dimensions that says "Boot space is 318 litres"), and a
comparison's second car is the one that loses; in a cross-lingual query (a Chinese question
about an English brochure) they are fewer still. Search weighs it by the cars named
(`Searcher.fact_weight`, `cross_fact_weight`, `single_fact_weight`); for one car it once
lifted as many wrong variants' chunks above the answer as answers, before the ceiling
(`ceilings`). Each car's first fact chunk ranks first, so a comparison's cars are on equal
footing.

    attributes = QueryAttributes.build(load_vocabulary(path))
    attributes.find("Which holds more luggage, the Baleno or the Nexon?")  # {"boot_volume"}
    chunks = FactChunks.load(database)
    chunks.holding(("tata-nexon",), {"boot_volume"})  # the Nexon's boot-volume chunk ids

The vocabulary is the one spec extraction reads documents with, written for the documents'
labels, with its `asked` words (how questions name an attribute no document labels so:
"heavier", 多少钱), general words, not any question set's.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ingest.analysis import has_han
from ingest.specs.numbers import first_words_re, fold, quantities, word_grams
from ingest.specs.units import MULTIPLIERS
from ingest.specs.variant_cars import variant_car
from ingest.specs.vocabulary import Vocabulary, normalise
from ingest.storage.engine import Database
from ingest.storage.tables import facts

# Attributes whose values are words (engine type, drive, body type): a query's "type" or
# "drive" is too loose to point at a fact ("the Civic Type R").
_WORD_VALUED = frozenset({"text"})


@dataclass(slots=True)
class QueryAttributes:
    """Finds the spec attributes a query names, by the vocabulary: its labels and its `asked`
    words (how questions name an attribute: "how far", 多少钱), English ones as whole words
    (longest first), Chinese ones of two or more characters as substrings (not one inside a
    longer one named: 油耗 in 高速油耗). Where none is named, the Chinese labels of
    word-valued attributes (变速箱: a Chinese label is no loose "type"; 发动机马力 asks the
    power, not the engine); where still none, a one-character Chinese label after a word of
    degree (多宽, 更重: how wide, heavier). `labels` and `english_terms` are
    an attribute's English words, for a Chinese query's English rewrite."""

    english: dict[str, str] = field(default_factory=dict)  # normalised label → attribute
    chinese: dict[str, str] = field(default_factory=dict)
    longest: int = 1
    first: re.Pattern[str] | None = None  # the first words of the English labels
    single: dict[str, str] = field(default_factory=dict)  # one-character Chinese labels
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # attribute → English
    display: dict[str, str] = field(default_factory=dict)  # attribute → its English label
    degree: bool = True  # the second step (one-character labels after a word of degree)
    worded_zh: dict[str, str] = field(default_factory=dict)  # word-valued attributes' labels
    words_zh: bool = True  # whether Chinese labels of word-valued attributes count
    asked: frozenset[str] = frozenset()  # the vocabulary's `asked` words, normalised
    written: dict[str, tuple[str, ...]] = field(default_factory=dict)  # attribute → labels

    @classmethod
    def build(cls, vocabulary: Vocabulary) -> QueryAttributes:
        found = cls()
        terms: dict[str, list[str]] = defaultdict(list)
        for label, key in [*vocabulary.labels.items(), *vocabulary.asked.items()]:
            attribute = vocabulary.attributes.get(key)
            if attribute is not None and attribute.dimension in _WORD_VALUED:
                if has_han(label) and len(label) >= 2:
                    found.worded_zh.setdefault(label, key)
                continue
            if attribute is None:
                continue
            if has_han(label):
                if len(label) >= 2:
                    found.chinese.setdefault(label, key)
                else:
                    found.single.setdefault(label, key)
            elif label.isascii() and label[:1].isalpha():
                found.english.setdefault(label, key)
                found.longest = max(found.longest, len(label.split()))
                if label in vocabulary.labels:
                    terms[key].append(label)
        found.first = first_words_re(set(found.english))
        found.terms = {key: tuple(words) for key, words in terms.items()}
        found.display = {key: a.label for key, a in vocabulary.attributes.items() if a.label}
        found.asked = frozenset(vocabulary.asked)
        written: dict[str, list[str]] = defaultdict(list)
        for label, key in vocabulary.labels.items():
            if len(label) >= 2 and key in vocabulary.attributes:
                written[key].append(label)
        found.written = {key: tuple(labels) for key, labels in written.items()}
        return found

    def find(self, query: str) -> set[str]:
        """The attribute keys `query` names."""
        text = _query_text(query)
        keys: set[str] = set()
        if self.first is not None:
            grams = word_grams(text, self.first, set(self.english), self.longest)
            keys.update(self.english[gram] for _, _, gram in grams)
        if has_han(text):
            keys.update(_longest(self.chinese, text))
            if not keys and self.words_zh:
                keys.update(_longest(self.worded_zh, text))
            if not keys and self.degree:
                keys.update(
                    self.single[m.group(1)]
                    for m in _DEGREE.finditer(text)
                    if m.group(1) in self.single
                )
        return keys

    def asking(self, query: str) -> list[tuple[int, str, str]]:
        """(offset in the query as `find` reads it, attribute, the words that ask) of each way
        `query` asks for an attribute that no document labels so: an `asked` word ("how far",
        多少钱, "charge") or a word of degree (多宽), each only where `find` reads that
        attribute. Chat reads a turn's attributes by their labels itself and by this reading
        of how questions ask."""
        keys = self.find(query)
        text = _query_text(query)
        found: list[tuple[int, str, str]] = []
        if self.first is not None:
            grams = word_grams(text, self.first, set(self.english), self.longest)
            found += [(start, self.english[g], g) for start, _, g in grams if g in self.asked]
        found += [
            (text.find(w), k, w) for w, k in self.chinese.items() if w in self.asked and w in text
        ]
        found += [
            (m.start(), self.single[m.group(1)], m.group())
            for m in _DEGREE.finditer(text)
            if m.group(1) in self.single
        ]
        return sorted(item for item in found if item[1] in keys)

    def chinese_named(self, query: str) -> list[str]:
        """The Chinese labels and `asked` words of two characters or more in `query`."""
        text = _query_text(query)
        if not has_han(text):
            return []
        return [w for w in (*self.chinese, *self.worded_zh) if w in text]

    def states(self, key: str, text: str) -> bool:
        """Whether `text` (normalised) names attribute `key` by one of its labels."""
        return any(
            (label in text) if has_han(label) else bool(_word(label).search(text))
            for label in self.written.get(key, ())
        )

    def labels(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The English display labels of `keys` ("Overall width", "Seats")."""
        return tuple(self.display[key] for key in sorted(keys) if key in self.display)

    def english_terms(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The English labels of `keys`, the attribute's own label first."""
        return tuple(dict.fromkeys(t for key in sorted(keys) for t in self.terms.get(key, ())))


def _longest(labels: Mapping[str, str], text: str) -> set[str]:
    """The attributes of the `labels` in `text`, but for a label inside a longer one named
    (油耗 in 高速油耗: the highway figure is asked, not the combined one)."""
    named = {label: key for label, key in labels.items() if label in text}
    return {
        key
        for label, key in named.items()
        if not any(label != other and label in other for other in named)
    }


# A word written in camel case: a name ("PowerBoost", "EcoBoost"), not two words
_CAMEL_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z][A-Z][A-Za-z]*")


def _query_text(query: str) -> str:
    """`query` normalised as labels are, but a word in camel case kept whole: `normalise`
    splits a column name ("EngineSize"); in a question it is a name, and the F-150's
    "PowerBoost" hybrid does not ask for the power."""
    return normalise(_CAMEL_WORD.sub(lambda m: m.group().lower(), query))


@lru_cache(maxsize=4096)
def _word(label: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(label)}(?![a-z0-9])")


# A number as documents write it: "1,940", "7.1", "170"
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def numbers_in(text: str, scaled: bool = True) -> set[float]:
    """The numbers `text` writes ("1,940 pounds" is 1940); with `scaled`, also as extraction
    reads them where a multiplier is written (`ingest.specs.numbers.quantities`: "18.58万元"
    is 185799.99999999997, as its price fact is: the same reading, the same float)."""
    written = {float(m.group().replace(",", "")) for m in _NUMBER.finditer(text)}
    if scaled and any(word in text for word in _SCALES):  # most chunks write none
        written.update(n for q in quantities(fold(text)) for n in q.numbers)
    return written


# The multipliers extraction reads (万, lakh, crore, million), as a chunk may write them
_SCALES = tuple({form for w in MULTIPLIERS for form in (w, w.capitalize(), w.upper())})


def _worded(values: frozenset[float | str]) -> bool:
    """Whether a fact's `values` hold a word-valued one."""
    return any(isinstance(v, str) for v in values)


def _words_in(values: frozenset[float | str], text: str) -> bool:
    """Whether `text` (normalised) writes one of a word-valued fact's `values` ("AutoMan-6")
    as a whole word."""
    return any(isinstance(v, str) and bool(_word(v).search(text)) for v in values)


# Chinese words of degree before a one-character adjective: 多宽 (how wide), 更重 (heavier),
# 最长 (longest), 较高 (higher)
_DEGREE = re.compile(r"[多更最较]([\u4e00-\u9fff])")


@dataclass(frozen=True, slots=True)
class FactChunks:
    """The chunk ids holding each car's facts of each attribute, in ingest order, and the
    values of those facts by document (`values`: (car, attribute) → doc id → the numbers,
    rounded, and a word-valued fact's value normalised: "AutoMan-6" → "automan-6")."""

    by_fact: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    values: dict[tuple[str, str], dict[str, frozenset[float | str]]] = field(default_factory=dict)
    versions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `retrieval.versions`

    @classmethod
    def load(cls, database: Database) -> FactChunks:
        rows = sa.select(
            facts.c.car_id,
            facts.c.attribute,
            facts.c.chunk_id,
            facts.c.doc_id,
            facts.c.numbers,
            facts.c.value,
            facts.c.variant,
        ).where(facts.c.chunk_id.is_not(None))
        found: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        values: dict[tuple[str, str], dict[str, set[float | str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        with database.read() as connection:
            stored = list(connection.execute(rows.order_by(facts.c.id)))
        known = {row[0] for row in stored}
        versions: dict[str, dict[str, None]] = defaultdict(dict)  # chunk → the cars it versions
        for car, attribute, chunk_id, doc, numbers, value, variant in stored:
            named = variant_car(car, variant, known)  # the "Aurora X5"'s "Hybrid" version is
            if named:  # the "Aurora X5 Hybrid" too
                versions[chunk_id][named[0]] = None
            for about in (car, *(named[:1] if named else ())):
                found[(about, attribute)][chunk_id] = None
                held = [float(n) for n in json.loads(numbers or "[]")]
                words = normalise(value or "") if not held else ""
                values[(about, attribute)][doc].update(
                    [*held, *([words] if len(words) >= 3 else [])]
                )
        return cls(
            {key: tuple(ids) for key, ids in found.items()},
            {key: {d: frozenset(n) for d, n in docs.items() if n} for key, docs in values.items()},
            {chunk_id: tuple(cars) for chunk_id, cars in versions.items()},
        )

    def answering(
        self, family: Sequence[str], attributes: Sequence[str], specific: bool
    ) -> list[str]:
        """The cars of `family` with a fact of one of `attributes`; with `specific`, only the
        first (the most specific: the variant before the model it extends): the Subaru WRX's
        rows do not answer for the WRX STI Type RA."""
        cars = [c for c in family if any((c, a) in self.by_fact for a in attributes)]
        return cars[:1] if specific else cars

    def holding(
        self, family: Sequence[str], attributes: Iterable[str], specific: bool = True
    ) -> list[str]:
        """The chunks stating a fact of one of `attributes` about the cars of `family` that
        `answering` gives."""
        wanted = list(attributes)
        cars = self.answering(family, wanted, specific)
        ids = (i for car in cars for a in wanted for i in self.by_fact.get((car, a), ()))
        return list(dict.fromkeys(ids))

    def documents(
        self, family: Sequence[str], attributes: Iterable[str], specific: bool = True
    ) -> dict[str, dict[str, frozenset[float | str]]]:
        """Doc id → attribute → the values of the facts `holding` reads, by document."""
        wanted = list(attributes)
        found: dict[str, dict[str, frozenset[float | str]]] = defaultdict(dict)
        for car in self.answering(family, wanted, specific):
            for a in wanted:
                for doc, numbers in self.values.get((car, a), {}).items():
                    found[doc][a] = found[doc].get(a, frozenset()) | numbers
        return found


def fact_ranking(per_car: Sequence[list[str]], fused: Sequence[str]) -> dict[str, int]:
    """Each named car's fact chunks ranked within the car, in the order the fused ranking
    puts them (those it lacks last): chunk id → its best rank (1-based) under any car. Each
    car's first chunk ranks first: a comparison's cars are on equal footing."""
    position = {chunk_id: n for n, chunk_id in enumerate(fused)}
    ranks: dict[str, int] = {}
    for ids in per_car:
        ordered = sorted(ids, key=lambda i: position.get(i, len(position)))
        for rank, chunk_id in enumerate(ordered, 1):
            ranks[chunk_id] = min(rank, ranks.get(chunk_id, rank))
    return ranks


@dataclass(slots=True)
class FactSide:
    """The third ranking of a hybrid search: what the query names (`attributes`) looked up in
    the stored facts (`chunks`, read again after each ingest)."""

    attributes: QueryAttributes
    chunks: Callable[[], FactChunks]
    # the text of candidate chunks (the lexical index's), for the chunks restating a fact
    texts: Callable[[list[str]], Mapping[str, tuple[str, Any]]] | None = None
    restated: bool = True  # `restating`
    reach: int = 50  # how many of the fused candidates `restating` reads
    specific: bool = True  # `FactChunks.holding`
    words: bool = True  # `restating` reads word-valued facts' values
    scaled: bool = True  # `restating` reads numbers with their multipliers (`numbers_in`)

    def ranking(
        self, asked: set[str], families: Sequence[Sequence[str]], fused: Sequence[str]
    ) -> dict[str, int]:
        """The chunks stating each named car's `asked` attributes (`QueryAttributes.find`;
        none unless the query names both a car and an attribute), ordered by `fact_ranking`,
        with the candidates that restate one of them (`restating`)."""
        if not families or not asked:
            return {}
        held = self.chunks()
        per_car = [held.holding(family, asked, self.specific) for family in families]
        if self.restated and self.texts is not None:
            per_car = [
                ids
                + [
                    i
                    for i in self.restating(held.documents(family, asked, self.specific), fused)
                    if i not in ids
                ]
                for ids, family in zip(per_car, families, strict=True)
            ]
        return fact_ranking(per_car, fused)

    def restating(
        self, documents: Mapping[str, Mapping[str, frozenset[float | str]]], fused: Sequence[str]
    ) -> list[str]:
        """The candidates (`fused`) of a document that states a fact (`documents`: doc id →
        attribute → values) which state it again: one of its numbers (or, with `words`, a
        word-valued fact's value: "AutoMan-6") with one of the attribute's labels.
        Extraction cites a fact once per document, in the first chunk holding it (an EPA
        rendering's summary table), where a later sentence says the same ("Combined tailpipe
        CO2 is 170 grams per mile"; "AutoMan-6 (automated manual, 6-speed) transmission"):
        both are the fact's chunks, and the fused ranking orders them. Only the first
        `reach` candidates are read (the cost: a car's CSV holds thousands of rows)."""
        ids = [i for i in fused[: self.reach] if i.rpartition(":")[0] in documents]
        if not ids or self.texts is None:
            return []
        texts = self.texts(ids)
        found = []
        for chunk_id in ids:
            if chunk_id not in texts:
                continue
            raw = texts[chunk_id][0]
            held = documents[chunk_id.rpartition(":")[0]]
            written = numbers_in(raw, self.scaled)
            keys = [k for k, n in held.items() if written & n]
            worded = [k for k, n in held.items() if self.words and k not in keys and _worded(n)]
            text = normalise(raw) if keys or worded else ""
            keys += [k for k in worded if _words_in(held[k], text)]
            if any(self.attributes.states(key, text) for key in keys):
                found.append(chunk_id)
        return found


def ceilings(
    ranked: Sequence[tuple[str, float, Any]],
    chosen: Mapping[str, int],
    cars_of: Callable[[list[str]], Mapping[str, tuple[str, ...]]],
    n: int,
) -> dict[str, float]:
    """How high the facts side may lift each chosen chunk: to the best fused score of another
    chunk about one of its cars that both sides rank within their first `n` (none where no
    chunk is so agreed on, or `n` is 0). Both sides' first chunk is the answer more often
    than an EPA rendering's table chunk the bonus lifts over it (t016, t017, t019)."""
    if n <= 0 or not chosen:
        return {}
    agreed = [
        (chunk_id, score)
        for chunk_id, score, part in ranked
        if part.vector_rank and part.lexical_rank and max(part.vector_rank, part.lexical_rank) <= n
    ]
    about = cars_of([chunk_id for chunk_id, _ in agreed] + list(chosen))
    caps: dict[str, float] = {}
    for fact in chosen:
        cars = set(about.get(fact, ()))
        found = [s for i, s in agreed if i != fact and cars.intersection(about.get(i, ()))]
        if found:
            caps[fact] = max(found)
    return caps
