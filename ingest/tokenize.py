"""The lexical tokenizer shared by the BM25 writer (ingest) and reader (retrieval).

Spec tokens stay whole: `2.5L`, `1,498`, `L/100km`, `0-100`, `U2`, `G3i` each give one token
(lowercased), plus their parts where a query may spell them apart (`2.5` and `l`, `1498`,
`l` and `100km`), so "1.5 l" still meets "1.5L". Chinese has no spaces: each run of Han
characters becomes overlapping character bigrams (a one-character run stays a unigram).
Tokens are taken from the NFKC form of the text (full-width `０．２０８` reads as `0.208`); the
stored text is never changed.

Bigrams were chosen over jieba on the dev questions: same recall, no dictionary load (about
a second), no cache file, no out-of-vocabulary model names split wrongly (see the report in
`retrieval/evaluate.py`'s module docstring).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Bump whenever the tokens produced for a text change: cached tokens are then redone.
TOKENIZER_VERSION = "1"

# Han ideographs (CJK unified + extension A + compatibility) and Japanese kana.
_HAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A "word" character: a letter or digit that is not Han.
_W = rf"[^\W_{_HAN}]"
_TOKEN = re.compile(
    rf"""
    (?P<word>{_W}+(?:(?:[./\-+']|(?<=\d),(?=\d{{3}}))(?={_W}){_W}+)*)
    | (?P<han>[{_HAN}]+)
    """,
    re.VERBOSE,
)
# Where a spec token falls apart into parts: not at a decimal point or thousands comma.
_SPLIT = re.compile(r"[/\-+']|(?<!\d)\.|\.(?!\d)")
_NUMBER_UNIT = re.compile(r"^(\d[\d.,]*)([^\W\d_]+)$")

# Function words that match everywhere and say nothing about a chunk.
STOPWORDS = frozenset(
    """a an and are as at be but by for from has have how if in into is it its of on or
    s such that the their then there these they this to was were what when where which
    who why will with does do did can you your i me my we our""".split()
)


def _word_tokens(word: str) -> Iterator[str]:
    yield word
    if "," in word:
        yield word.replace(",", "")
    parts = [p for p in _SPLIT.split(word) if p]
    if len(parts) > 1:
        yield from parts
    for part in parts if len(parts) > 1 else [word]:
        unit = _NUMBER_UNIT.match(part.replace(",", ""))
        if unit:
            yield unit.group(1)
            yield unit.group(2)


def _han_tokens(run: str) -> Iterator[str]:
    if len(run) == 1:
        yield run
        return
    for i in range(len(run) - 1):
        yield run[i : i + 2]


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of `text`, in order, stopwords left out (repeats kept)."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    tokens: list[str] = []
    for match in _TOKEN.finditer(normal):
        word = match.group("word")
        if word is not None:
            tokens.extend(t for t in _word_tokens(word) if t not in STOPWORDS)
        else:
            tokens.extend(_han_tokens(match.group("han")))
    return tokens


def query_tokens(text: str) -> list[str]:
    """The tokens of a query: as `tokenize`, each kept once, in first-seen order."""
    return list(dict.fromkeys(tokenize(text)))
