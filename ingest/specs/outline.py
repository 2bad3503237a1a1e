"""The variant a nested Markdown list gives the figures in its items.

A list under a bold heading that names a variant ("**Gasoline Models (2025 and earlier):**",
"**2022-2024 Model Years:**") is about that variant, every item of it, whether the item
names something ("- Front motor: 179 hp", "- **Long Range Battery:**" with items below it)
or only states a figure ("- 2.5-liter four-cylinder engine"); an item that names a variant
("- RWD: Up to 250 miles") joins the heading over it ("**Standard Range Battery:**") unless
that heading is a label. Item names join the heading
when they name a thing ("Front motor", "RWD"), not when they name the quantity itself
("Output: 203 horsepower", "Fuel economy: …", "Battery: 18.1 kWh"). A heading that names a
topic ("**Charging:**", "**Power and Performance:**") gives no variant, so the figures under
it keep whatever the text around them says.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import VARIANT_CUE
from ingest.specs.vocabulary import Vocabulary

# "- name: …", "* **name**: …", "- **name** (select markets): …", "- text": a list item, with
# its name when it has one
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)[-*•][ \t]+"
    r"(?:(?:\*\*)?(?P<name>[^:\n*]{1,60}?)(?:\*\*)?(?P<aside>[ \t]*\([^)\n]{1,60}\))?[ \t]*:)?",
    re.MULTILINE,
)
_BOLD_HEAD = re.compile(r"^[ \t]*(?:#+[ \t]*)?\*\*(?P<name>[^*\n]{2,60}?):?\*\*:?[ \t]*$")
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")
# a bracket in a name is an aside ("(select markets)"), unless it lists the trims the name
# covers ("4WD models (SV, SL, Platinum)")
_ASIDE = re.compile(r"\((?![^),]*,[^)]*\))[^)]*\)")
# What a heading or a parent item says when it names a variant: a model year, a body of
# models, a powertrain or a drive, a trim, a way of charging ("DC Fast Charging"; not
# "Charging", a topic), or what names a variant over `key: value` lines (an engine size)
_VARIANT_WORD = re.compile(
    r"\b(?:models?|years?|hybrid|plug-in|gasoline|petrol|diesel|fwd|awd|rwd|4wd|"
    r"trims?|edition|(?:front|rear|all|four)[- ]wheel[- ]drive|"
    r"(?:dc|ac|fast|level\s*\d)\b[\w\s-]{0,12}charging)\b",
    re.IGNORECASE,
)
# The last word of an item name that names a quantity, not a thing: "Combined system output"
# ("**EPA fuel economy estimates:**" over "- 2WD models: …" is a topic, not a variant's name)
_QUANTITY_WORD = re.compile(
    r"\b(?:output|rates?|ratings?|figures?|specs?|specifications?|estimates?)$", re.I
)


def list_variant(vocab: Vocabulary, text: str, at: int) -> str | None:
    """The variant the list item holding offset `at` is about, from the items above it and
    the bold heading over the list, when one of them names a variant; else None."""
    line_start = text.rfind("\n", 0, at) + 1
    own = _ITEM.match(text, line_start)
    if own is None:
        return None
    named = _own_name(own)
    if named and at < own.end():
        return None  # "- **Standard Range Battery (63 kWh):**": a figure in the item's name
    path = [named] if named and names_thing(vocab, named) else []
    indent = len(own.group("indent").expandtabs(2))
    variant_named = bool(path) and _names_variant(path[0])  # "- RWD: …", "- 2025 SE trim: …"
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        end = start - 1
        if not line.strip():
            continue
        item = _ITEM.match(line)
        if item is not None:
            depth = len(item.group("indent").expandtabs(2))
            if depth < indent:
                name = item.group("name")
                if not name or line[item.end() :].strip(" *"):
                    return None  # a parent item with text of its own: not a heading
                path.append(name)
                variant_named |= _names_variant(name)
                indent = depth
            continue
        head = _BOLD_HEAD.match(line)
        if head is not None:
            name = head.group("name")  # a topic ("**Electric Range:**") is no variant's name
            if _names_variant(name) or (
                variant_named and vocab.lookup(name) is None and not _QUANTITY_WORD.search(name)
            ):
                name = _group_name(name, path)
                if name:
                    path.append(name)
                variant_named = True
        break
    if not variant_named or len(path) < 2 and not _names_variant(path[-1] if path else ""):
        return None
    cleaned = [" ".join(_ASIDE.sub("", n).split()) for n in reversed(path)]
    return " ".join(n for n in cleaned if n) or None


def paragraph_variant(text: str, at: int) -> str | None:
    """The variant a bold heading line names right over the paragraph holding offset `at`
    ("**2024 Model Year:**" / "All 2024 models come with …"), else None."""
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    first_end = text.find("\n", start)
    if first_end < 0 or first_end >= at:
        return None  # the paragraph is one line: a heading or a list item, not prose under one
    head = _BOLD_HEAD.match(text[start:first_end])
    if head is None or _ITEM.match(text, first_end + 1) or not _names_variant(head.group("name")):
        return None
    return " ".join(_ASIDE.sub("", head.group("name")).split()) or None


def _own_name(item: re.Match[str]) -> str | None:
    """An item's name, with the trims it covers when a bracket lists them ("- 4WD models
    (SV, SL, Platinum): …")."""
    name, aside = item.group("name"), item.group("aside") or ""
    return name + aside if name and "," in aside else name


