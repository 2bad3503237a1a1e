"""Chat sessions: a conversation's turns, memory settings and summary kept between requests.

`Chat.conversation` builds every `Conversation` (the chat's answer flow), for `Chat.send` and
for `POST /v1/chat/completions`. `Chat.send` loads the session (or starts one), runs the
message through a `Conversation` with the session's earlier turns and running summary, then
records the turn. A new session is
only written once its first answer succeeded, so a failed first message leaves nothing behind.
A summary folded by a request is stored even if the answer then fails: its call was paid for,
and the next request reuses it instead of summarising the same turns again.

The request's model, business and memory settings, when given, become the session's; when left
out, the session's own are used (the defaults for a new session).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from pydantic import Field

from generation.chat.memory import MemoryConfig, MemoryReport, Policy, Turn
from generation.chat.store import Session, SessionStore, StoredTurn
from generation.chat.topic import Topics
from generation.chat.turn import ChatAnswer, Conversation
from generation.errors import UnknownBusiness
from generation.guard import GuardPolicy
from generation.passages import Searcher
from generation.schemas import BUSINESSES, Citation, FactsAnswered, Usage
from generation.service import Generation

CHAT_BUSINESS = "chat"
CHAT_BUSINESSES = (CHAT_BUSINESS, *BUSINESSES)


def guard_policy(generation: Generation, business: str) -> GuardPolicy:
    """The business's guard policy; for `chat`, unless configured, questions are let through
    (a user asking for "the cheapest version" is not writing ad copy) and answers masked."""
    if business == CHAT_BUSINESS and business not in generation.policies:
        return GuardPolicy(input="allow", output="mask")
    return generation.policy(business)


@dataclass(frozen=True)
class ChatDefaults:
    """Settings-derived defaults for a session's memory and answers."""

    policy: Policy = "tokens"
    max_turns: int = 10
    max_tokens: int = 2000
    k: int = 5
    answer_tokens: int = 512


class ChatReply(FactsAnswered):
    """The answer to one message of a session (`POST /v1/chat`)."""

    session_id: str
    turn: int = Field(description="this turn's number in the session, from 1")
    answer: str
    citations: list[Citation]
    memory: MemoryReport
    model: str
    usage: Usage = Field(description="this request's model calls: the answer and any summary")
    finish_reason: str | None = None


