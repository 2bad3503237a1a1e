"""`POST /v1/embeddings` (see `api.routes.openai`).

Like OpenAI's, the input is texts or token ids (`list[int]` for one input, `list[list[int]]`
for several): LangChain's `OpenAIEmbeddings` sends ids by default, tokenized with tiktoken's
cl100k_base. Ids are decoded with `SPECRAG_EMBED_INPUT_ENCODING` (default cl100k_base) and
the decoded texts are embedded and checked like texts sent as such.
"""

from __future__ import annotations

import base64
from typing import Literal

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from api.deps import Authorized, ServicesDep, SettingsDep
from api.errors import ApiError
from api.validation import MAX_CONTENT_CHARS, require_text
from ingest.encodings import get_encoding

MAX_EMBED_INPUTS = 256

Input = str | list[str] | list[StrictInt] | list[list[StrictInt]]

router = APIRouter(tags=["openai"], dependencies=Authorized)


class EmbeddingRequest(BaseModel):
    """OpenAI's embeddings request, for the index's embedding model."""

    model_config = ConfigDict(extra="ignore")

    input: Input = Field(
        description="a text, a list of texts, or token ids (one list, or a list of lists) "
        "in SPECRAG_EMBED_INPUT_ENCODING (default cl100k_base)"
    )
    model: str | None = Field(
        default=None, max_length=200, description="the index's embedding model (GET /v1/models)"
    )
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1, description="must be the model's own")
    user: str | None = None

    @field_validator("input")
    @classmethod
    def _inputs(cls, value: Input) -> Input:
        inputs = _as_list(value)
        if not inputs:
            raise ValueError("the input list is empty")
        if len(inputs) > MAX_EMBED_INPUTS:
            raise ValueError(f"at most {MAX_EMBED_INPUTS} inputs per request")
        for i, item in enumerate(inputs):
            if isinstance(item, str):
                if not item.strip():
                    raise ValueError(f"input {i} is empty")
                if len(item) > MAX_CONTENT_CHARS:
                    raise ValueError(f"input {i} is over {MAX_CONTENT_CHARS} characters")
                require_text(item, f"input {i}")
            elif not item:
                raise ValueError(f"input {i} has no token ids")
            elif len(item) > MAX_CONTENT_CHARS:
                raise ValueError(f"input {i} is over {MAX_CONTENT_CHARS} token ids")
        return value


def _as_list(value: Input) -> list[str | list[int]]:
    """Each input apart: a text, or one input's token ids."""
    if isinstance(value, str):
        return [value]
    inputs: list[str | list[int]] = []
    for item in value:
        if isinstance(item, int):
            return [[token for token in value if isinstance(token, int)]]  # one input's ids
        inputs.append(item)
    return inputs


def _decoded(inputs: list[str | list[int]], encoding_name: str) -> list[str]:
    """The texts, token-id inputs decoded; a 422 naming the first id the encoding lacks."""
    texts: list[str] = []
    for i, item in enumerate(inputs):
        if isinstance(item, str):
            texts.append(item)
            continue
        encoding = get_encoding(encoding_name)  # cached
        for j, token in enumerate(item):
            try:
                encoding.decode_single_token_bytes(token)
            except (KeyError, OverflowError, ValueError):
                field = f"input[{i}][{j}]"
                reason = (
                    f"token id {token} is not in {encoding_name} (SPECRAG_EMBED_INPUT_ENCODING)"
                )
                raise ApiError(
                    422,
                    "validation_error",
                    f"{field}: {reason}",
                    detail=[
                        {"location": "body", "field": field, "type": "token_id", "message": reason}
                    ],
                ) from None
        text = encoding.decode(item)
        if not text.strip():
            raise ApiError(422, "validation_error", f"input {i}: its token ids decode to no text")
        texts.append(text)
    return texts


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
def embeddings(
    body: EmbeddingRequest, services: ServicesDep, settings: SettingsDep
) -> EmbeddingList:
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
    texts = _decoded(_as_list(body.input), settings.embed_input_encoding)
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
    vectors = embedder.embed_documents(texts)
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
