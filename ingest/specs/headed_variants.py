"""A fact's variant from what stands around its figure when it names none of its own: the
heading of the list it is an item of, a "for the …" after it, the dashed item or the
paragraph it opens, and the condition an alternative figure is given under."""

from __future__ import annotations

from dataclasses import replace

from ingest.specs.conditions import alternative_condition
from ingest.specs.dashed_items import dashed_item
from ingest.specs.declared_subjects import declared_subject
from ingest.specs.gap_rows import gap_label
from ingest.specs.given_for import bracketed_after, given_for, rides_on
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
        or declared_subject(text, found.start)  # "…: the 1.5 eTSI and the 2.0 TSI VZ." / "The 1.5
        or gap_label(vocab, text, found.value.start)  # eTSI is …"; "SR5      6-speed automatic"
        or (rides_on(text, found.value.start) if found.attribute == "tyres" else None)
        or bracketed_after(text, found.value.start)  # "the Elite Hybrid ($75,000)"
    )

    condition = alternative_condition(text, found.value.start, found.value.end)
    if condition is not None:
        variant = f"{variant} {condition}" if variant else condition
    return found if variant == found.variant else replace(found, variant=variant)
