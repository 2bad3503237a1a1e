"""English model names after a known make that no alias file lists (`english_named`).

A headline such as "2025 Mazda CX-50 Hybrid arrives with more power" names the Mazda CX-50;
read word by word to a list of stop words, it named a car "Mazda CX-50 Hybrid arrives". Where
an English model name ends is read here from its shape and from how the document repeats it,
as `ingest.specs.taught` reads a Chinese one:

- the name starts right after the make (and a "New"): a code ("CX-50", "EV9", "ID.4",
  "F-150", "GV70": a digit, a hyphen, a capital inside, or capitals only) or a capitalised
  word; a lower-case word ("Kia announced", "Ford's") starts none, nor a word of the maker's
  organisation ("Ford Motor Company", "Kia America");
- a plain capitalised word ("Outback", "Telluride") is a name only when the document writes
  it, capitalised, more than once (a verb of a title, "Kia Unveils …", is not repeated), or
  after a model year ("2023 Honda Passport EX-L", a listing's heading: no verb has a year);
- the name goes on by a word while the document writes the longer name more than once and
  about as often as the shorter ("Santa Fe", "Equinox EV", "Grand Cherokee"); it ends where
  it writes it once ("EV9 GT-Line priced") or also writes
  the shorter alone: "Telluride" against "Telluride SX" (a trim), "CX-50" against
  "CX-50 Hybrid" (a powertrain); "EV" after a model goes on however often the text
  shortens it ("Equinox EV" against "the Equinox"): it names the electric model sold under
  that name, not a powertrain of the other; so does a lower-case code of one letter and a
  hyphen ("Q4 e-tron", written twice), while "Q4 40" and "Q4 45" shorten its versions;
- in a line written all in capitals ("RIVERBEND SUBARU - USED & NEW"), capitals are the
  writing's, not the name's: a word of capitals only is no code there, unless a model year
  stands before the make ("2026 MITSUBISHI OUTLANDER PHEV") or the document writes it
  capitalised elsewhere ("Ridgeline");
- a title's first part may be the make and the model alone ("CUPRA Formentor: UK press kit"):
  a capitalised word before a colon or a spaced dash names the model when the document never
  writes it in lower case;
- a form's field whose label names the model ("YEAR/MAKE/MODEL ..... 2025 SUBARU OUTBACK",
  "Model: Outback") gives its value as a title does (`model_fields`).
"""

from __future__ import annotations

import re
from typing import Protocol

from ingest.specs.cars import GAP, TITLE_WORDS, CarIndex

