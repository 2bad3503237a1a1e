"""The variant a figure of none takes from where it stands: the heading of its list
(`listed_variant`), or the heading, list item, paragraph or alternative its sentence sits
under (`under_heading`)."""

from __future__ import annotations

from dataclasses import replace

from ingest.specs.conditions import alternative_condition
from ingest.specs.dashed_items import dashed_item
from ingest.specs.given_for import given_for
from ingest.specs.outline import list_variant, paragraph_variant
from ingest.specs.shapes import Found
from ingest.specs.vocabulary import Vocabulary


def listed_variant(vocab: Vocabulary, text: str, found: Found) -> Found:
    """A list item's `key: value` of no variant under a heading that names one ("**2010-2024
    Model Years:**" / "- City driving: 16-18L/100km") is that variant's."""
    if found.variant is not None:
        return found
    return replace(found, variant=list_variant(vocab, text, found.value.start))


def under_heading(vocab: Vocabulary, text: str, found: Found) -> Found:
    """A sentence's fact of no variant under a heading that names one is that variant's; an
    alternative figure ("…, or up to 450 horsepower in high-output applications") is its
    variant's under that condition."""
    variant = (
        found.variant
        or given_for(text, found.value.end)
        or dashed_item(vocab, text, found.start)  # "* Delta+ 1.2 AGS — …" / "  … 89 bhp"
        or paragraph_variant(text, found.start)
    )
    condition = alternative_condition(text, found.value.start, found.value.end)
    if condition is not None:
        variant = f"{variant} {condition}" if variant else condition
    return found if variant == found.variant else replace(found, variant=variant)
