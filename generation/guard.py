"""Sensitive words: Aho-Corasick over a folded text, hits mapped back to the original.

The lists are files, one word a line, `#` comments: every `*.txt` of a folder (specrag ships
`data/sensitive_words/`) plus any extra files settings name. Text and words are folded the same
way before matching (`generation.guard_fold`): markup, width, case, accents, traditional
Chinese, digit forms (第1 = 第① = 第一), confusable letters (a Cyrillic "е"), leetspeak inside
Latin words ("b3st") and every separator ("最 好", "最*好", "最\u200b好" all hit 最好). Each
folded character remembers the original span it came from, so a hit is reported and masked
on the original span. A word that starts or ends with a Latin letter or a digit only hits on
a word boundary: "perfect" does not hit "imperfection", "number one" does not hit
"number one-third", "销量第一" does not hit "销量第10".

Policy is per business: a hit in the input (the brief) rejects the request with 422 naming
the words, or is allowed and reported; a hit in the output is masked, regenerated (the chain
re-asks the step naming the words to avoid, then masks what is left), or allowed and reported.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import ahocorasick
from pydantic import BaseModel, Field

from generation.errors import SensitiveInput
from generation.guard_fold import Folded, Folder

log = logging.getLogger(__name__)


class GuardHit(BaseModel):
    """One sensitive word found in a text."""

    word: str = Field(description="the list entry")
    text: str = Field(description="the span as written, e.g. '最 好' or 'Ｆｉｒｓｔ'")
    start: int = Field(description="start offset in the original text")
    end: int = Field(description="end offset (exclusive) in the original text")
    list: str = Field(description="the list the word came from, e.g. 'zh'")
    field: str | None = Field(
        default=None, description="where it was found: a brief field or a step"
    )


class GuardPolicy(BaseModel):
    """What to do with hits for one business."""

    input: Literal["reject", "allow"] = "reject"
    output: Literal["mask", "regenerate", "allow"] = "mask"
    max_regenerations: int = Field(default=1, ge=0, le=3)
    mask_char: str = Field(default="*", min_length=1, max_length=1)


class GuardReport(BaseModel):
    """The guard's part of a response: what was found and what was done."""

    policy: GuardPolicy = Field(default_factory=GuardPolicy)
    input_hits: list[GuardHit] = Field(default_factory=list)
    output_hits: list[GuardHit] = Field(default_factory=list)
    regenerated: list[str] = Field(default_factory=list, description="steps re-asked")
    masked: list[str] = Field(default_factory=list, description="steps masked")


@dataclass(frozen=True)
class _Entry:
    word: str
    normalised: str
    source: str


@cache
def _folder() -> Folder:
    return Folder()


def normalise(text: str) -> tuple[str, list[int]]:
    """The matching form of `text` and, per character of it, the original index it starts at."""
    folded = _folder().fold(text)
    return folded.text, folded.starts


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


_HYPHENS = frozenset("-\u2010\u2011")


