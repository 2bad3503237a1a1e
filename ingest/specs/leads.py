"""Trims named once at the head of a post, paragraph or list item (`lead_trims`).

An owner's post, a buyer's-guide paragraph or a list item often names its car and trim once,
before any figure ("2025 Toyota Sienna XLE AWD, Celestial Silver. It's hybrid only: … 245 hp",
"Ours is the 2025 Honda Odyssey EX-L. … 280 hp", "My sister has a Pacifica Touring L: … 287
hp", "I had the Mazda, the 2.5 S Select Sport. … 191 horsepower"), and every figure after it
is that trim's. Such a lead is the first car a paragraph names, with no figure before it but
a model year, followed by capitalised words or codes (or an apposition of them) up to a
punctuation mark: those words are the trim. It holds for that car's figures until the post
ends (a rule line: "-----"), or a later paragraph names the car again at its head (with
another trim, or none: "My previous van was a 2016 Odyssey …" is not the EX-L). The section's
end ends it too: each section has its own scope.

A post whose lead names a make whose model no alias file knows ("Ours is the 2024 Kia Carnival
SX") is about a car the text cannot name: its figures are no known car's (`unknown_posts`),
not the thread's car's, until the post ends.
"""

from __future__ import annotations

import re

from ingest.specs.cars import Hit
from ingest.specs.subheads import GROUP_WORDS, TITLE_END, model_words

