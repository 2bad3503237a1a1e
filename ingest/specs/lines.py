"""The model-line gazetteer (`data/specs/lines.toml`): each make's model lines, for car finding.

A line is a *candidate*, never a car of a text by itself: listing lines as aliases made every
mention of a listed model (a rival's too) one of a text's cars. What the gazetteer answers:

- where a model name after its make ends (`Lines.after`): "Porsche 718 Cayman GTS 4.0" is
  the 718 Cayman, "GTS 4.0" its version; "TOYOTA HILUX" names the Hilux though a word of
  capitals only is no name by its shape;
- which make a line written without one is (`Lines.alone`): "2026 EXPLORER ST-LINE" is a Ford
  when one make alone has an Explorer and the name is distinctive (not "500", "GT", "汉");
- which lines a Chinese text names, with or without the make (`Lines.chinese`: "宋PLUS",
  "星越L"), and the English name that gives the car its id ("byd-song-plus").

Where the title, headings and prose make a candidate a document's car is decided where the
cars of a document are found (`ingest.specs.taught`, `ingest.specs.lead_cars`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ingest.analysis import HAN

_HAN = re.compile(f"[{HAN}]")
_SPACE = re.compile(r"[\s\-]+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+:]*(?:-[A-Za-z0-9.+:]+)*")  # "F-150", "PRO-4X"
_CODE_END = r"(?![A-Za-z0-9])"  # "宋L" is not in "宋LX"; "旅行者" is in "旅行者2026款"
# a Chinese name followed by a model code is another model: "极光" is not in "极光X5" nor
# "海豹" in "海豹06"; "汉EV", "唐DM-i", "旅行者2026款" keep theirs (no code, or a year's 款)
_HAN_END = r"(?![A-Za-z]{0,3}\d(?!\d{3}款))"
# A word after a line that makes another line of it, as Chinese-market names do ("EU5 PLUS",
# "CS75 PLUS", "Song Pro", "Xiaolong MAX"), and "EV": the electric model sold under the name
# ("Bolt EV", `ingest.specs.taught_en`): no version, part of the name.
_LINE_SUFFIX = frozenset({"plus", "pro", "max", "+", "ev"})


def line_key(name: str) -> str:
    """How a line's name is compared: case, width, spaces and hyphens folded ("CX 5", "cx-5",
    "CX5" differ: a hyphen is dropped, not made a space, only where letters meet digits)."""
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    folded = re.sub(r"(?<=[a-z])[\s\-]+(?=\d)|(?<=\d)[\s\-]+(?=[a-z])", "", folded)
    return _SPACE.sub(" ", folded)


@dataclass(frozen=True, slots=True)
class Line:
    brand: str  # a brand id of the alias files
    name: str  # the English name: "Song PLUS", "718 Cayman"


@dataclass(slots=True)
class Lines:
    """The gazetteer, looked up by key (`line_key`)."""

    by_brand: dict[str, dict[str, Line]] = field(default_factory=dict)  # brand → key → line
    brands_of: dict[str, set[str]] = field(default_factory=dict)  # key → brands with it
    chinese_names: dict[str, list[Line]] = field(default_factory=dict)  # "宋plus" → lines
    longest: int = 1  # words of the longest English name
    _zh: re.Pattern[str] | None = None

    def add(self, brand: str, written: str) -> None:
        english, *chinese = (part.strip() for part in written.split("|"))
        if not english:
            return
        line = Line(brand, english)
        for name in (english, *chinese):
            key = line_key(name)
            if not key:
                continue
            self.by_brand.setdefault(brand, {}).setdefault(key, line)
            self.brands_of.setdefault(key, set()).add(brand)
            if _HAN.search(name):
                lines = self.chinese_names.setdefault(key, [])
                if line not in lines:
                    lines.append(line)
            else:
                self.longest = max(self.longest, len(key.split()))
        self._zh = None

    def line(self, brand: str, name: str) -> Line | None:
        """The line of `brand` named `name` exactly (any case, spacing, hyphens)."""
        return self.by_brand.get(brand, {}).get(line_key(name))

    def after(self, brand: str, text: str, start: int) -> tuple[int, Line] | None:
        """(end, line) of the longest line of `brand` whose English name `text` writes at
        `start` as whole words ("718 Cayman" in "718 Cayman GTS 4.0"), else None; a "PLUS",
        "Pro" or "MAX" after it is part of the name ("EU5 PLUS"), the end then after it."""
        own = self.by_brand.get(brand)
        if not own:
            return None
        words: list[tuple[str, int]] = []
        for m in _WORD.finditer(text, start):
            gap = text[words[-1][1] if words else start : m.start()]
            if (words and gap != " ") or (not words and gap) or len(words) == 4:
                break
            words.append((m.group().rstrip(".:"), m.start() + len(m.group().rstrip(".:"))))
        for n in range(min(len(words), self.longest), 0, -1):
            end = words[n - 1][1]
            line = own.get(line_key(text[start:end]))
            if line is not None and not _HAN.search(line.name):
                if n < len(words) and words[n][0].casefold() in _LINE_SUFFIX:
                    end = words[n][1]  # "EU5 PLUS": a line of its own
                return end, line
        return None

    def alone(self, name: str) -> Line | None:
        """The line `name` names without its make: one make's only, and distinctive (three
        characters or more with a letter, or two Chinese characters), else None."""
        key = line_key(name)
        brands = self.brands_of.get(key, set())
        if len(brands) != 1 or not distinctive(key):
            return None
        return self.by_brand[next(iter(brands))][key]

    def chinese(self, text: str) -> list[tuple[int, int, Line]]:
        """(start, end, line) of each Chinese line name in `text` that names one make's line,
        left to right, the longest first where two overlap."""
        if not self.chinese_names:
            return []
        if self._zh is None:
            names = sorted(self.chinese_names, key=len, reverse=True)
            self._zh = re.compile(
                "|".join(
                    re.escape(n) + (_CODE_END if n[-1].isascii() else _HAN_END) for n in names
                ),
                re.IGNORECASE,
            )
        found = []
        for m in self._zh.finditer(text):  # offsets into `text` as given (folded by callers)
            if m.start() > 0 and text[m.start() - 1].isascii() and text[m.start() - 1].isalnum():
                continue
            lines = self.chinese_names.get(m.group().casefold(), [])
            if len({line.brand for line in lines}) == 1 and distinctive(m.group()):
                found.append((m.start(), m.end(), lines[0]))
        return found


def distinctive(name: str) -> bool:
    """Whether a line's name says which line it is without its make: "Explorer", "718 Cayman",
    "宋PLUS", "宋L", "海豹"; not "500", "GT", "汉" (a word's character)."""
    han = len(_HAN.findall(name))
    if han:  # "宋L", "汉EV" name a line; "汉" alone is a word's character
        return han >= 2 or len(name) >= 2
    return len(name) >= 3 and any(c.isalpha() for c in name) and not name.isdigit()


def load_lines(tables: Iterable[Mapping[str, object]], brands: Mapping[str, str]) -> Lines:
    """The `[lines]` tables of the alias files: brand id → ["English|中文", …]; a brand the
    files do not know is left out."""
    lines = Lines()
    for table in tables:
        for brand, written in table.items():
            if brand not in brands or not isinstance(written, list):
                continue
            for entry in written:
                lines.add(brand, str(entry))
    return lines
