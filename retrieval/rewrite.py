"""What each side of a hybrid search reads besides the query's own words.

The encoder (MiniLM reads no Chinese) reads a Chinese question in English: its Latin words
(car names), the glossary's English terms (`retrieval/glossary.py`) and the English labels of
the spec attributes it asks (`retrieval/facts.py`: "车身更宽" asks the width, "Overall
width"). BM25 scores, beside the query's words, each glossary group it names (the terms in
its language as synonyms, the others as one translated concept), the car names taken out of
it at a weight of their own, and each attribute a Chinese question asks as one concept of
its English labels (an English spec sheet says "Width (inches)", never 宽).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.analysis import has_han
from retrieval.glossary import Expansion
from retrieval.lexical import Concept

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
) -> list[Concept]:
    """The BM25 concepts of `query`: each car name (`names`, taken out of the query) at
    `name_weight`; each glossary group twice, its terms in the query's language as synonyms
    (scored like query words), the others as translations (one concept, scored by its best
    term's mean token score, not by the number of its bigrams); and, for a Chinese query,
    each asked attribute's English labels (`asked`) as one translated concept."""
    found = [Concept(name_weight, (name,)) for name in names if name_weight > 0]
    for same, other in expansion.split(has_han(query)):
        if same:
            found.append(Concept(synonym_weight, same))
        if other:
            found.append(Concept(translation_weight, other, per_token=True))
    if asked_weight > 0 and has_han(query):
        found += [Concept(asked_weight, terms, per_token=True) for terms in asked if terms]
    return found
