"""OpenAI-compatible routes: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models`.

Any OpenAI client (the `openai` SDK with `base_url="http://host:8000/v1"`, chat UIs) can use
specrag's models and index through them.

Chat completions: the last message must come from the user; it is answered from passages
retrieved for the conversation, like `POST /v1/chat`, but statelessly: the client sends the
history. `system` and `developer` messages are added to specrag's own instructions; earlier
`user` / `assistant` messages are kept, newest first, as far as the model's context window
allows (`memory.dropped_turns` names the rounds that did not fit). `model` names a model of
`data/models.toml` (its default when omitted). `max_tokens` / `max_completion_tokens` cap the
answer (at most a quarter of the context window); `temperature` is passed on; other OpenAI
parameters are accepted and ignored; `n` must be 1. specrag extensions in the body (the SDK's
`extra_body`): `k` (passages) and `filters` (as `/v1/query`).

The extra response fields: `citations` (`[{n, chunk_id, source, page, section, cited}]`, the
passages shown to the model; `cited` when the answer names them as [n]) and `memory` (the
turns kept and dropped, tokens per prompt part). With `stream: true` the answer comes as
`chat.completion.chunk` events: a first chunk with the role, one per piece of text, a last one
with `finish_reason` that also carries `citations` and `memory`, then, when
`stream_options.include_usage` is set, a chunk with empty `choices` and the `usage` (every other
chunk then has `usage: null`, as OpenAI does), then `data: [DONE]`. A failure after the stream
opened is sent as `data: {"error": {...}}` (the SDK raises it as an `APIError`).

Embeddings: the index's own embedding model (the same `Embedder` object that embeds chunks and
queries), so the vectors are those stored in Chroma for the same text. `input` is a string or a
list of strings (token arrays are refused: they would be ids of another tokenizer), each within
the model's input window (a longer one is a 422, not silently truncated); `encoding_format` is
`float` or `base64` (little-endian float32, the SDK's default).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.deps import Authorized, SearcherDep, ServicesDep
from api.errors import ApiError, error_body, snake
from api.routes.chat import too_long
from api.routes.generate import GenerationDep
from api.routes.query import require_text
from generation.chat import ChatAnswer, ChatCitation, Conversation, Prepared
from generation.chat_session import CHAT_BUSINESS, guard_policy
from generation.errors import GenerationError
from generation.memory import MemoryConfig, MemoryReport, MessageTooLong, Turn
from generation.service import Generation
from retrieval.filters import Filters

log = logging.getLogger(__name__)

MAX_MESSAGES = 1000
MAX_CONTENT_CHARS = 100_000
MAX_EMBED_INPUTS = 256
FINISH_REASONS = ("stop", "length", "content_filter")

router = APIRouter(tags=["openai"], dependencies=Authorized)


# -- chat completions --------------------------------------------------------------------------


class TextPart(BaseModel):
    """A content part; only text parts are understood."""

    model_config = ConfigDict(extra="allow")

    type: Literal["text"]
    text: str = Field(max_length=MAX_CONTENT_CHARS)


class CompletionMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = Field(default=None)
    name: str | None = Field(default=None, max_length=200)

    @field_validator("content")
    @classmethod
    def _content_is_text(cls, value: str | list[TextPart] | None) -> str | list[TextPart] | None:
        if isinstance(value, str) and len(value) > MAX_CONTENT_CHARS:
            raise ValueError(f"a message holds at most {MAX_CONTENT_CHARS} characters")
        require_text(_text(value), "the content")
        return value

    def text(self) -> str:
        return _text(self.content)


def _text(content: str | list[TextPart] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(part.text for part in content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat completion request; unused OpenAI parameters are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = Field(
        default=None, max_length=200, description="a model of data/models.toml"
    )
    messages: list[CompletionMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=32_000)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=32_000)
    n: int | None = Field(default=None, ge=1, le=1, description="only 1 answer per request")
    k: int | None = Field(default=None, ge=1, le=20, description="specrag: passages to retrieve")
    filters: Filters | None = Field(default=None, description="specrag: retrieval filters")

    @model_validator(mode="after")
    def _ends_with_a_question(self) -> ChatCompletionRequest:
        last = self.messages[-1]
        if last.role != "user":
            raise ValueError(f"the last message must come from the user, not the {last.role}")
        if not last.text().strip():
            raise ValueError("the last user message is empty")
        return self


class AnswerMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    index: int = 0
    message: AnswerMessage
    logprobs: None = None
    finish_reason: str


class CompletionUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float = Field(description="specrag: USD, from the price table")


class ChatCompletion(BaseModel):
    """OpenAI's `chat.completion`, plus `citations` and `memory`."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    citations: list[ChatCitation] = Field(description="specrag: the passages shown to the model")
    memory: MemoryReport = Field(description="specrag: earlier turns kept and dropped, tokens")


def split_messages(messages: list[CompletionMessage]) -> tuple[str | None, list[Turn], str]:
    """(the client's instructions, the earlier rounds, the question) from OpenAI messages."""
    instructions = [m.text().strip() for m in messages if m.role in ("system", "developer")]
    *earlier, last = [m for m in messages if m.role in ("user", "assistant")]
    turns: list[Turn] = []
    for m in earlier:
        if m.role == "user" or not turns:
            turns.append(Turn(len(turns) + 1, []))
        turns[-1].messages.append({"role": m.role, "content": m.text()})
    return "\n\n".join(i for i in instructions if i) or None, turns, last.text()


