"""`POST /v1/chat`, `GET /v1/chat/defaults`, `GET /v1/sessions`, `GET /v1/sessions/{id}`,
`DELETE /v1/sessions/{id}`: sessions with memory.

A message larger than the model's context window allows (with the system prompt and the
answer reserve) is refused with 422 `message_too_long`, naming its tokens and the budget; it is
never cut silently.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Authorized, ChatDep, GenerationDep, ServicesDep, SettingsDep
from api.disconnect import until_client_leaves
from api.validation import filters_are_text, not_blank, require_text
from generation.chat.memory import MemoryConfig
from generation.chat.session import CHAT_BUSINESSES, ChatReply
from generation.schemas import Citation, Usage
from retrieval.filters import Filters

MAX_MESSAGE_CHARS = 100_000

router = APIRouter(tags=["chat"], dependencies=Authorized)


class ChatRequest(BaseModel):
    """One user message, in a session or starting one."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(
        default=None, max_length=64, description="continue this session (new one when omitted)"
    )
    message: Annotated[str, not_blank("the message")] = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS
    )
    business: str | None = Field(
        default=None, description=f"guard policy and usage label: {', '.join(CHAT_BUSINESSES)}"
    )
    model: str | None = Field(
        default=None, max_length=200, description="a model from data/models.toml"
    )
    k: int | None = Field(default=None, ge=1, le=20, description="passages retrieved per turn")
    filters: Filters | None = Field(default=None, description="retrieval filters, as /v1/query")
    memory: MemoryConfig | None = Field(
        default=None, description="memory policy; kept by the session for later messages"
    )

    @field_validator("message")
    @classmethod
    def _message_is_text(cls, value: str) -> str:
        require_text(value, "the message")
        return value

    @field_validator("business")
    @classmethod
    def _known_business(cls, value: str | None) -> str | None:
        if value is not None and value not in CHAT_BUSINESSES:
            raise ValueError(f"unknown business {value!r}; known: {', '.join(CHAT_BUSINESSES)}")
        return value

    @field_validator("filters")
    @classmethod
    def _filters_are_text(cls, value: Filters | None) -> Filters | None:
        return filters_are_text(value)


class TurnView(BaseModel):
    n: int
    user: str
    assistant: str
    model: str
    citations: list[Citation]
    usage: Usage
    ts: float


class SessionView(BaseModel):
    session_id: str
    created: float
    updated: float
    model: str | None
    business: str
    memory: MemoryConfig
    summary: str | None
    summarized_through: int = Field(description="the last turn folded into the summary")
    usage: Usage = Field(description="every model call of the session, summaries included")
    turns: list[TurnView]


class SessionSummary(BaseModel):
    session_id: str
    created: float
    updated: float
    model: str | None
    business: str
    turns: int = Field(description="turns stored")
    usage: Usage = Field(description="every model call of the session, summaries included")


class SessionPage(BaseModel):
    total: int
    offset: int
    sessions: list[SessionSummary] = Field(description="most recently updated first")


class MemoryDefaults(BaseModel):
    policy: str = Field(description="window, tokens or summary")
    max_turns: int = Field(description="window: turns kept")
    max_tokens: int = Field(description="tokens, summary: the memory's budget")


class ChatDefaults(BaseModel):
    model: str = Field(description="the model a request without `model` gets")
    memory: MemoryDefaults


class Deleted(BaseModel):
    session_id: str
    deleted: bool = True


@router.post(
    "/v1/chat",
    responses={
        404: {"description": "unknown session"},
        409: {"description": "another request answered this session's turn first"},
        422: {"description": "empty or too long message, unknown or unavailable model or business"},
        502: {"description": "the model failed"},
        504: {"description": "the model timed out"},
    },
)
async def chat(body: ChatRequest, chat: ChatDep, request: Request) -> ChatReply:
    """Answer a message from passages retrieved for the conversation, with citations. A
    client that leaves stops the answer, and its turn is not stored."""
    sent = chat.send(
        body.message,
        session_id=body.session_id,
        model=body.model,
        business=body.business,
        memory=body.memory,
        k=body.k,
        filters=body.filters,
    )
    return await until_client_leaves(request, sent)


@router.get("/v1/chat/defaults")
def chat_defaults(settings: SettingsDep, generation: GenerationDep) -> ChatDefaults:
    """What a message without `model` or `memory` gets: the server's settings (the web page
    starts from them)."""
    return ChatDefaults(
        model=generation.models.default,
        memory=MemoryDefaults(
            policy=settings.chat_memory_policy,
            max_turns=settings.chat_max_turns,
            max_tokens=settings.chat_max_tokens,
        ),
    )


@router.get("/v1/sessions")
def list_sessions(
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> SessionPage:
    """The sessions, most recently updated first, with their turn counts and usage."""
    total, found = services.sessions.recent(limit=limit, offset=offset)
    return SessionPage(
        total=total,
        offset=offset,
        sessions=[
            SessionSummary(
                session_id=s.id,
                created=s.created,
                updated=s.updated,
                model=s.model,
                business=s.business,
                turns=s.turns,
                usage=Usage(**s.usage),
            )
            for s in found
        ],
    )


@router.get("/v1/sessions/{session_id}", responses={404: {"description": "unknown session"}})
def get_session(session_id: str, services: ServicesDep) -> SessionView:
    """A session: its turns, running summary, memory settings and usage."""
    store = services.sessions
    session = store.get(session_id)
    turns: list[Any] = store.turns(session_id)
    return SessionView(
        session_id=session.id,
        created=session.created,
        updated=session.updated,
        model=session.model,
        business=session.business,
        memory=session.memory,
        summary=session.summary,
        summarized_through=session.summarized_through,
        usage=Usage(**session.usage),
        turns=[
            TurnView(
                n=t.n,
                user=t.user,
                assistant=t.assistant,
                model=t.model,
                # turns stored before responses named documents held the server's path
                citations=[Citation(**services.naming.value(c)) for c in t.citations],
                usage=Usage(
                    prompt_tokens=t.prompt_tokens,
                    completion_tokens=t.completion_tokens,
                    total_tokens=t.prompt_tokens + t.completion_tokens,
                    cost=t.cost,
                ),
                ts=t.ts,
            )
            for t in turns
        ],
    )


@router.delete("/v1/sessions/{session_id}", responses={404: {"description": "unknown session"}})
def delete_session(session_id: str, services: ServicesDep) -> Deleted:
    """Delete a session and its turns."""
    services.sessions.delete(session_id)
    return Deleted(session_id=session_id)