class Chat:
    """Sessions over one `Generation` (models, prompts, guard, callbacks) and one searcher.

    Args:
        limiter: bounds the searches' worker threads (the API's `search_limiter`).
        topics: finds each turn's topic cars and asked attributes; with the generation's
            facts, turns about a car are searched among its chunks and answered from its
            facts (None: from passages alone).
    """

    def __init__(
        self,
        *,
        generation: Generation,
        searcher: Searcher,
        sessions: SessionStore,
        defaults: ChatDefaults | None = None,
        limiter: anyio.CapacityLimiter | None = None,
        topics: Topics | None = None,
    ):
        self.generation = generation
        self.topics = topics
        self.searcher = searcher
        self.sessions = sessions
        self.defaults = defaults or ChatDefaults()
        self.limiter = limiter

    def conversation(
        self,
        *,
        model: str | None = None,
        business: str = CHAT_BUSINESS,
        k: int | None = None,
        filters: Any = None,
        answer_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Conversation:
        """A conversation with `model` (the default when None; Unknown/UnavailableModel, 422) for
        `business`; omitted settings are the defaults and the generation options."""
        options = self.generation.options
        return Conversation(
            llm=self.generation.llm(model),
            searcher=self.searcher,
            prompts=self.generation.prompts,
            guard=self.generation.guard,
            policy=guard_policy(self.generation, business),
            callbacks=self.generation.callbacks,
            limiter=self.limiter,
            k=k or self.defaults.k,
            filters=filters,
            answer_tokens=answer_tokens or self.defaults.answer_tokens,
            temperature=options.temperature if temperature is None else temperature,
            search_mode=options.search_mode,
            max_passage_chars=options.max_passage_chars,
            business=business,
            facts=self.generation.facts,
            topics=self.topics,
        )

    def memory_config(self, memory: MemoryConfig | None, session: Session | None) -> MemoryConfig:
        """The request's memory settings, else the session's, else the defaults; filled in."""
        d = self.defaults
        chosen = memory or (session.memory if session else MemoryConfig(policy=d.policy))
        return chosen.resolved(max_turns=d.max_turns, max_tokens=d.max_tokens)

    async def send(
        self,
        message: str,
        *,
        session_id: str | None = None,
        model: str | None = None,
        business: str | None = None,
        memory: MemoryConfig | None = None,
        k: int | None = None,
        filters: Any = None,
    ) -> ChatReply:
        """Answer `message` in session `session_id` (a new session when None).

        Raises SessionNotFound (404), UnknownModel / UnavailableModel / UnknownBusiness /
        MessageTooLong / SensitiveInput (422), SessionBusy (409), and the model's errors (502, 504).
        """
        session = self.sessions.get(session_id) if session_id else None
        model = model or (session.model if session else None)
        spec = self.generation.models.usable(model)  # Unknown/UnavailableModel before any work
        business = business or (session.business if session else CHAT_BUSINESS)
        if business not in CHAT_BUSINESSES:
            raise UnknownBusiness(
                f"unknown business {business!r}; known: {', '.join(CHAT_BUSINESSES)}"
            )
        config = self.memory_config(memory, session)
        stored = self.sessions.turns(session.id) if session else []
        history = [Turn(t.n, t.messages()) for t in stored]
        conversation = self.conversation(model=spec.name, business=business, k=k, filters=filters)
        new_id = session.id if session else uuid.uuid4().hex
        prepared = await conversation.prepare(
            message,
            history=history,
            memory=config,
            summary=session.summary if session else None,
            summarized_through=session.summarized_through if session else 0,
            request_id=new_id[:12],
        )
        if session and prepared.summarized_through > session.summarized_through:
            self.sessions.set_summary(
                session.id, prepared.summary or "", through=prepared.summarized_through
            )
            self._charge(session.id, prepared.usage)
        answer = await conversation.answer(prepared)
        if session is None:
            session = self.sessions.create(
                model=model, business=business, memory=config, session_id=new_id
            )
        else:
            self.sessions.update_settings(session.id, model=model, business=business, memory=config)
        turn = (stored[-1].n if stored else 0) + 1
        self.sessions.add_turn(session.id, self._stored(turn, message, answer))
        # The summary calls are on the session already; this adds the answer's.
        self._charge(session.id, answer.usage, less=prepared.usage)
        return ChatReply(
            session_id=session.id,
            turn=turn,
            answer=answer.answer,
            citations=answer.citations,
            memory=answer.memory,
            model=answer.model,
            usage=answer.usage,
            finish_reason=answer.finish_reason,
            cars=answer.cars,
            writer=answer.writer,
            facts=answer.facts,
            grounding=answer.grounding,
        )

    def _charge(self, session_id: str, usage: Usage, *, less: Usage | None = None) -> None:
        less = less or Usage()
        self.sessions.add_usage(
            session_id,
            prompt_tokens=usage.prompt_tokens - less.prompt_tokens,
            completion_tokens=usage.completion_tokens - less.completion_tokens,
            cost=round(usage.cost - less.cost, 10),
            calls=usage.calls - less.calls,
        )

    @staticmethod
    def _stored(n: int, message: str, answer: ChatAnswer) -> StoredTurn:
        return StoredTurn(
            n=n,
            user=message,
            assistant=answer.answer,
            model=answer.model,
            citations=[c.model_dump() for c in answer.citations],
            prompt_tokens=answer.usage.prompt_tokens,
            completion_tokens=answer.usage.completion_tokens,
            cost=answer.usage.cost,
            ts=time.time(),
        )
