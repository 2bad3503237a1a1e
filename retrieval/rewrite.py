"""What each side of a hybrid search reads besides the query's own words.

The encoder (MiniLM reads no Chinese) reads a Chinese question in English: its Latin words
(car names), the glossary's English terms (`retrieval/glossary.py`) and the English labels of
the spec attributes it asks (`retrieval/facts.py`: "车身更宽" asks the width, "Overall
width"). BM25 scores, beside the query's words, each glossary group it names (the terms in
its language as synonyms, the others as one translated concept), the car names taken out of
it at a weight of their own, and each attribute a Chinese question asks as one concept of
its English labels (an English spec sheet says "Width (inches)", never 宽). The words of a
Chinese question that none of these names are read in their dictionary glosses
(`retrieval/dictionary.py`): one translated concept each in BM25 at `dictionary_weight` 1.0,
the first `dictionary_vector` 3 glosses of each in the encoder's English (BENCHMARKS.md
"Fourteenth pass": tune files + blind3 held out r@1 0.724 → 0.749, r@5 0.930 → 0.952).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ingest.analysis import has_han
from ingest.embedding import Embedder
from retrieval.dictionary import Dictionary
from retrieval.entities import Mention, without
from retrieval.facts import FactSide
from retrieval.glossary import Expansion, Glossary
from retrieval.lexical import Concept


class Reads(Protocol):
    """What `read` reads of a searcher: its glossary, vocabulary and dictionary, and the
    weights of what they add."""

    glossary: Glossary | None
    facts: FactSide | None
    dictionary: Callable[[], Dictionary | None] | None
    embedder: Embedder
    asked_vector: bool
    car_name_weight: float
    synonym_weight: float
    translation_weight: float
    asked_weight: float
    dictionary_weight: float
    dictionary_vector: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What a query says beyond its words, and what each side reads of it."""

    expansion: Expansion  # the glossary's groups it names
    asked: set[str]  # the attributes it asks
    translated: list[tuple[str, ...]]  # the glosses of its Chinese words nothing else names
    texts: list[str]  # what the encoder reads (`encoder_texts`)
    concepts: list[Concept]  # what BM25 scores besides its words (`concepts`)


def read(searcher: Reads, query: str, mentions: Sequence[Mention]) -> Reading:
    """`query` read by the searcher's glossary, vocabulary and dictionary."""
    expansion = searcher.glossary.expand(query) if searcher.glossary else Expansion()
    attributes = searcher.facts.attributes if searcher.facts is not None else None
    asked = attributes.find(query) if attributes is not None else set()
    translated = _translated(searcher, query, expansion, mentions)
    labels = attributes.labels(asked) if attributes and searcher.asked_vector else ()
    glossed = [g for words in translated for g in words[: searcher.dictionary_vector]]
    english = [*expansion.english, *labels, *glossed]
    found = concepts(
        query,
        expansion,
        [query[m.start : m.end] for m in mentions],
        [attributes.english_terms({key}) for key in sorted(asked)] if attributes else [],
        name_weight=searcher.car_name_weight,
        synonym_weight=searcher.synonym_weight,
        translation_weight=searcher.translation_weight,
        asked_weight=searcher.asked_weight,
        translated=translated,
        dictionary_weight=searcher.dictionary_weight,
    )
    texts = encoder_texts(query, english, searcher.embedder.multilingual)
    return Reading(expansion, asked, translated, texts, found)


def _translated(
    searcher: Reads, query: str, expansion: Expansion, mentions: Sequence[Mention]
) -> list[tuple[str, ...]]:
    """The glosses of the words of a Chinese query that no car name, glossary term or
    label names (`retrieval.dictionary`)."""
    if searcher.dictionary is None or not has_han(query):
        return []
    if searcher.dictionary_weight <= 0 and searcher.dictionary_vector <= 0:
        return []
    dictionary = searcher.dictionary()
    if dictionary is None:
        return []
    named = [*expansion.named]
    if searcher.facts is not None:
        named += searcher.facts.attributes.chinese_named(query)
    return dictionary.translations(without(query, mentions), named)


_HAN_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def encoder_texts(query: str, english: Sequence[str], multilingual: bool) -> list[str]:
    """What the encoder reads for `query`: a Chinese question also in English (its Latin
    words and the `english` terms), and only in English when the encoder reads no Chinese
    (its vector of the Chinese text is noise); any other query as written."""
    terms = tuple(dict.fromkeys(english))
    if not (terms and has_han(query)):
        return [query]
    rewritten = " ".join([_HAN_RUN.sub(" ", query).strip(), *terms])
    return [query, rewritten] if multilingual else [rewritten]


def concepts(
    query: str,
    expansion: Expansion,
    names: Sequence[str],
    asked: Sequence[tuple[str, ...]],
    *,
    name_weight: float,
    synonym_weight: float,
    translation_weight: float,
    asked_weight: float,
    translated: Sequence[tuple[str, ...]] = (),
    dictionary_weight: float = 0.0,
) -> list[Concept]:
    """The BM25 concepts of `query`: each car name (`names`, taken out of the query) at
    `name_weight`; each glossary group twice, its terms in the query's language as synonyms
    (scored like query words), the others as translations (one concept, scored by its best
    term's mean token score, not by the number of its bigrams); and, for a Chinese query,
    each asked attribute's English labels (`asked`) as one translated concept, and each word
    no label names in its dictionary glosses (`translated`, `retrieval/dictionary.py`) at
    `dictionary_weight`."""
    found = [Concept(name_weight, (name,)) for name in names if name_weight > 0]
    for same, other in expansion.split(has_han(query)):
        if same:
            found.append(Concept(synonym_weight, same))
        if other:
            found.append(Concept(translation_weight, other, per_token=True))
    if asked_weight > 0 and has_han(query):
        found += [Concept(asked_weight, terms, per_token=True) for terms in asked if terms]
    if dictionary_weight > 0:
        found += [Concept(dictionary_weight, terms, per_token=True) for terms in translated]
    return found
