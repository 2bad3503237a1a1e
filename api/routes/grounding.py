"""`/v1/grounding/check`: the per-figure verdicts of any text about one car."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Authorized, ServicesDep
from api.grounding import check_text, resolve_car
from generation.grounding import GroundingReport

router = APIRouter(tags=["grounding"], dependencies=Authorized)


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    car: str = Field(min_length=1, max_length=200, description="a car id, name or alias")
    text: str = Field(max_length=200_000, description="the text whose figures to check")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty: give the text whose figures to check")
        return value


class CheckResponse(GroundingReport):
    car: str = Field(description="the car id the figures were judged for")
    name: str


@router.post("/v1/grounding/check", response_model=CheckResponse)
def grounding_check(body: CheckRequest, services: ServicesDep) -> CheckResponse:
    """Each figure of `text`: supported by this car's facts (with the citation), another car's
    (`wrong_car`), or unsupported; `verdict` is grounded, flagged or no_figures."""
    registry = services.cars
    car = resolve_car(registry, body.car)
    report = check_text(registry, car, body.text, services.searcher)
    return CheckResponse(car=car.id, name=car.name, **report.model_dump())
