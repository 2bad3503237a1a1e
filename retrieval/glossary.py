"""Query expansion from a bilingual car-spec glossary.

Spec documents and the people who query them use different words for one thing ("top speed"
and "Max. Speed", "how heavy" and "kerb weight") and different languages (轴距 and
"wheelbase"; the index holds English brochures and Chinese news). BM25 only meets words it
sees, and the default embedder reads English only, so a query is also searched with the other
terms of every glossary group it mentions: the lexical side gets them all; the vector side gets
a second query in the other language when the query names terms that have one (a Chinese
question about an English manual).

The glossary is a text file, one group per line, terms separated by `|` (see
`data/glossary/car_terms.txt`). English terms match whole words, case-insensitively; Chinese
terms match as substrings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.analysis import has_han


@dataclass(frozen=True, slots=True)
class Expansion:
    """What a query adds: for each glossary group it mentions, the group's other terms;
    `named`, the terms it mentions (normalised)."""

    groups: tuple[tuple[str, ...], ...] = ()
    named: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for group in self.groups for t in group))

    @property
    def english(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if not has_han(t))

    @property
    def chinese(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if has_han(t))

    def split(self, chinese_query: bool) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Per group: (terms in the query's language, terms in the other)."""
        parts = []
        for group in self.groups:
            zh = tuple(t for t in group if has_han(t))
            en = tuple(t for t in group if not has_han(t))
            parts.append((zh, en) if chinese_query else (en, zh))
        return parts


@dataclass(slots=True)
class Glossary:
    groups: list[tuple[str, ...]] = field(default_factory=list)
    _english: re.Pattern[str] | None = None
    _by_term: dict[str, list[int]] = field(default_factory=dict)
    # A Chinese term of `VARIANT_MIN` characters or more with one character blanked → its
    # groups: 拖拽能力 reads as 拖曳能力, 整备重量 as 整备质量 (one character apart).
    _variants: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a glossary file; a malformed line is a ValueError naming the file and line."""
        groups = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            terms = tuple(dict.fromkeys(_norm(t) for t in line.split("|") if t.strip()))
            if len(terms) < 2:
                raise ValueError(f"{path}:{number}: a group needs at least two terms: {raw!r}")
            groups.append(terms)
        return cls.from_groups(groups)

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]]) -> Glossary:
        glossary = cls([tuple(_norm(t) for t in g) for g in groups])
        english = set()
        for index, group in enumerate(glossary.groups):
            for term in group:
                glossary._by_term.setdefault(term, []).append(index)
                if not has_han(term):
                    english.add(term)
                elif len(term) >= VARIANT_MIN:
                    for key in _blanked(term):
                        glossary._variants.setdefault(key, set()).add(index)
        if english:
            # Longest first, so "max power" wins over "power" where both could start.
            alternatives = "|".join(re.escape(t) for t in sorted(english, key=len, reverse=True))
            glossary._english = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
        return glossary

    def expand(self, query: str) -> Expansion:
        """The terms to add to `query`: every other term of each group it mentions."""
        text = _norm(query)
        found: set[str] = set()
        if self._english is not None:
            found.update(m.group(0) for m in self._english.finditer(text))
        variants: set[int] = set()
        if has_han(text):
            found.update(t for t in self._by_term if has_han(t) and t in text)
            variants = self._variant_groups(text, found)
        indexes = sorted(variants | {i for term in found for i in self._by_term[term]})
        groups = (tuple(t for t in self.groups[i] if t not in found) for i in indexes)
        return Expansion(tuple(g for g in groups if g), tuple(sorted(found)))

    def _variant_groups(self, text: str, found: set[str]) -> set[int]:
        """Groups a run of the text names one character apart from a term, when that run
        is no term itself and the blank leaves one group (?轮驱动 is 前, 后 or 全轮驱动)."""
        groups: set[int] = set()
        lengths = {len(key) for key in self._variants}
        for length in lengths:
            for start in range(len(text) - length + 1):
                run = text[start : start + length]
                if run in self._by_term or not has_han(run) or any(run in t for t in found):
                    continue
                for key in _blanked(run):
                    named = self._variants.get(key, set())
                    if len(named) == 1:
                        groups |= named
        return groups


VARIANT_MIN = 4


def _blanked(term: str) -> list[str]:
    return [term[:i] + "\0" + term[i + 1 :] for i in range(len(term))]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()
