"""Versions an English text names in words and then speaks of in its sentences (`Spoken`).

An FAQ or review names a car's versions in Title Case ("the Single Motor Extended Range",
"the Twin Motor Performance") and gives their figures in sentences whose subject is the
version: "The Single Motor uses a 51 kWh battery", "The Extended Range and the Twin Motor
Performance share a 69 kWh battery", "£38,850 for the Single Motor Extended Range". A
version's name is read from its shape and repetition, not from a list:

- a run of two to four capitalised words the document writes at least twice, without the
  words the document also writes in lower case before it ("The", "In") and without the car's
  own name ("Grand Cherokee", "Volvo"), and not only ever after a preposition (a place:
  "in the United States");
- a run that ends a longer version's name is that version shortened ("the Extended Range"
  for "the Single Motor Extended Range"); one that starts it is a version of its own ("the
  Single Motor");
- a table whose first column heads its rows' trims ("| Trim | Engine | …") declares them
  whatever their case ("SE L iV"), and a trim's last word, when a code only it ends with,
  names it shortened ("the iV's fuel tank").

A figure of no version in a clause whose subject names versions is theirs: one version, or
several joined by "and" or commas ("The Single Motor and Single Motor Extended Range both
produce …"), each; a figure "for the …" a version is that version's; a clause opening with
"it" or "its" is about the versions the clause before named. A clause naming two
versions apart ("The Twin Motor Performance, which has the battery of the Extended Range,
…") gives none: a figure not surely a version's keeps no version.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ingest.specs.shapes import Found

_RUN = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){1,4}(?![\w-])")
_CLAUSE = re.compile(r"[.!?;:][*_)\]\"'”’]*(?=\s|$)|\n")
_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?$", re.IGNORECASE)
_PRONOUN = re.compile(r"\s*(?:it|its|they|their)\b", re.IGNORECASE)
_FOR = re.compile(r"\s+for\s+(?:the\s+)?", re.IGNORECASE)
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
_TIMES = 2  # a name the document writes this often is a version's
# a table whose first column names its rows' trims: "| Trim | Engine | Power |"
_TRIM_HEAD = re.compile(
    r"^\|\s*(?:trim|version|variant|grade|derivative|edition)s?\s*\|", re.I | re.M
)
# a last word that is a code, so it names its trim alone: "iV", "TDI", "e-TEC" (not "Sport")
_CODE = re.compile(r"\s(?:\S*[a-z]\S*[A-Z]\S*|[A-Z]{2,}|\S+-\S+)$")


class Spoken:
    """The versions a document names (see the module's docstring)."""

    def __init__(self, texts: list[str], car_words: set[str]) -> None:
        whole = "\n".join(texts)
        lower = set(_LOWER_WORD.findall(whole))  # the words the document writes in lower case
        counts: Counter[str] = Counter()
        for m in _RUN.finditer(whole):
            words = m.group().split()
            while words and words[0].lower() in lower:  # a sentence's "The", "In"
                words = words[1:]
            if len(words) >= 2 and not any(w.casefold() in car_words for w in words):
                counts[" ".join(words)] += 1
        names = {n for n, c in counts.items() if c >= _TIMES and _subject(n, whole)}
        self.full = {n: self._longer(n, names) for n in names}
        rows = _row_names(whole)  # a table's trims, and their last words where only theirs
        self.full.update({n: n for n in rows})
        lasts = Counter(n.split()[-1] for n in rows if len(n.split()) > 1)
        self.full.update(
            {n.split()[-1]: n for n in rows if lasts[n.split()[-1]] == 1 and _CODE.search(n)}
        )
        names = set(self.full)
        # longest first, so "Single Motor Extended Range" is read before "Single Motor"
        self._pattern = (
            re.compile("|".join(rf"\b{re.escape(n)}\b" for n in sorted(names, key=len)[::-1]))
            if names
            else None
        )

    @staticmethod
    def _longer(name: str, names: set[str]) -> str:
        longer = [n for n in names if n != name and n.endswith(" " + name)]
        return longer[0] if len(longer) == 1 else name

    def spoken(self, text: str, found: list[tuple[Found, bool]]) -> list[tuple[Found, bool]]:
        """`found` with each sentence's figure of no variant (or of the one version a reader
        read before it) given the versions its clause speaks of, one fact per version."""
        if self._pattern is None:
            return found
        out: list[tuple[Found, bool]] = []
        for f, prose in found:
            mine = f.variant is None or f.variant in self.full  # a reader's nearest version
            names = self._of(text, f) if prose and mine else []
            if f.variant is not None and self.full.get(f.variant) not in names:
                names = []
            out += [(replace(f, variant=n), prose) for n in names] or [(f, prose)]
        return out

    def _of(self, text: str, found: Found) -> list[str]:
        assert self._pattern is not None
        after = _FOR.match(text, found.value.end)
        if after is not None:
            m = self._pattern.match(text, after.end())
            if m is not None:
                return [self.full[m.group()]]
        cuts = [
            m.end()
            for m in _CLAUSE.finditer(text, 0, found.value.start)
            if m.group() != "\n" or not _wrap(text, m.start())  # a hard wrap is no end
        ]
        start = cuts[-1] if cuts else 0
        hits = list(self._pattern.finditer(text, start, found.value.start))
        if not hits and cuts and _PRONOUN.match(text, start):
            # "…; it charges at up to 11 kW": the clause before names what "it" is
            hits = list(self._pattern.finditer(text, cuts[-2] if len(cuts) > 1 else 0, start))
        if not hits:
            return []
        for a, b in zip(hits, hits[1:], strict=False):
            if not _JOINER.fullmatch(text[a.end() : b.start()] + " "):
                return []  # two versions apart: which one the figure is of is not said
        return list(dict.fromkeys(self.full[h.group()] for h in hits))


def _wrap(text: str, at: int) -> bool:
    """Whether the line break at `at` only wraps a sentence: words go on after it, in the
    next line of the same paragraph (a capital too: "…and the\nTwin Motor Performance")."""
    return at > 0 and text[at - 1].isalnum() and _GOES_ON.match(text, at + 1) is not None


_GOES_ON = re.compile(r"[ \t]*[A-Za-z0-9(£$€]")


def _row_names(text: str) -> set[str]:
    """The first cells of the rows of each table whose head names its rows' trims."""
    out: set[str] = set()
    for head in _TRIM_HEAD.finditer(text):
        for line in text[head.end() :].split("\n")[1:]:
            if not line.startswith("|"):
                break
            cell = line.split("|")[1].strip()
            if cell and not set(cell) <= set("-: "):
                out.add(cell)
    return out


def _subject(name: str, text: str) -> bool:
    """Whether the text names `name` once other than after a preposition: a place ("in the
    United States", every time) is no version; "The Single Motor uses …" is one."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
        if _AFTER_PREPOSITION.search(text, max(0, m.start() - 20), m.start()) is None:
            return True
    return False


_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|at|from|across|throughout|within|outside|to)\s+(?:the\s+)?$", re.IGNORECASE
)
