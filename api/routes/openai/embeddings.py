"""`POST /v1/embeddings` (see `api.routes.openai`)."""

from __future__ import annotations

import base64
from typing import Literal

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Authorized, ServicesDep
from api.errors import ApiError
from api.validation import MAX_CONTENT_CHARS, require_text

MAX_EMBED_INPUTS = 256

router = APIRouter(tags=["openai"], dependencies=Authorized)


class EmbeddingRequest(BaseModel):
    """OpenAI's embeddings request, for the index's embedding model."""

    model_config = ConfigDict(extra="ignore")

    input: str | list[str] = Field(description="a text or a list of texts")
    model: str | None = Field(
        default=None, max_length=200, description="the index's embedding model (GET /v1/models)"
    )
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1, description="must be the model's own")
    user: str | None = None

    @field_validator("input")
    @classmethod
    def _texts(cls, value: str | list[str]) -> str | list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts:
            raise ValueError("the input list is empty")
        if len(texts) > MAX_EMBED_INPUTS:
            raise ValueError(f"at most {MAX_EMBED_INPUTS} inputs per request")
        for i, text in enumerate(texts):
            if not text.strip():
                raise ValueError(f"input {i} is empty")
            if len(text) > MAX_CONTENT_CHARS:
                raise ValueError(f"input {i} is over {MAX_CONTENT_CHARS} characters")
            require_text(text, f"input {i}")
        return value


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str = Field(description="floats, or base64 of little-endian float32")


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


@router.post("/v1/embeddings", responses={422: {"description": "bad input or another model"}})
def embeddings(body: EmbeddingRequest, services: ServicesDep) -> EmbeddingList:
    """Vectors from the index's own embedding model, in OpenAI's shape."""
    embedder = services.embedder
    if body.model is not None and body.model not in (embedder.name, embedder.model_name):
        raise ApiError(
            422,
            "unknown_model",
            f"unknown embedding model {body.model!r}; this index embeds with {embedder.name!r}",
        )
    if body.dimensions is not None and body.dimensions != embedder.dimension:
        raise ApiError(
            422,
            "validation_error",
            f"{embedder.name} gives {embedder.dimension} dimensions, not {body.dimensions}",
        )
    texts = [body.input] if isinstance(body.input, str) else body.input
    window = embedder.window_check()
    counts = [window.count(text) for text in texts]
    over = [i for i, n in enumerate(counts) if n > window.limit]
    if over:
        raise ApiError(
            422,
            "input_too_long",
            f"input {over[0]} is {counts[over[0]]} tokens; {embedder.name} reads at most "
            f"{window.limit} (nothing is truncated)",
            detail={"inputs": over, "limit": window.limit},
        )
    vectors = embedder.embed_documents(list(texts))
    data = [
        Embedding(
            index=i,
            embedding=base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode("ascii")
            if body.encoding_format == "base64"
            else [float(x) for x in row],
        )
        for i, row in enumerate(vectors)
    ]
    tokens = sum(counts)
    return EmbeddingList(
        data=data,
        model=embedder.name,
        usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
    )
