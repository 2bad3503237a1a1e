"""English prose figures whose attribute a word after them gives (`worded_figures`).

"The 2.5-liter is rated at 26/33/29 mpg" (EPA's city/highway/combined order), "returns 27 mpg
city, 34 highway and 29 combined" (each figure its own word), "measure 176.4 inches long and
70.9 inches wide" (a length, then a width): the label the other readers look for before a
figure comes after it, or is the order US writing gives a slash list of economies.
"""

from __future__ import annotations

import re

from ingest.specs.ordered import economy_words, epa_triples
from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary
from ingest.specs.wrap import line_start

_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?!\s|$))+(?:[.!?](?=\s|$)|\n|$)")
# a length figure, then the dimension it is: "176.4 inches long", "1,623 mm tall"
_POSTFIX = re.compile(
    r"(?P<fig>\d[\d,]*(?:\.\d+)?\s*(?:inches|inch|in\.?|mm|millimet(?:re|er)s|feet|ft))"
    r"\s+(?P<word>long|in length|wide|in width|tall|high|in height)\b",
    re.IGNORECASE,
)
_DIMENSION = {"long": "length", "wide": "width", "tall": "height", "high": "height"}


def worded_figures(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The economies and dimensions each sentence of `text` outside `skip` words after its
    figures; each fact's evidence is its sentence."""
    out: list[Found] = []
    for m in _SENTENCE.finditer(text):
        a, b = m.start(), m.end()
        if any(s < b and a < e for s, e in skip):
            continue
        economies = epa_triples(text, a, b)
        for key, value in economies:
            start = _clause_start(text, a, value.start)
            out.append(Found(key, value, start, b, _subject(vocab, text, start, value.start)))
        run = [] if economies else economy_words(text, a, b)
        if run:  # "rated 25 city, 32 highway": one clause, its subject before the first figure
            start = _clause_start(text, a, run[0][1].start)
            subject = _subject(vocab, text, start, run[0][1].start)
            out += [Found(key, value, start, b, subject) for key, value in run]

        for d in _POSTFIX.finditer(text, a, b):
            key = _DIMENSION[
                d.group("word")
                .split()[-1]
                .lower()
                .replace("length", "long")
                .replace("width", "wide")
                .replace("height", "tall")
            ]
            attr = vocab.attributes.get(key)
            values = (
                read(attr, text, d.start("fig"), d.end("fig"), None, bare=False) if attr else []
            )
            if len(values) == 1:  # "The JB64 is 3,395 mm long": the JB64's
                start = _clause_start(text, _sentence_start(text, a), d.start())
                out.append(Found(key, values[0], a, b, _subject(vocab, text, start, d.start())))
    return out


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding `at` starts, over the wrapped lines before it."""
    start = line_start(text, at)
    ends = [m.end() for m in re.finditer(r"[.!?]\s", text[start:at])]
    return start + ends[-1] if ends else start


def _clause_start(text: str, start: int, at: int) -> int:
    """Where the clause of a figure at `at` starts: after the last ", and"/"; " before it
    ("The 2.5-liter is rated at 26/33/29 mpg, and the Wilderness … at 25/28/26 mpg")."""
    cuts = [m.end() for m in re.finditer(r",\s+(?:and|while|whereas|but)\s+|;\s+", text[start:at])]
    return start + cuts[-1] if cuts else start


# the clause's subject ends at its verb: "The 2.5-liter is rated at", "the Wilderness … at",
# "The Nexon measures"; a comma ends it too, but not one inside a figure ("3,995 mm")
_VERB = re.compile(
    r",(?!\d{3}\b)|\s(?:is|are|was|were|returns?|gets?|achieves?|manages?|delivers?|rated|"
    r"earns?|at|rates?|quotes?|says|claims?|estimates?|lists?|measures?|stands?|spans?)\b"
)
# who rates a figure, not what it is of: "The EPA rates it at …", "WLTP quotes …"
_RATERS = frozenset({"epa", "wltp", "nedc", "cltc", "we", "the epa", "our test"})
# a code's possessive as a clause's subject: "the JB74's wider wheel arches take it to …"
_POSSESSIVE = re.compile(r"(?P<n>[A-Z][A-Za-z]*\d[\w-]*|[A-Z]{2,}[\w-]*)['’]s\s")
_RATING_VERB = re.compile(r"rates|quotes|says|claims|estimates|lists", re.IGNORECASE)
_ARTICLE = re.compile(r"^\s*(?:(?:and|while|but|whereas)\s+)?(?:the|a|an|its)\s+", re.IGNORECASE)


def _subject(vocab: Vocabulary, text: str, start: int, at: int) -> str | None:
    """The short name a clause's subject gives its figure ("2.5-liter", "Wilderness"), or
    None when the clause has no such subject ("It returns …", "Fuel economy is …")."""
    clause = _ARTICLE.sub("", text[start:at])
    owner = _POSSESSIVE.match(clause)
    if owner is not None:  # "the JB74's wider arches take it to 3,480 mm long"
        return owner.group("n")
    verb = _VERB.search(clause)
    if verb is not None and _RATING_VERB.fullmatch(verb.group().strip()):
        return None  # "Mazda rates my trim at …": who rates the figure, not what it is of
    name = clause[: verb.start()].strip() if verb else ""
    name = re.sub(r"\s+(?:engine|model|trim|version)$", "", name)
    if not name or len(name.split()) > 4 or not re.search(r"\d|^[A-Z]", name):
        return None
    if name.lower() in {"it", "this", "that", "they", "both", "all", "each"} | _RATERS:
        return None
    if vocab.lookup(name):
        return None  # a pronoun, or the figure's own label ("Fuel economy is rated at …")
    return name
