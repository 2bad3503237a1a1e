"""The one answer flow: prepare (retrieve passages, build the prompt), then answer or stream.

Every retrieval-augmented answer has this shape (Azure-Samples' rag-postgres-openai-python):
a flow's `prepare(...)` retrieves passages through a `PassageBook` (the request's filters, the
search limiter, numbering across the request) and builds the messages; `answer(prepared)`
returns the whole answer; `answer_stream(prepared)` yields its text as it comes, then the same
answer. The flows:

- a chat turn, `generation.chat.turn.Conversation`, behind `POST /v1/chat` and
  `POST /v1/chat/completions` (built in one place, `generation.chat.session.Chat.conversation`);
- each step of the content chain, `generation.chain.run.Chain` (a JSON step is shown only once
  it is checked, so its stream is the answer alone).

As with the model layer (`LLM.stream`, `LLM.complete`), a flow implements the stream and the
whole answer is the stream drained, with `incremental=False` (no pieces; a whole answer may be
treated differently, e.g. masked before anyone sees it).
"""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

from generation.callbacks import Callbacks
from generation.guard import Guard, GuardHit, GuardPolicy, words_of
from generation.llm.base import LLM, Message
from generation.passages import Passage, PassageBook, Searcher
from generation.prompts import PromptLibrary

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Prepared:
    """A prompt ready for the model: what a flow's `prepare` built."""

    messages: list[Message]
    passages: list[Passage]  # the passages the prompt shows, numbered
    events: Callbacks  # the request's (business, request_id; a chain step's: step)


PreparedT = TypeVar("PreparedT", bound=Prepared)
AnswerT = TypeVar("AnswerT")


class AnswerFlow(ABC, Generic[PreparedT, AnswerT]):
    """Retrieval-augmented answers with one model: `prepare` → `answer` / `answer_stream`.

    Args:
        searcher, limiter: what every `PassageBook` of the flow searches with; `limiter` bounds
            the searches' worker threads (the API's `search_limiter`, shared with `/v1/query`).
        policy: the business's guard policy.
    """

    def __init__(
        self,
        *,
        llm: LLM,
        searcher: Searcher,
        prompts: PromptLibrary,
        guard: Guard,
        policy: GuardPolicy | None = None,
        callbacks: Callbacks | None = None,
        limiter: anyio.CapacityLimiter | None = None,
    ):
        self.llm = llm
        self.searcher = searcher
        self.prompts = prompts
        self.guard = guard
        self.policy = policy or GuardPolicy()
        self.callbacks = callbacks or Callbacks()
        self.limiter = limiter

    @abstractmethod
    def answer_stream(
        self, prepared: PreparedT, *, incremental: bool = True
    ) -> AsyncGenerator[str | AnswerT, None]:
        """The answer's text as it comes, then the answer; `incremental=False`: the answer
        alone. Stops the model when the caller stops iterating."""

    async def answer(self, prepared: PreparedT) -> AnswerT:
        """The whole answer: `answer_stream` drained."""
        async with aclosing(self.answer_stream(prepared, incremental=False)) as items:
            async for item in items:
                if not isinstance(item, str):
                    return item
        raise AssertionError("an answer stream ends with its answer")

    # -- what the flows share ----------------------------------------------------------------

    def request_events(self, business: str, request_id: str | None) -> Callbacks:
        """The callbacks of one request: every event carries its business and id."""
        request_id = request_id or uuid.uuid4().hex[:12]
        return self.callbacks.child(business=business, request_id=request_id)

    def book(self, *, k: int, mode: str, max_chars: int, filters: Any = None) -> PassageBook:
        """A request's passages, searched with the flow's searcher under its limiter."""
        return PassageBook(
            self.searcher,
            k=k,
            mode=mode,
            filters=filters,
            max_chars=max_chars,
            limiter=self.limiter,
        )

    def report_hits(
        self, events: Callbacks, hits: list[GuardHit], *, where: str, action: str
    ) -> None:
        """Log sensitive words found in the input or output, and emit `guard.hit`."""
        if not hits:
            return
        log.warning("sensitive words in the %s (%s): %s", where, action, ", ".join(words_of(hits)))
        events.emit(
            "guard.hit",
            where=where,
            action=action,
            words=words_of(hits),
            hits=[h.model_dump() for h in hits],
        )
