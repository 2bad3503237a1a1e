"""`POST /v1/chat/completions` (see `api.routes.openai`)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.deps import Authorized, ChatDep
from api.disconnect import until_client_leaves
from api.errors import domain_body, error_body
from api.validation import MAX_CONTENT_CHARS, require_text
from generation.chat.memory import MemoryConfig, MemoryReport, Turn
from generation.chat.turn import ChatAnswer, Conversation, PreparedTurn
from generation.errors import GenerationError
from generation.schemas import Citation, StepGrounding
from retrieval.filters import Filters

log = logging.getLogger(__name__)

MAX_MESSAGES = 1000
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
    citations: list[Citation] = Field(description="specrag: the passages shown to the model")
    memory: MemoryReport = Field(description="specrag: earlier turns kept and dropped, tokens")
    grounding: StepGrounding | None = Field(
        default=None, description="specrag: the answer's figures checked against its sources"
    )


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
        422: {
            "description": "malformed messages, unknown or unavailable model, a message over "
            "the budget"
        },
        502: {"description": "the model failed"},
        504: {"description": "the model timed out"},
    },
)
async def chat_completions(body: ChatCompletionRequest, chat: ChatDep, request: Request) -> Any:
    """OpenAI-compatible chat: the conversation answered from the index, with citations."""
    conversation = chat.conversation(  # Unknown/UnavailableModel: 422
        model=body.model,
        k=body.k,
        filters=body.filters,
        answer_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
    )
    instructions, history, question = split_messages(body.messages)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    prepared = await conversation.prepare(
        question,
        history=history,
        memory=MemoryConfig(policy="tokens"),  # bounded by the context window alone
        instructions=instructions,
        request_id=completion_id[9:21],
    )
    created = int(time.time())
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _chunks(conversation, prepared, completion_id, created, include_usage),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
    answer = await until_client_leaves(request, conversation.answer(prepared))
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
        grounding=answer.grounding,
    )


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def _chunks(
    conversation: Conversation,
    prepared: PreparedTurn,
    completion_id: str,
    created: int,
    include_usage: bool,
) -> AsyncIterator[str]:
    """The answer as OpenAI's `chat.completion.chunk` events, then `[DONE]`. A client that
    goes away stops the model: the answer stream is closed with this one."""
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
        answer: ChatAnswer | None = None
        async with aclosing(conversation.answer_stream(prepared)) as items:
            async for item in items:
                if isinstance(item, str):
                    yield chunk({"content": item})
                else:
                    answer = item
        assert answer is not None, "an answer stream ends with its answer"
        yield chunk(
            {},
            _finish(answer),
            citations=[c.model_dump() for c in answer.citations],
            memory=answer.memory.model_dump(),
            grounding=answer.grounding.model_dump() if answer.grounding else None,
        )
        if include_usage:
            yield _data({**base, "choices": [], "usage": _usage(answer).model_dump()})
        yield "data: [DONE]\n\n"
    except GenerationError as e:
        log.error("chat completion failed mid-stream: %s", e)
        yield _data({**domain_body(e), "status": e.status})
    except Exception:
        log.exception("unexpected error in a chat completion stream")
        yield _data(
            {
                **error_body("internal_error", "internal server error; see the server log"),
                "status": 500,
            }
        )