# Where a paragraph starts: a blank line, a rule line, a list item's marker
_PARAGRAPH = re.compile(r"\n[ \t]*\n[ \t]*|\n[ \t]*(?=[-*•][ \t]|\d{1,2}[.)][ \t])")
# A rule line between posts or parts ("-----", "=====", "* * *", "───")
_RULE = re.compile(r"^[ \t]*(?:([-=_*~─━])[ \t]*)\1(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
# What may come before a lead's car in its paragraph: no figure but a model year
_FIGURE = re.compile(r"(?<![\w#@])(?!(?:19|20)\d\d\b)\d")
# The trim after the car's name: capitalised words or codes ("XLE AWD", "EX-L", "Plug-In
# Hybrid Pinnacle", "Touring L", "Design 1.2"), then a punctuation mark or the line's end
_TRIM_WORD = r"(?:[A-Z][A-Za-z0-9+'-]*|\d[\w+-]*[A-Za-z][\w+-]*|\d\.\d(?![\w.]))"  # or a size
# …or the verb of the sentence the car and trim are the subject of ("The Kia K4 LXS uses …")
_VERBS = "is|has|uses|carries|gets|makes|comes|offers|pairs|runs|swaps|adds"
_VERB = rf"(?<=[ \t])(?:{_VERBS})\b"
_VERB_ENDS = tuple(_VERBS.split("|"))
_TRIM = re.compile(
    rf"(?:[ \t]*,[ \t]*(?:the|a|an)[ \t]+(?P<size>\d\.\d[ \t]+)?|[ \t]+)"  # "the Mazda, the 2.5 S"
    rf"(?P<trim>{_TRIM_WORD}(?:[ \t]+{_TRIM_WORD}){{0,3}})[ \t]*(?:[,.:;!?()—–]|\s-\s|$|{_VERB})",
    re.MULTILINE,
)
# a word that starts a clause, not a trim's ("…Sienna Is …" in a shouted line)
_NOT_TRIM = re.compile(r"(?:I|It|Is|Was|And|Or|But|The|A|An|With|In|On|For|Has|Vs|V)\b")
_ENDED = "\0"  # a lead of no trim: it ends the trim before it


def lead_trims(text: str, hits: list[Hit]) -> list[tuple[int, str, str | None]]:
    """(offset, car, "Sienna XLE AWD" or None) where a lead starts a car's trim or ends it."""
    named = [h for h in hits if h.car]
    if not named:
        return []
    out: list[tuple[int, str, str | None]] = []
    open_cars: set[str] = set()
    models: dict[str, str] = {}  # an open car's model words, as its lead wrote them
    rules = [m.start() for m in _RULE.finditer(text)]
    starts = sorted({0, *(m.end() for m in _PARAGRAPH.finditer(text)), *rules})
    i = 0
    for n, start in enumerate(starts):
        for rule in rules:
            if rule == start:
                out += [(rule, car, None) for car in sorted(open_cars)]
                open_cars.clear()
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        while i < len(named) and named[i].start < start:
            i += 1
        if i >= len(named) or named[i].start >= end:
            if len(open_cars) == 1 and (other := _other_trim(text, start)) is not None:
                car = next(iter(open_cars))  # "The GT-Line Turbo swaps in …": the open car's
                out.append((start, car, f"{models[car]} {other}"))  # other trim, named alone
            continue
        hit = named[i]
        assert hit.car is not None
        if _FIGURE.search(text, start, hit.start):
            continue  # "your 245 hp Sienna": a figure's car, not the paragraph's lead
        trim = _trim(text, hit)
        if trim is not None:
            models[hit.car] = model_words(text, hit)
            out.append((hit.start, hit.car, f"{models[hit.car]} {trim}"))
            open_cars.add(hit.car)
            if _verb_ended(text, hit):  # "The Taycan Turbo S has …": its own paragraph's
                out.append((end, hit.car, _ENDED))  # subject only (a post's lead ends in a stop)
        elif hit.car in open_cars:
            out.append((hit.start, hit.car, _ENDED))
            open_cars.discard(hit.car)
    return [(at, car, None if name == _ENDED else name) for at, car, name in out]


def unknown_posts(text: str, hits: list[Hit]) -> list[tuple[int, int]]:
    """(start, end) of each post (a part between rule lines) whose lead names only a make,
    one no car the post names belongs to."""
    rules = [m.start() for m in _RULE.finditer(text)]
    if not rules:
        return []
    out = []
    bounds = [*rules, len(text)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        in_post = [h for h in hits if start <= h.start < end]
        brands = {h.brand for h in in_post if h.car}
        for para in [start, *(m.end() for m in _PARAGRAPH.finditer(text, start, end))]:
            first = next((h for h in in_post if h.start >= para), None)
            if first is None:
                break
            if _FIGURE.search(text, para, first.start) or text.find("\n\n", para, first.start) >= 0:
                continue  # a figure before it, or not this paragraph's
            if first.car is None and first.brand and first.brand not in brands:
                out.append((first.start, end))
            break
    return out


# a paragraph opening with "The" and a trim alone, then its verb: "The GT-Line Turbo swaps in"
_THE_TRIM = re.compile(
    rf"[ \t]*(?:[A-Z][\w ,?!'-]{{0,60}}[?!][ \t]+)?The[ \t]+"  # after a question: "More punch?"
    rf"(?P<trim>{_TRIM_WORD}(?:[ \t]+{_TRIM_WORD}){{0,3}})[ \t]+(?:{_VERBS})\b"
)


def _other_trim(text: str, start: int) -> str | None:
    """The trim a paragraph that names no car opens with as its subject ("Want more punch?
    The GT-Line Turbo swaps in …"): another trim of the car whose lead is open."""
    m = _THE_TRIM.match(text, start)
    if m is None:
        return None
    trim = m.group("trim")
    if _NOT_TRIM.match(trim) or GROUP_WORDS.search(trim):
        return None
    return trim


def _verb_ended(text: str, hit: Hit) -> bool:
    m = _TRIM.match(text, hit.end)
    return m is not None and m.group().endswith(_VERB_ENDS)


def _trim(text: str, hit: Hit) -> str | None:
    m = _TRIM.match(text, hit.end)
    if m is None:
        return None
    trim = m.group("trim")
    if _NOT_TRIM.match(trim) or any(TITLE_END.match(f" {w}") for w in trim.split()):
        return None  # "Toyota Sienna Review": what the text is, not a trim
    if GROUP_WORDS.search(trim):
        return None  # "**Zephyr Trims:**" groups versions, names none
    return f"{m.group('size')}{trim}" if m.group("size") else trim