def _usage(answer: ChatAnswer) -> CompletionUsage:
    u = answer.usage
    return CompletionUsage(
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        total_tokens=u.prompt_tokens + u.completion_tokens,
        cost=u.cost,
    )


def _finish(answer: ChatAnswer) -> str:
    return answer.finish_reason if answer.finish_reason in FINISH_REASONS else "stop"


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "JSON, or chunks with stream"},
        422: {"description": "malformed messages, unknown model, a message over the budget"},
        502: {"description": "the model failed"},
        504: {"description": "the model timed out"},
    },
)
async def chat_completions(
    body: ChatCompletionRequest,
    generation: GenerationDep,
    searcher: SearcherDep,
    services: ServicesDep,
) -> Any:
    """OpenAI-compatible chat: the conversation answered from the index, with citations."""
    spec = generation.models.get(body.model)  # UnknownModel: 422
    settings = services.settings
    conversation = Conversation(
        llm=generation.llm(spec.name),
        searcher=searcher,
        prompts=generation.prompts,
        guard=generation.guard,
        policy=guard_policy(generation, CHAT_BUSINESS),
        callbacks=generation.callbacks,
        k=body.k or settings.generation_k,
        filters=body.filters,
        answer_tokens=body.max_completion_tokens or body.max_tokens or settings.chat_answer_tokens,
        temperature=generation.options.temperature
        if body.temperature is None
        else body.temperature,
        search_mode=generation.options.search_mode,
        max_passage_chars=generation.options.max_passage_chars,
        business=CHAT_BUSINESS,
    )
    instructions, history, question = split_messages(body.messages)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    try:
        prepared = await conversation.prepare(
            question,
            history=history,
            memory=MemoryConfig(policy="tokens"),  # bounded by the context window alone
            instructions=instructions,
            request_id=completion_id[9:21],
        )
    except MessageTooLong as e:
        raise too_long(e) from e
    created = int(time.time())
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _chunks(conversation, prepared, completion_id, created, include_usage),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
    answer = await conversation.answer(prepared)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=answer.model,
        choices=[
            Choice(message=AnswerMessage(content=answer.answer), finish_reason=_finish(answer))
        ],
        usage=_usage(answer),
        citations=answer.citations,
        memory=answer.memory,
    )


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def _chunks(
    conversation: Conversation,
    prepared: Prepared,
    completion_id: str,
    created: int,
    include_usage: bool,
) -> AsyncIterator[str]:
    """The answer as OpenAI's `chat.completion.chunk` events, then `[DONE]`."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    task = asyncio.create_task(
        conversation.answer(prepared, stream=True, on_delta=queue.put_nowait)
    )
    task.add_done_callback(lambda _: queue.put_nowait(None))
    base: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": conversation.llm.name,
        "system_fingerprint": None,
    }
    if include_usage:
        base["usage"] = None

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return _data({**base, "choices": [choice], **extra})

    try:
        yield chunk({"role": "assistant", "content": ""})
        while (piece := await queue.get()) is not None:
            yield chunk({"content": piece})
        answer = task.result()
        yield chunk(
            {},
            _finish(answer),
            citations=[c.model_dump() for c in answer.citations],
            memory=answer.memory.model_dump(),
        )
        if include_usage:
            yield _data({**base, "choices": [], "usage": _usage(answer).model_dump()})
        yield "data: [DONE]\n\n"
    except GenerationError as e:
        log.error("chat completion failed mid-stream: %s", e)
        yield _data({**error_body(snake(type(e).__name__), str(e)), "status": e.status_code})
    except Exception:
        log.exception("unexpected error in a chat completion stream")
        yield _data(
            {
                **error_body("internal_error", "internal server error; see the server log"),
                "status": 500,
            }
        )
    finally:
        if not task.done():
            task.cancel()


# -- embeddings --------------------------------------------------------------------------------


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


# -- models ------------------------------------------------------------------------------------


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "specrag"
    type: Literal["chat", "embedding"] = Field(description="specrag: what the model does")
    context_window: int | None = Field(default=None, description="specrag: tokens")
    dimensions: int | None = Field(default=None, description="specrag: embedding dimensions")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def _cards(generation: Generation, services: Any) -> list[ModelCard]:
    cards = [
        ModelCard(id=spec.name, type="chat", context_window=spec.context_window)
        for spec in generation.models.models.values()
    ]
    embedder = services.embedder
    cards.append(ModelCard(id=embedder.name, type="embedding", dimensions=embedder.dimension))
    return cards


@router.get("/v1/models")
def list_models(generation: GenerationDep, services: ServicesDep) -> ModelList:
    """The configured chat models and the index's embedding model, in OpenAI's shape."""
    return ModelList(data=_cards(generation, services))


@router.get("/v1/models/{model_id}", responses={404: {"description": "unknown model"}})
def get_model(model_id: str, generation: GenerationDep, services: ServicesDep) -> ModelCard:
    """One model, in OpenAI's shape."""
    for card in _cards(generation, services):
        if card.id == model_id:
            return card
    raise ApiError(404, "not_found", f"no model {model_id!r}")