def read_word_list(path: Path) -> list[str]:
    """The words in one list file: one a line, blank lines and `#` comments skipped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if word:
            words.append(word)
    return words


class Guard:
    """A compiled set of word lists. Build once; `scan` is safe to call from many threads."""

    def __init__(self, lists: Mapping[str, Iterable[str]]):
        self._folder = _folder()
        self._automaton = ahocorasick.Automaton()
        self.sizes: dict[str, int] = {}
        for source, words in lists.items():
            count = 0
            for word in words:
                key, _ = normalise(word)
                if not key:
                    log.warning(
                        "sensitive word %r in list %s is empty once normalised", word, source
                    )
                    continue
                if key not in self._automaton:
                    self._automaton.add_word(key, _Entry(word, key, source))
                    count += 1
            self.sizes[source] = count
        if len(self._automaton):
            self._automaton.make_automaton()

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Guard:
        """Lists from files, named by file stem ("zh.txt" → "zh")."""
        return cls({path.stem: read_word_list(path) for path in paths})

    @classmethod
    def from_folder(cls, folder: Path, extra: Iterable[Path] = ()) -> Guard:
        """Every `*.txt` list in `folder`, plus `extra` files."""
        return cls.from_files([*sorted(folder.glob("*.txt")), *extra])

    def __len__(self) -> int:
        return len(self._automaton)

    def scan(self, text: str, *, field: str | None = None) -> list[GuardHit]:
        """Every hit in `text`, in order of position, with its original span."""
        if not text or not len(self._automaton):
            return []
        folded = self._folder.fold(text)
        hits: list[GuardHit] = []
        for last, entry in self._automaton.iter(folded.text):
            first = last - len(entry.normalised) + 1
            start, end = folded.starts[first], folded.ends[last]
            if not self._on_boundary(text, folded, start, end, entry.normalised):
                continue
            while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me"):
                end += 1  # a combining mark on the hit's last letter goes with it
            hits.append(
                GuardHit(
                    word=entry.word,
                    text=text[start:end],
                    start=start,
                    end=end,
                    list=entry.source,
                    field=field,
                )
            )
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def _on_boundary(self, text: str, folded: Folded, start: int, end: int, key: str) -> bool:
        """A word that starts (ends) with a Latin letter or digit is not glued to another
        letter or digit before (after) it, nor joined to one by a hyphen ("one-third")."""
        if _ascii_alnum(key[0]) and self._joined(text, folded, start - 1, -1):
            return False
        return not (_ascii_alnum(key[-1]) and self._joined(text, folded, end, 1))

    def _joined(self, text: str, folded: Folded, index: int, step: int) -> bool:
        neighbour = self._visible(text, folded, index, step)
        if neighbour is not None and text[neighbour] in _HYPHENS:
            neighbour = self._visible(text, folded, neighbour + step, step)
        return neighbour is not None and self._folder.is_word_char(text[neighbour])

    @staticmethod
    def _visible(text: str, folded: Folded, index: int, step: int) -> int | None:
        while 0 <= index < len(text) and Folder.invisible(text, index, folded.hidden):
            index += step
        return index if 0 <= index < len(text) else None

    def mask(self, text: str, hits: Iterable[GuardHit], *, char: str = "*") -> str:
        """`text` with every hit's span masked by `char`, one per original character: spaces
        and markup tags inside a span are kept, combining marks go, an entity is one `char`."""
        folded = self._folder.fold(text)
        chars = list(text)
        for hit in hits:
            i = hit.start
            while i < hit.end:
                entity_end = folded.entities.get(i)
                if entity_end is not None:
                    chars[i:entity_end] = [char] + [""] * (entity_end - i - 1)
                    i = entity_end
                    continue
                if unicodedata.category(text[i]) in ("Mn", "Me"):
                    chars[i] = ""  # an accent left on a mask character would show
                elif not (chars[i].isspace() or folded.hidden[i]):
                    chars[i] = char
                i += 1
        return "".join(chars)


def words_of(hits: Iterable[GuardHit]) -> list[str]:
    """The distinct list entries hit, in order of first appearance."""
    return list(dict.fromkeys(hit.word for hit in hits))


def scan_fields(guard: Guard, fields: Mapping[str, str]) -> list[GuardHit]:
    """Hits in several named texts (the brief's fields), each hit naming its field."""
    hits: list[GuardHit] = []
    for name, value in fields.items():
        hits.extend(guard.scan(value, field=name))
    return hits


def check_input(guard: Guard, fields: Mapping[str, str], policy: GuardPolicy) -> list[GuardHit]:
    """The input's hits; SensitiveInput (422) when the policy rejects them."""
    hits = scan_fields(guard, fields)
    if hits and policy.input == "reject":
        words = words_of(hits)
        where = ", ".join(dict.fromkeys(h.field or "input" for h in hits))
        raise SensitiveInput(
            f"the request contains sensitive words ({where}): {', '.join(words)}",
            words=words,
            hits=hits,
        )
    return hits
