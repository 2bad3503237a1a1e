"""Token accounting: `GET /v1/usage` (the ledger, grouped) and `POST /v1/tokenize`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import Authorized, ServicesDep
from api.errors import ApiError
from generation.errors import UnknownModel
from generation.llm.counting import tokenize
from ingest.errors import EncodingUnavailable

MAX_TOKENIZE_CHARS = 100_000

router = APIRouter(tags=["usage"], dependencies=Authorized)


class UsageRow(BaseModel):
    group: str = Field(description="the model, business or day")
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float = Field(description="in the price table's currency (USD)")
    abandoned_calls: int = Field(
        default=0, description="calls whose client left before the answer (counted in calls)"
    )


class UsageResponse(BaseModel):
    group_by: str
    rows: list[UsageRow]


@router.get("/v1/usage")
def usage(
    services: ServicesDep,
    group_by: Literal["model", "business", "day"] = Query("model"),
) -> UsageResponse:
    """Tokens and cost of every LLM call so far, grouped by model, business or day."""
    rows = services.usage.summary(group_by)
    return UsageResponse(
        group_by=group_by,
        rows=[
            UsageRow(
                group=str(row.get(group_by) or row.get("group") or ""),
                calls=int(row.get("calls", 0)),
                prompt_tokens=int(row.get("prompt_tokens", 0)),
                completion_tokens=int(row.get("completion_tokens", 0)),
                cost=float(row.get("cost", 0.0)),
                abandoned_calls=int(row.get("abandoned_calls", 0)),
            )
            for row in rows
        ],
    )


class TokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TOKENIZE_CHARS)
    encoding: str | None = Field(None, description="a tiktoken encoding, e.g. r50k_base")
    model: str | None = Field(None, description="a configured model, or an OpenAI model name")

    @model_validator(mode="after")
    def _one_of(self) -> TokenizeRequest:
        if (self.encoding is None) == (self.model is None):
            raise ValueError("give exactly one of encoding or model")
        return self


class Token(BaseModel):
    id: int
    bytes: list[int] = Field(description="the token's bytes (may be part of a UTF-8 character)")


class TokenizeResponse(BaseModel):
    encoding: str
    ids: list[int]
    tokens: list[Token]


@router.post("/v1/tokenize")
def tokenize_text(body: TokenizeRequest, services: ServicesDep) -> TokenizeResponse:
    """Token ids of `text` under an encoding or a model's tokenizer, with each token's bytes."""
    model: object = body.model
    if body.model is not None:
        try:
            model = services.generation.models.get(body.model)
        except UnknownModel:
            model = body.model  # an OpenAI model name tiktoken knows, e.g. gpt-3.5-turbo
    try:
        result = tokenize(body.text, encoding=body.encoding, model=model)  # type: ignore[arg-type]
    except (EncodingUnavailable, ValueError) as e:
        raise ApiError(422, "unknown_encoding", str(e)) from e
    return TokenizeResponse(
        encoding=result["encoding"],
        ids=result["ids"],
        tokens=[Token(id=t["id"], bytes=list(t["bytes"])) for t in result["tokens"]],
    )
