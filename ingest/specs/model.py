"""What a spec sheet is made of: cars a document is about, and facts with their evidence.

Extraction (`ingest.specs.extract_specs`) turns one parsed, chunked document into a
`DocumentSpecs`; the pipeline stores it with the document's ledger row, so facts are added,
replaced and removed exactly when the document's chunks are.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CarRef:
    """A car a document is about. `id` is canonical: the curated alias file's id when the car
    is in it, else the slug of "make model" (lowercase ASCII letters and digits and Chinese
    characters, runs of anything else → "-"), e.g. "hyundai-venue", "nissan-x-trail"
    (日产奇骏), "zeekr-001" (极氪001), "byd-海豹" (比亚迪海豹, a model no alias file lists)."""

    id: str
    name: str  # display name, e.g. "Hyundai Venue"
    aliases: tuple[str, ...] = ()  # other names this document uses for it (any language)


@dataclass(frozen=True, slots=True)
class Fact:
    """One specification of one car, as one source states it."""

    car: str  # CarRef.id
    attribute: str  # a key of data/specs/attributes.toml
    value: str  # the value as written, e.g. "88.3 kW (120 PS)", "6.98万－9.98万元"
    numbers: tuple[float, ...] = ()  # parsed numbers: one, or two for a range
    unit: str | None = None  # the unit's symbol (units.py), None when unknown or unitless
    normalized: float | None = None  # numbers[0] (or the range's low end) in the canonical unit
    normalized_unit: str | None = None  # the dimension's canonical unit symbol
    variant: str | None = None  # trim / engine / model year when the source names one
    evidence: str = ""  # exact text of the source (a substring of a chunk's text)
    page: int | None = None
    section: str = ""
    chunk_index: int | None = None  # the chunk whose text holds `evidence`


@dataclass(slots=True)
class DocumentSpecs:
    """Everything one document says about cars."""

    cars: list[CarRef] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    chunk_cars: dict[int, tuple[str, ...]] = field(default_factory=dict)  # chunk index → car ids
