"""Answers quoted from passages: the sentence of a car's passage that answers a question.

The embedded model does not write answers about a car; what no fact covers is quoted from the
car's passages instead, with its citation: the first sentence (or spec-sheet row) that names an
asked attribute in one of its ways ("Range (WLTP): 320 km"), or, for a question that asks for
no attribute ("Does it have a heat pump?"), the sentence holding most of the question's content
words, at least half of them. Wrapped lines are joined back into their sentence first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from ingest.specs.vocabulary import normalise

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A line that continues the sentence above (it starts in lower case): joined back to it.
_CONTINUED = re.compile(r"[ \t]*\n[ \t]*(?=[a-z0-9(])")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])|\n+")
MAX_QUOTE = 300  # characters of a passage quoted as an answer
MIN_QUOTE = 8  # letters it holds besides the attribute's name, when it holds no figure
# Words that ask rather than say what is asked about.
_STOP = frozenset(
    """what which who whom whose when where why how does did done doing are was were the its
    this that these those have has had can could would should will shall with for about from
    into onto and but not any there their them they you your tell give show much many more
    most please know like get got also than then some very just one car cars model models
    documents document say says said there here does do any all each other such only own
    same both few yes really""".split()
)
# Characters that ask in Chinese (what, how much, whether, it, this…): a question's content
# is what is left between them.
_ZH_STOP = set(
    "的吗呢么吧了是有没它这那请问个款车怎样多少什如何能会可以一下介绍和与及或在吗？，。、"
)


def plain(text: str) -> str:
    """`text` as names and words are matched: NFKC, lower case, punctuation as spaces."""
    return normalise(unicodedata.normalize("NFKC", text))


def sentences(text: str) -> list[str]:
    """The sentences and rows of a passage, wrapped lines joined."""
    return [s for s in _SENTENCES.split(_CONTINUED.sub(" ", text)) if s.strip()]


def tidy(piece: str) -> str:
    """A sentence as quoted: table bars and runs of spaces out, at most `MAX_QUOTE` long."""
    text = " ".join(piece.replace("|", " ").split())
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"


def _has(plain_text: str, word: str, *, whole: bool = False) -> bool:
    """Whether `plain_text` holds `word` at a word's start (a label's plural counts), or as a
    whole word with `whole`."""
    if _CJK.search(word):
        return word in plain_text
    end = "(?![a-z0-9])" if whole else ""
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}{end}", plain_text) is not None


def naming(
    text: str, names: Iterable[str], *, words: Iterable[str] = (), labelled: bool = False
) -> str | None:
    """The first sentence of `text` that names an attribute by one of `names` (folded) or,
    as whole words, `words` (its own words: "tow" is not "town"), and says more than the
    name: a figure, or some words ("Engine" alone is a heading); with `labelled`, only a row
    naming it in its label ("DC charging: 80 kW peak, 10-80% in 28 minutes", not a sentence
    mentioning "fast charging" by the way); None when none does."""
    names, words = list(names), list(words)
    for piece in sentences(text):
        label, colon, _ = piece.partition(":") if ":" in piece else piece.partition("：")
        if labelled and not colon:
            continue
        flat = plain(label if labelled else piece)
        named = [n for n in names if _has(flat, n)]
        named += [w for w in words if _has(flat, w, whole=True)]
        flat = plain(piece)
        rest = re.sub(r"\W", "", flat.replace(max(named, key=len), "")) if named else ""
        if len(rest) >= MIN_QUOTE or re.search(r"\d", rest):
            return tidy(piece)
    return None


def content_words(question: str) -> list[str]:
    """What a question asks about: its English words of three letters or more that are not
    asking words, and the two-character runs of its Chinese between asking characters."""
    flat = plain(question)
    words = [w for w in re.findall(r"[a-z][a-z0-9-]{2,}", flat) if w not in _STOP]
    for run in re.findall(r"[\u4e00-\u9fff]+", flat):
        part = ""
        for ch in [*run, "的"]:
            if ch in _ZH_STOP:
                words += [part[i : i + 2] for i in range(len(part) - 1)]
                part = ""
            else:
                part += ch
    return list(dict.fromkeys(words))


def matching(texts: Sequence[str], words: Sequence[str]) -> tuple[int, str] | None:
    """(index of the text, its sentence) holding most of `words`, at least half of them
    (the earlier text on a tie); None when no sentence does."""
    if not words:
        return None
    need = max(1, (len(words) + 1) // 2)
    best: tuple[int, int, str] | None = None
    for index, text in enumerate(texts):
        for piece in sentences(text):
            flat = plain(piece)
            score = sum(_has(flat, w) for w in words)
            if score >= need and (best is None or score > best[0]):
                best = (score, index, piece)
    return (best[1], tidy(best[2])) if best else None