# a word of a model name: letters and digits, joined by ".", "+" or "-" ("ID.4", "F-150")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*(?:-[A-Za-z0-9.+]+)*")
# one space, then a capital or a digit, or a lower-case code of one letter and a hyphen
_NEXT = re.compile(r" (?=[A-Z0-9]|[a-z]-[A-Za-z0-9])")
_GLUED = re.compile(r"[a-z]-[A-Za-z0-9]+")  # "e-tron": a maker's family word, never a verb
# a code: a digit, a hyphen, a capital after a small letter, or two capitals and no small one
_CODE = re.compile(r"\d|-|(?<=[a-z])[A-Z]|^[A-Z]{2,}[0-9+]*$")
_YEAR = re.compile(r"(?:19|20)\d\d")
# what ends a title's first part: a colon, a dash or bar between spaces ("Kia Hatch: review")
_SEPARATOR = re.compile(r"[ \t]*(?::|[ \t][-–—|][ \t]|[|–—])")
# a form's field naming the model: a label with the word "model", dot leaders or a colon
_MODEL_FIELD = re.compile(
    r"^[ \t]*[A-Za-z/&, \t]*\bmodel\b[A-Za-z/&, \t]*?(?:[ \t]*\.{2,}[ \t]*|[ \t]*:[ \t]*)(\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_WORDS = 4  # words of a model name at most ("Grand Cherokee L", "Model 3 Long Range")
_LONGER = 0.75  # the longer name's share of the shorter's uses for the name to go on
# A maker's organisation and markets after its make (any case): a company's words, no model's.
_ORGANISATION = frozenset(
    {
        "motor",
        "motors",
        "company",
        "corporation",
        "corp",
        "group",
        "inc",
        "ltd",
        "llc",
        "automotive",
        "automobile",
        "cars",
        "north",
        "america",
        "american",
        "usa",
        "us",
        "uk",
        "canada",
        "europe",
        "india",
        "japan",
        "china",
        "korea",
        "global",
        "international",
        "dealer",
        "dealers",
        "financial",
        "services",
    }
)
# Capitals that follow a make without naming a model: a body type, an officer, a press unit.
_NOT_CODES = frozenset({"SUV", "SUVS", "MPV", "CEO", "CTO", "CFO", "COO", "VP", "PR", "USA", "EV"})
NOT_NAMES = _ORGANISATION | _NOT_CODES  # words after a make or "the" that name no model or trim


class Counts(Protocol):
    text: str


class EnglishWhole:
    """How often the document writes a name as a whole word, capitals as given; a line
    written more than once (the title again as a heading, a running header) counts once."""

    def __init__(self, whole: Counts) -> None:
        self.text = "\n".join(dict.fromkeys(line.strip() for line in whole.text.split("\n")))
        self._counts: dict[str, int] = {}

    def count(self, name: str) -> int:
        if name not in self._counts:
            # a word joined on by a hyphen is another word ("GR" is not in "GR-Four")
            bounded = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9]|-\w)")
            self._counts[name] = sum(1 for _ in bounded.finditer(self.text))
        return self._counts[name]

    def capitalised(self, word: str) -> int:
        """How often the document writes `word` in any case that starts with a capital."""
        found = re.findall(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", self.text, re.I)
        return sum(1 for w in found if w[0].isupper())


def english_named(
    index: CarIndex, text: str, whole: EnglishWhole, known: set[str] | None, *, title: bool = False
) -> list[tuple[str, str, str]]:
    """(brand id, make as written, model name) of each known make in the English `text`
    followed by a model name no alias file lists; the listed cars it names go to `known`.
    A `title` may name a model it does not repeat when it is only the make and model, and
    words titles add ("Kia Hatch", "Toyota Sequoia Specifications")."""
    out: list[tuple[str, str, str]] = []
    for hit in index.find(text):
        if hit.car is not None:
            if known is not None:
                known.add(hit.car)
            continue
        gap = GAP.match(text, hit.end)
        start = gap.end() if gap else hit.end
        if start == hit.end:
            continue  # "Kia's": nothing after the make starts a name
        dated = re.search(r"(?<!\d)(?:19|20)\d\d[ \t]+$", text[: hit.start]) is not None
        # a line of the make's in the gazetteer is a name, and ends where the line does
        # ("TOYOTA HILUX", "Porsche 718 Cayman GTS 4.0": the rest is a version)
        line = index.lines.after(hit.brand, text, start)
        name = text[start : line[0]] if line else None
        name = name or model_after(text, start, whole, title=title, dated=dated)
        if name:
            out.append((hit.brand, text[hit.start : hit.end].strip(), name))
    return out


def model_after(
    text: str, start: int, whole: EnglishWhole, *, title: bool = False, dated: bool = False
) -> str | None:
    """The model name at `start`, right after a make (see the module's docstring)."""
    m = _WORD.match(text, start)
    if m is None:
        return None
    name = m.group().rstrip(".")
    end = start + len(name)
    line_end = text.find("\n", start)
    line = text[text.rfind("\n", 0, start) + 1 : line_end if line_end >= 0 else len(text)]
    shouted = re.search(r"[a-z]", line) is None and not dated  # "2026 HONDA RIDGELINE": named
    if not _starts_name(name, whole, shouted=shouted) and not (
        (dated or title and _title_rest(text, end, name, whole))
        and not shouted
        and _could_name(name)
    ):
        return None
    for _ in range(_WORDS - 1):
        space = _NEXT.match(text, end)
        more = _WORD.match(text, space.end()) if space else None
        if more is None:
            break
        word = more.group().rstrip(".")
        longer = f"{name} {word}"
        if word.lower() in _ORGANISATION or word.lower() in TITLE_WORDS:
            break
        # once says nothing; "EV" after a model names the electric model sold under it
        # ("Equinox EV", "Blazer EV"), however often the text shortens it ("the Equinox")
        share = 0.0 if word == "EV" or _GLUED.fullmatch(word) else _LONGER
        if whole.count(longer) < max(2, share * whole.count(name)):
            break
        name, end = longer, more.start() + len(word)
    return name


def _title_rest(text: str, end: int, name: str, whole: EnglishWhole) -> bool:
    """Whether a title holds after a name only words titles add and years: a plain word
    before them was the model ("Kia Hatch", "Toyota Sequoia - specifications"), no verb. A
    title's first part may end at the name ("CUPRA Formentor: UK press kit", "Kia Hatch |
    Owners' notes"): the make and the model are that part, when the document never writes
    the word in lower case (a verb or a noun is: "Ford Recall: …", "a recall")."""
    cut = _SEPARATOR.match(text, end)
    if cut is not None and whole.count(name.lower()) == 0:
        return True
    return all(w.lower() in TITLE_WORDS or _YEAR.fullmatch(w) for w in _WORD.findall(text, end))


def _could_name(word: str) -> bool:
    """A capitalised word or a code, not a company's, a title's, a body type or a year."""
    if not (word[0].isupper() or word[0].isdigit() or re.search(r"\d|[A-Z]", word)):
        return False  # "Kia announced"; a code may start lower-case ("e-208", "bZ4X", "iX3")
    if word.lower() in _ORGANISATION or word.lower() in TITLE_WORDS:  # "Toyota Car Sales"
        return False
    return word.upper() not in _NOT_CODES and not (word.isdigit() and _YEAR.fullmatch(word))


def _starts_name(word: str, whole: EnglishWhole, *, shouted: bool = False) -> bool:
    if shouted:  # "RIDGELINE": a name when also written with a capital elsewhere, in any case
        return _could_name(word) and (
            bool(re.search(r"\d|-", word)) or whole.capitalised(word) >= 2
        )
    return _could_name(word) and (bool(_CODE.search(word)) or whole.count(word) >= 2)


def model_fields(texts: list[str]) -> list[str]:
    """The values of a form's fields that name the model ("YEAR/MAKE/MODEL ..... 2025 SUBARU
    OUTBACK" → "2025 SUBARU OUTBACK")."""
    return [m.group(1).strip() for text in texts for m in _MODEL_FIELD.finditer(text)]


def as_written(words: str, whole: EnglishWhole) -> str:
    """`words` (a file name's, in any case: "kia_ev9_press_kit") with each word spelt as
    the document spells it most often, hyphens included ("etron" → "e-tron"), else
    capitalised ("Kia EV9 Press Kit")."""
    spelt = []
    for word in words.split():
        # a file name drops the hyphens a name is written with ("cx50", "etron" for "e-tron")
        loose = "-?".join(map(re.escape, word))
        found = re.findall(rf"(?<![A-Za-z0-9-]){loose}(?![A-Za-z0-9-])", whole.text, re.I)
        spelt.append(max(sorted(set(found)), key=found.count) if found else word.capitalize())
    return " ".join(spelt)
