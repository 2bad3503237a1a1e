"""Lines "Variant: figure" (`variant_lines`): a block of lines, each naming a variant then
giving its figure ("Base Model (LE): Starting at $26,000", "G3i 460G：14.98万元"). The
block's attribute is the label of the line above it, or the last label of a sentence that
introduces it ("…售价区间为…，其中："); a figure's own qualifier ("~28 MPG (city)") or its unit
can name another. Blank lines between such lines keep one block.
"""

from __future__ import annotations

import re

from ingest.specs.charging import CHARGING_KEYS, CHARGING_WAY
from ingest.specs.conditions import qualified
from ingest.specs.numbers import Quantity, quantities
from ingest.specs.ordered import economy_words
from ingest.specs.outline import list_variant, names_thing
from ingest.specs.phrases import UNIT_ATTRIBUTE, Covered
from ingest.specs.shapes import ZH_VERSION_HEAD, Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

# "Base Model (LE): Starting at $26,000": a line naming a variant, then its figure
_NAMED_LINE = re.compile(
    r"^[ \t]*(?:(?:[-*•]|\d{1,2}[.、])[ \t]+|\d\ufe0f?\u20e3)?"  # "- ", "1. ", "1️⃣"
    r"(?:\*\*)?(?P<name>[^:\n*]{2,40}?(?:[ \t]*\([^():\n*]{1,60}\))?)"
    r"(?:\*\*)?[ \t]*:(?:\*\*)?"
    r"(?P<value>[^\n]*\d[^\n]*)$",
    re.MULTILINE,
)
_HEDGE = re.compile(
    r"[ \t*]*(?:(?:up to|approximately|approx\.|around|about|nearly|~)[ \t]*)?", re.IGNORECASE
)
_CONDITION = re.compile(r"[ \t]+(?:when|if|with)\b", re.IGNORECASE)  # "… when properly equipped"
# "… on Extended Range models": the versions a line's one figure is for, by their name
_ON_MODELS = re.compile(
    r"[ \t]+(?:on|for|in)[ \t]+(?:the[ \t]+|all[ \t]+)?"
    r"(?P<v>[A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,3})[ \t]+(?:models?|trims?|versions?|variants?)\b"
)
_QUALIFIED = re.compile(r"\s*\(\s*(city|highway|hwy|combined)\s*\)", re.IGNORECASE)
_QUALIFIER_KEY = {"city": "city", "highway": "highway", "hwy": "highway", "combined": "combined"}