def _group_name(name: str, items: list[str]) -> str:
    """What a heading adds to the names of the items under it. A heading that groups them
    ("**Performance Trims:**", "**Sport Sedan Models:**", "**Hybrid Specifications:**") names
    no variant by its last word; over items that name their own variant ("- **NISMO**: …")
    the rest of it counts only when it says a model year, a powertrain or drive, or a model
    code the items do not repeat ("**2025 Gasoline Models:**", "**Golf GTI Trims:**")."""
    group = _GROUP_WORD.search(name)
    if group is None and items:
        group = _ONE_GROUP_WORD.search(name)  # "**Base Engine:**" over "- **3.3L V6**: …"
    if group is None:
        return name
    rest = name[: group.start()].strip(" ,-")
    if not items:
        return rest
    said = " ".join(items).lower()
    kept = [
        w
        for w in rest.split()
        if (_YEARS.search(w) or _VARIANT_WORD.search(w) or _MODEL_CODE.fullmatch(w))
        and w.lower() not in said
    ]
    return rest if kept else ""


# The last word of a heading that groups variants: "Performance Trims", "Turbocharged Options"
_GROUP_WORD = re.compile(
    r"\s*\b(?:trims|models|options?|variants|versions|engines|specifications|specs)\s*$", re.I
)
_ONE_GROUP_WORD = re.compile(r"\s*\b(?:engine|powertrain|motor)\s*$", re.I)
_MODEL_CODE = re.compile(r"[A-Z]{2,}\d*|[A-Z]*\d+[A-Z]+\w*|\(?(?:19|20)\d\d\b.*")


def _names_variant(name: str) -> bool:
    return bool(_YEARS.search(name) or _VARIANT_WORD.search(name) or VARIANT_CUE.search(name))


def names_thing(vocab: Vocabulary, name: str) -> bool:
    """An item's name names a thing ("Front motor"), not the quantity it gives: neither a
    label ("Output") nor one that a label ends ("Available payload", "Maximum charging
    power"; "Longest range configuration" is a thing)."""
    name = re.sub(r"\([^)]*\)", "", name).strip()
    if not name or vocab.lookup(name) is not None or _QUANTITY_WORD.search(name):
        return False
    labels = vocab.find_labels(name)
    return not labels or labels[-1][1] < len(name)


# "P300", "D250", "xDrive40i": an engine or model code, one word of capitals and digits
_CODE = re.compile(r"[A-Za-z]{0,6}[A-Z][A-Za-z]{0,6}\d{2,4}[A-Za-z]{0,3}|\d{2,4}[A-Z]{1,4}")
_SIZED_NAME = re.compile(r"\d\.\d\s*(?:l|litre|liter)\b", re.IGNORECASE)


def described_code(lead: re.Match[str], variant: str | None) -> bool:
    """Whether a list item named by a code describes the engine it names ("- **P300**:
    296-horsepower 2.0L turbocharged 4-cylinder engine"): the code is the variant, as a reader
    names it, not the description a figure's own phrase gives ("2.0L turbocharged …")."""
    return bool(
        _CODE.fullmatch(lead.group("v").strip())
        and variant is not None
        and _SIZED_NAME.match(variant)
    )
