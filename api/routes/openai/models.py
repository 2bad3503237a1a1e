"""`GET /v1/models` and `GET /v1/models/{model_id}` (see `api.routes.openai`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Authorized, GenerationDep, ServicesDep
from api.errors import ApiError
from generation.service import Generation

router = APIRouter(tags=["openai"], dependencies=Authorized)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "specrag"
    type: Literal["chat", "embedding"] = Field(description="specrag: what the model does")
    context_window: int | None = Field(default=None, description="specrag: tokens")
    dimensions: int | None = Field(default=None, description="specrag: embedding dimensions")
    available: bool = Field(default=True, description="specrag: usable on this server as is")
    reason: str | None = Field(
        default=None, description="specrag: why not, e.g. the key variable to set"
    )
    api_key_env: str | None = Field(
        default=None,
        description="specrag: an unavailable model's key variable (none: a local model, its "
        "file is why), as a refusal's detail names it; the page says why in its language",
    )


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def _cards(generation: Generation, services: Any) -> list[ModelCard]:
    cards = []
    for spec in generation.models.models.values():
        reason = spec.unavailable()
        cards.append(
            ModelCard(
                id=spec.name,
                type="chat",
                context_window=spec.context_window,
                available=reason is None,
                reason=reason,
                api_key_env=spec.api_key_env if reason else None,  # as UnavailableModel's
            )
        )
    embedder = services.embedder
    cards.append(ModelCard(id=embedder.name, type="embedding", dimensions=embedder.dimension))
    return cards


@router.get("/v1/models")
def list_models(generation: GenerationDep, services: ServicesDep) -> ModelList:
    """The configured chat models (with whether each is available and why not) and the index's
    embedding model, in OpenAI's shape."""
    return ModelList(data=_cards(generation, services))


@router.get("/v1/models/{model_id}", responses={404: {"description": "unknown model"}})
def get_model(model_id: str, generation: GenerationDep, services: ServicesDep) -> ModelCard:
    """One model, in OpenAI's shape."""
    for card in _cards(generation, services):
        if card.id == model_id:
            return card
    raise ApiError(404, "not_found", f"no model {model_id!r}")