def variant_lines(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Lines "Variant: figure" under a heading line that is a label ("Pricing", "Fuel
    Efficiency"): the heading is the attribute, unless a figure says its own ("~28 MPG
    (city)") or its unit names one; the line's name is the variant."""
    out: list[Found] = []
    if ":" not in text:
        return out
    covered = Covered(skip)
    block_end = -1  # where the block of named lines seen last ends
    topic: str | None = None
    for m in _NAMED_LINE.finditer(text):
        start = m.start()
        if block_end < 0 or text[block_end:start].strip():  # a new block: its topic is above
            topic = _topic(vocab, text, start, topic if block_end >= 0 else None)
        block_end = m.end()
        if covered(start) or vocab.lookup(m.group("name")):
            continue
        if len(m.group("value")) > 80:  # a sentence; but "4WD: 18 city / … MPG (lower due…)"
            out += _economies(vocab, text, m, m.start("value"), m.start("value") + 80)
            continue
        out += _named_figures(vocab, text, m, topic)
    return out


def _topic(vocab: Vocabulary, text: str, start: int, last: str | None = None) -> str | None:
    """The attribute the line above a block of named lines is about: a label ("Pricing"),
    or the last label of a sentence that introduces the lines ("…售价区间为14.98-18.58万元，
    其中："). A heading that names a model ("Toyota Prius (Hybrid):") between the label and
    the block, or between the block and the last one (`last`'s), keeps that topic."""
    before = text[:start].rstrip()
    above = before[before.rfind("\n") + 1 :]
    lead = above.rstrip(" \t*").endswith(":")
    above = above.strip(" \t#*:")
    if not above:
        return None
    if (
        lead
        and not re.search(r"\d", above)
        and vocab.lookup(above) is None
        and not vocab.find_labels(above)
    ):
        head = before[: before.rfind("\n")].rstrip()
        line = head[head.rfind("\n") + 1 :]
        if _NAMED_LINE.fullmatch(line):
            return last  # "…(Limited): Starting at $34,000" / "Toyota Prius Prime …:"
        key = vocab.lookup(line.strip(" \t#*:")) if line and not re.search(r"\d", line) else None
        return key if key in vocab.attributes else None
    if re.search(r"\d", above) or (lead and vocab.lookup(above) is None):
        labels = vocab.find_labels(above) if lead else []
        keys = [vocab.lookup(above[a:b]) for a, b in labels]
        key = _measured(vocab, text, start, keys) or (keys[-1] if keys else None)
    else:
        key = vocab.lookup(above)
    return key if key in vocab.attributes else None


def _measured(vocab: Vocabulary, text: str, start: int, keys: list[str | None]) -> str | None:
    """Of the labels a sentence introducing named lines gives (`keys`), the last one whose
    quantity the first line's figure measures ("…towing capacity across its engine range:"
    over "- P300: Up to 7,716 pounds": towing, not range)."""
    end = text.find("\n", start)
    unit = next((q.unit for q in quantities(text, start, end if end > 0 else None) if q.unit), None)
    if unit is None:
        return None
    for key in reversed(keys):
        attr = vocab.attributes.get(key) if key else None
        if attr is not None and attr.dimension == unit.dimension:
            return key
    return None


def _named_figures(
    vocab: Vocabulary, text: str, m: re.Match[str], topic: str | None
) -> list[Found]:
    name = m.group("name").strip()
    every = quantities(text, m.start("value"), m.end("value"))
    named = _economies(vocab, text, m, m.start("value"), m.end("value"))
    if named:
        return named
    words = _without_figures(text, m.start("value"), m.end("value"), every)
    found = [q for q in every if q.unit is not None]
    if len(re.findall(r"[A-Za-z]", words)) > 16 or len(re.findall(r"[\u4e00-\u9fff]", words)) > 6:
        if not (
            topic
            and len(found) == 1
            and _HEDGE.fullmatch(text, m.start("value"), found[0].start)
            and (_CONDITION.match(text, found[0].end) or _ON_MODELS.match(text, found[0].end))
        ):
            # a sentence after the name, not a figure: the sentence readers' business, unless
            # its figures are the topic's, each told apart by its own condition
            return _told_apart(vocab, text, m, topic, found)
        # "- **P300 (4-cylinder)**: Up to 7,716 pounds when properly equipped": the topic's
        # one figure first, a condition after it
    out = []
    for q in found:
        qualified = _QUALIFIED.match(text, q.end)
        key = topic
        if qualified is not None and q.unit is not None and q.unit.dimension == "fuel_consumption":
            key = f"fuel_economy_{_QUALIFIER_KEY[qualified.group(1).lower()]}"
        elif len(found) > 1 or key is None:
            key = UNIT_ATTRIBUTE.get(q.unit.symbol) if q.unit else None
            if key is None and q.unit is not None and q.unit.symbol == "CNY" and _priced(name):
                key = "price"  # "- 1.5T 两驱旅行版：12.99万元": a version's one figure in 元
        if key is None and q.unit is not None and CHARGING_WAY.search(name):
            key = CHARGING_KEYS.get(q.unit.dimension)  # "Level 2 Charger: Full charge in ~9 hours"
        attr = vocab.attributes.get(key) if key else None
        if attr is None:
            continue
        values = read(attr, text, q.start, q.end, None, bare=False)
        if values and values[0].start == q.start:
            variant = list_variant(vocab, text, q.start) or _thing(vocab, name)
            on = _ON_MODELS.match(text, q.end)  # "Up to 235 kW on Extended Range models"
            if on is not None and len(found) == 1:
                variant = f"{variant} {on.group('v')}" if variant else on.group("v")
            out.append(Found(attr.key, values[0], m.start(), m.end(), variant))
    return out


def _told_apart(
    vocab: Vocabulary, text: str, m: re.Match[str], topic: str | None, found: list[Quantity]
) -> list[Found]:
    """ "- **P400**: Up to 8,201 pounds on the Model 110, or 7,716 pounds on the Model 90":
    several figures of the topic's quantity, each told apart by its own condition, are the
    named variant's under each condition."""
    attr = vocab.attributes.get(topic) if topic else None
    if attr is None or len(found) < 2:
        return []
    values = [read(attr, text, q.start, q.end, None, bare=False) for q in found]
    if not all(len(v) == 1 and v[0].start == q.start for v, q in zip(values, found, strict=True)):
        return []
    qualifiers = qualified([v[0] for v in values], text, m.end("value"))
    if None in qualifiers:
        return []
    name = list_variant(vocab, text, found[0].start) or _thing(vocab, m.group("name").strip())
    return [
        Found(attr.key, v[0], m.start(), m.end(), f"{name} {q}" if name else q)
        for v, q in zip(values, qualifiers, strict=True)
    ]


def _economies(vocab: Vocabulary, text: str, m: re.Match[str], start: int, end: int) -> list[Found]:
    """ "- 2WD: 18 city / 24 highway / 20 combined MPG": each figure names its cycle, the
    line's name (with the heading over it) the variant."""
    named = economy_words(text, start, end)
    if not named:
        return []
    variant = list_variant(vocab, text, named[0][1].start) or _thing(vocab, m.group("name").strip())
    line_end = min(m.end(), end)  # the whole line is the evidence, up to its aside
    return [Found(key, v, m.start(), line_end, variant) for key, v in named]


# a Chinese version's name: a version word at its end ("两驱精英型"), or a code and Chinese words
# ("C-DM 四驱"); not a sum's name ("置换补贴：5000元")
_ZH_CODED = re.compile(r"[A-Za-z0-9][\w.+-]*[ \t]*[\u4e00-\u9fff]")


def _priced(name: str) -> bool:
    return bool(ZH_VERSION_HEAD.search(name) or _ZH_CODED.search(name))


def _thing(vocab: Vocabulary, name: str) -> str | None:
    """A line's name as a variant, unless it names the quantity ("Output: 203 horsepower")."""
    return name if names_thing(vocab, name) else None


def _without_figures(text: str, start: int, end: int, found: list[Quantity]) -> str:
    rest = list(text[start:end])
    for q in found:
        rest[q.start - start : q.end - start] = [" "] * (q.end - q.start)
    return "".join(rest)
