"""The lexical tokenizer shared by the BM25 writer (ingest) and reader (retrieval).

Spec tokens stay whole: `2.5L`, `1,498`, `L/100km`, `0-100`, `U2`, `G3i` each give one token
(lowercased), plus their parts where a query may spell them apart (`2.5` and `l`, `1498`,
`l` and `100km`), so "1.5 l" still meets "1.5L". English plurals are folded (`speakers` →
`speaker`) and function words dropped. Chinese has no spaces: each run of Han characters
becomes overlapping character bigrams (a one-character run stays a unigram). Tokens are
taken from the NFKC form of the text (full-width `０．２０８` reads as `0.208`); the stored
text is never changed.

Measured on the dev questions (4,299 chunks of the shared corpus), Chinese bigrams, unigrams
plus bigrams, jieba's `cut_for_search` and jieba plus bigrams all found the same Chinese
questions; bigrams need no dictionary (jieba loads one for about a second and writes a cache
file). Keeping spec-token parts gained 2 questions at recall@5 over whole tokens only,
stopwords 3, plural folding 1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Bump whenever the tokens produced for a text change: cached tokens are then redone.
TOKENIZER_VERSION = "2"

# Han ideographs (CJK unified + extension A + compatibility), as the body of a character
# class: what every "is this Chinese?" in specrag means (ingest, retrieval, generation).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")  # a run of Chinese: what `pinyin` writes as one word
# Han and Japanese kana: what BM25 reads as character bigrams.
_HAN = "\u3040-\u30ff" + HAN
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


def pinyin(text: str) -> str:
    """Chinese characters in pinyin, without tones, as one word ("海豹" → "haibao"; other
    characters as they are): how an id or an English sentence writes a Chinese name."""
    from pypinyin import lazy_pinyin  # its dictionaries load on first use

    return "".join(lazy_pinyin(text))


def has_han(text: str) -> bool:
    """Whether `text` holds a Han ideograph."""
    return _HAN_CHAR.search(text) is not None


def han_count(text: str) -> int:
    """How many Han ideographs `text` holds."""
    return len(_HAN_CHAR.findall(text))


# Function words that match everywhere and say nothing about a chunk.
STOPWORDS = frozenset(
    """a an and are as at be but by for from has have how if in into is it its of on or
    s such that the their then there these they this to was were what when where which
    who why will with does do did can you your i me my we our""".split()
)


def plural_stem(word: str) -> str:
    """Harman's "S" stemmer: `speakers` → `speaker`, `batteries` → `battery`.

    Only for plain alphabetic words longer than three letters; codes and units (`ps`, `kms`,
    `g3i`) are left alone. Weak on purpose: it merges plurals and little else.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


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
            tokens.extend(plural_stem(t) for t in _word_tokens(word) if t not in STOPWORDS)
        else:
            tokens.extend(_han_tokens(match.group("han")))
    return tokens


def query_tokens(text: str) -> list[str]:
    """The tokens of a query: as `tokenize`, each kept once, in first-seen order."""
    return list(dict.fromkeys(tokenize(text)))


def romanised(text: str) -> str:
    """`text` with each run of Chinese characters left in it written in pinyin, one
    capitalised word per run ("潮流 version" → "Chaoliu version", "4-seat Z潮 version" →
    "4-seat Z Chao version"): how an English sentence names a Chinese trim no term
    translates."""

    def word(match: re.Match[str]) -> str:
        start, end = match.span()
        before = " " if start and text[start - 1].isalnum() else ""
        after = " " if end < len(text) and text[end].isalnum() else ""
        return f"{before}{pinyin(match.group()).capitalize()}{after}"

    return HAN_RUN.sub(word, text)
