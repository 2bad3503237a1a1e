"""`/v1/cars`: the car registry and each car's spec sheet, built from the facts ingest found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import Authorized, ServicesDep
from generation.errors import UnknownCar
from ingest.specs.registry import CarSummary, FactCitation, Spec

router = APIRouter(tags=["cars"], dependencies=Authorized)


class CarOut(BaseModel):
    id: str = Field(description="canonical car id, e.g. hyundai-venue")
    name: str
    aliases: list[str] = Field(description="other names, in any language")
    documents: int = Field(description="documents about this car")
    facts: int = Field(description="facts stored for this car")


class CarList(BaseModel):
    total: int
    offset: int
    cars: list[CarOut]


class FactCitationOut(BaseModel):
    source: str = Field(description="the document as its user gave it (below its ingest root)")
    document: str = Field(description="the same name")
    title: str
    doc_id: str
    page: int | None
    section: str
    chunk_id: str | None
    evidence: str = Field(description="the exact text of the source the value was read from")


class Normalized(BaseModel):
    value: float
    unit: str


class SpecOut(BaseModel):
    attribute: str = Field(description="canonical attribute key (data/specs/attributes.toml)")
    label: str
    variant: str | None = Field(description="trim, engine or model year, when the source names one")
    value: str = Field(description="the value as written")
    numbers: list[float]
    unit: str | None = Field(description="null when the source gives no unit or an unknown one")
    normalized: Normalized | None = Field(description="the value in the dimension's canonical unit")
    citations: list[FactCitationOut]
    conflict: bool = Field(description="sources give other values for this attribute and variant")


class ConflictValue(BaseModel):
    value: str
    unit: str | None
    citations: list[FactCitationOut]


class ConflictOut(BaseModel):
    attribute: str
    label: str
    variant: str | None
    values: list[ConflictValue]


class SpecSheetOut(CarOut):
    specs: list[SpecOut]
    conflicts: list[ConflictOut]


def _car(car: CarSummary) -> CarOut:
    return CarOut(
        id=car.id,
        name=car.name,
        aliases=list(car.aliases),
        documents=car.documents,
        facts=car.facts,
    )


def _citation(citation: FactCitation) -> FactCitationOut:
    return FactCitationOut(
        source=citation.document,
        document=citation.document,
        title=citation.title,
        doc_id=citation.doc_id,
        page=citation.page,
        section=citation.section,
        chunk_id=citation.chunk_id,
        evidence=citation.evidence,
    )


def _spec(spec: Spec) -> SpecOut:
    normalized = None
    if spec.normalized is not None and spec.normalized_unit:
        normalized = Normalized(value=round(spec.normalized, 4), unit=spec.normalized_unit)
    return SpecOut(
        attribute=spec.attribute,
        label=spec.label,
        variant=spec.variant,
        value=spec.value,
        numbers=list(spec.numbers),
        unit=spec.unit,
        normalized=normalized,
        citations=[_citation(c) for c in spec.citations],
        conflict=spec.conflict,
    )


@router.get("/v1/cars", response_model=CarList)
def list_cars(
    services: ServicesDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="matches names and aliases, English or Chinese"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CarList:
    """The cars the indexed documents are about; `q` narrows them to the names that match,
    best match first."""
    registry = services.cars
    cars = registry.search(q) if q and q.strip() else registry.cars()
    return CarList(
        total=len(cars), offset=offset, cars=[_car(c) for c in cars[offset : offset + limit]]
    )


@router.get("/v1/cars/{car_id}", response_model=SpecSheetOut)
def car_specs(
    services: ServicesDep,
    car_id: Annotated[str, Path(max_length=200, description="a car id from GET /v1/cars")],
) -> SpecSheetOut:
    """One car's spec sheet: every fact with its citations, and the values sources disagree on."""
    registry = services.cars
    sheet = registry.sheet(car_id)
    if sheet is None:
        raise UnknownCar.among(registry, car_id)
    return SpecSheetOut(
        **_car(sheet.car).model_dump(),
        specs=[_spec(s) for s in sheet.specs],
        conflicts=[
            ConflictOut(
                attribute=c.attribute,
                label=c.label,
                variant=c.variant,
                values=[
                    ConflictValue(
                        value=v.value,
                        unit=v.unit,
                        citations=[_citation(x) for x in v.citations],
                    )
                    for v in c.values
                ],
            )
            for c in sheet.conflicts
        ],
    )
