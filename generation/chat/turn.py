"""One chat answer: passages retrieved for the conversation, bounded memory, a cited answer.

`Conversation` is the chat's answer flow (`generation.answer.AnswerFlow`) and stateless: given
the earlier turns, the running summary and the new message, `prepare` builds the prompt within
the model's context window (`generation.chat.memory`) and folds overflowing turns into the
summary when the policy says so; `answer` / `answer_stream` ask the model. The session layer
(`generation.chat.session`, which also builds every Conversation) and the OpenAI-compatible
route both drive it.

The prompt, one message per part so that each part's tokens are counted apart
(`data/prompts/chat/answer.j2`, blocks `system`, `summary`, `passages`):

    system    instructions (plus a client's own system messages)
    system    the running summary (summary policy, once something was folded)
    user/assistant ...  the kept earlier turns, verbatim
    system    the topic cars' numbered facts, the passages retrieved for this turn
    user      the message

Retrieval is for the conversation, not only the last line: the message alone and the message
after the previous user message are searched (`generation.passages.PassageBook`), their
results interleaved by rank, `k` in all, among the chunks about the turn's topic cars
(`generation.chat.topic`: the cars the message names, else those named last) when there are
any. The topic cars' facts are numbered in the same citation list (`generation.chat.lookup`);
the embedded model's answer is written from them (or, about no car, says what chat answers)
without a model call. The
passages and facts get the context window's room left after the system prompt, message and
reserve, ceding up to half of it to the memory; the lowest-ranked passages go first.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import anyio
import jinja2
from pydantic import Field

from generation.answer import AnswerFlow, Prepared
from generation.callbacks import Callbacks
from generation.chat.lookup import CHAT_STEP, TurnFacts, turn_facts
from generation.chat.memory import (
    MemoryConfig,
    MemoryReport,
    TokenCounter,
    Turn,
    check_message,
    plan,
    report_tokens,
    settle,
)
from generation.chat.summary import PROMPTS, fold
from generation.chat.topic import Topic, Topics, car_filters, language_of
from generation.errors import PromptError
from generation.facts import Facts
from generation.guard import Guard, GuardHit, GuardPolicy, check_input
from generation.llm.base import LLM, Completion, Message
from generation.passages import Passage, PassageBook, Searcher, cite, cited_numbers
from generation.prompts import PromptLibrary
from generation.schemas import Citation, FactsAnswered, Usage

log = logging.getLogger(__name__)


class ChatAnswer(FactsAnswered):
    """The answer to one message, with what it was grounded in and what it cost."""

    answer: str
    citations: list[Citation]
    memory: MemoryReport
    model: str
    usage: Usage
    finish_reason: str | None = None
    guard: list[GuardHit] = Field(default_factory=list, description="sensitive words found")


@dataclass(kw_only=True)
class PreparedTurn(Prepared):
    """A chat prompt ready to send, and what was spent building it (summary calls)."""

    memory: MemoryReport
    reserve: int
    usage: Usage = field(default_factory=Usage)
    summary: str | None = None  # the running summary after this request's fold
    summarized_through: int = 0
    input_hits: list[GuardHit] = field(default_factory=list)
    topic: Topic = field(default_factory=Topic)
    facts: TurnFacts = field(default_factory=TurnFacts)


class Conversation(AnswerFlow[PreparedTurn, ChatAnswer]):
    """Answers one message of a conversation with one model.

    Args:
        filters: retrieval filters (`retrieval.filters.Filters` or a mapping), for every search.
        answer_tokens: the answer's reserve (its max_tokens), at most a quarter of the window.
        business: labels usage and events; picks the guard policy (the caller passes it).
        facts, topics: the car facts and the topic finder; a turn about cars is searched
            among their chunks and answered from their facts (none: from passages alone).
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
        k: int = 5,
        filters: Any = None,
        answer_tokens: int = 512,
        temperature: float = 0.7,
        search_mode: str = "hybrid",
        max_passage_chars: int = 1500,
        business: str = "chat",
        facts: Facts | None = None,
        topics: Topics | None = None,
    ):
        super().__init__(
            llm=llm,
            searcher=searcher,
            prompts=prompts,
            guard=guard,
            policy=policy,
            callbacks=callbacks,
            limiter=limiter,
        )
        self.k = k
        self.filters = filters
        self.answer_tokens = answer_tokens
        self.temperature = temperature
        self.search_mode = search_mode
        self.max_passage_chars = max_passage_chars
        self.business = business
        self.facts = facts
        self.topics = topics

    @property
    def reserve(self) -> int:
        return max(1, min(self.answer_tokens, self.llm.spec.context_window // 4))

    # -- the prompt --------------------------------------------------------------------------

    async def prepare(
        self,
        message: str,
        *,
        history: Sequence[Turn],
        memory: MemoryConfig,
        summary: str | None = None,
        summarized_through: int = 0,
        instructions: str | None = None,
        request_id: str | None = None,
    ) -> PreparedTurn:
        """The prompt for `message`: guard, budget, retrieval, memory (and its summary call).

        Raises SensitiveInput and MessageTooLong (422) before any retrieval or model call.
        """
        events = self.request_events(self.business, request_id)
        hits = check_input(self.guard, {"message": message}, self.policy)
        counter = TokenCounter(self.llm.spec)
        window, reserve = self.llm.spec.context_window, self.reserve
        system = [self._block("system", instructions=instructions)]
        question = {"role": "user", "content": message}
        fixed = counter.priming + counter.messages(system)
        check_message(
            counter, system=fixed, message=counter.message(question), reserve=reserve, window=window
        )
        room = window - fixed - counter.message(question) - reserve

        topic = self.topics.topic(message, history) if self.topics else Topic()
        book = self.book(
            k=self.k, mode=self.search_mode, max_chars=self.max_passage_chars, filters=self.filters
        )
        found, about_car = await self._retrieve(message, history, topic, book, events)
        facts = await self._facts(message, topic, book, found if about_car else [])
        wanted = self._memory_wanted(history, memory, counter, summary, summarized_through)
        passages, shown = self._fit_passages(
            found, counter, room - min(room // 2, wanted), facts.lines, facts.asked
        )
        room -= counter.messages(shown)
        numbers = cited_numbers("\n".join([*facts.lines, facts.direct or ""]))
        kept = {p.chunk_id for p in passages}
        sources = [p for p in book.shown.values() if p.n in numbers and p.chunk_id not in kept]
        passages = sorted([*passages, *sources], key=lambda p: p.n)

        summary_overhead = counter.message(self._block("summary", summary=""))
        current = counter.message(self._block("summary", summary=summary)) if summary else 0
        memory_plan = plan(
            history,
            memory,
            counter,
            room=room,
            summary_tokens=current,
            summary_overhead=summary_overhead,
            summarized_through=summarized_through,
        )
        usage = Usage()
        through = summarized_through
        if memory_plan.to_fold:
            summary = await fold(
                self.llm,
                self.prompts,
                summary,
                memory_plan.to_fold,
                memory_plan.summary_cap - summary_overhead,
                events=events,
                usage=usage,
            )
            through = memory_plan.to_fold[-1].n
        summary_part: list[Message] = []
        shown_summary: str | None = None
        if memory_plan.include_summary and summary:
            shown_summary = self._fit_summary(counter, summary, memory_plan.summary_cap)
            if shown_summary:
                summary_part = [self._block("summary", summary=shown_summary)]
        settle(memory_plan, counter, room - counter.messages(summary_part))
        history_part = [m for t in memory_plan.kept for m in t.messages]
        tokens = report_tokens(
            counter,
            system=system,
            summary=summary_part,
            history=history_part,
            passages=shown,
            message=[question],
            reserve=reserve,
            window=window,
        )
        report = MemoryReport(
            policy=memory.policy,
            kept_turns=[t.n for t in memory_plan.kept],
            dropped_turns=memory_plan.dropped,
            summary=shown_summary,
            summarized_through=through if memory.policy == "summary" else 0,
            folded_turns=[t.n for t in memory_plan.to_fold],
            max_turns=memory.max_turns if memory.policy == "window" else None,
            max_tokens=memory.max_tokens if memory.policy != "window" else None,
            memory_budget=memory_plan.budget,
            tokens=tokens,
        )
        return PreparedTurn(
            messages=[*system, *summary_part, *history_part, *shown, question],
            passages=passages,
            memory=report,
            reserve=reserve,
            events=events,
            usage=usage,
            summary=summary,
            summarized_through=through,
            input_hits=hits,
            topic=topic,
            facts=facts,
        )

    def _block(self, name: str, **variables: Any) -> Message:
        """One block of the answer template as a message (`system` role, text stripped)."""
        template_name, _ = self.prompts.resolve(PROMPTS, "answer", self.llm.name)
        values = {
            "business": self.business,
            "instructions": None,
            "summary": None,
            "passages": [],
            "facts": [],
            **variables,
        }
        try:
            template = self.prompts.env.get_template(template_name)
            text = "".join(template.blocks[name](template.new_context(values))).strip()
        except KeyError as e:
            raise PromptError(f"prompt {template_name}: no block {name!r}") from e
        except jinja2.TemplateError as e:
            raise PromptError(f"prompt {template_name}: {e}") from e
        return {"role": "system", "content": text}

    def _memory_wanted(
        self,
        history: Sequence[Turn],
        memory: MemoryConfig,
        counter: TokenCounter,
        summary: str | None,
        summarized_through: int,
    ) -> int:
        """The tokens the memory could use at most, so passages leave it its share."""
        if memory.policy == "window":
            turns = list(history[-memory.max_turns :]) if memory.max_turns else list(history)
        else:
            turns = [t for t in history if t.n > summarized_through]
        wanted = counter.messages(m for t in turns for m in t.messages)
        if memory.policy == "summary" and summary:
            wanted += counter.message(self._block("summary", summary=summary))
        if memory.policy != "window" and memory.max_tokens:
            wanted = min(wanted, memory.max_tokens)
        return wanted

    def _fit_passages(
        self, found: list[Passage], counter: TokenCounter, limit: int, facts: list[str], keep: int
    ) -> tuple[list[Passage], list[Message]]:
        """The facts and best-ranked passages whose message fits `limit` tokens: the facts
        past the first `keep` (the asked ones) go first, then the lowest-ranked passages, then
        the asked facts. `facts` is trimmed in place."""
        n = len(found)
        while True:
            message = self._block("passages", passages=found[:n], facts=facts)
            if counter.message(message) <= limit:
                return found[:n], [message]
            if len(facts) > keep:
                facts.pop()
            elif n:
                n -= 1
            elif facts:
                facts.pop()
            else:
                return [], []

    def _fit_summary(self, counter: TokenCounter, summary: str, cap: int) -> str:
        """`summary` cut so that its message fits `cap` tokens ("" when nothing fits)."""
        text = summary
        while text:
            over = counter.message(self._block("summary", summary=text)) - cap
            if over <= 0:
                return text
            text = counter.truncate(text, max(counter.text(text) - over, 0)).rstrip()
        return ""

    # -- retrieval ---------------------------------------------------------------------------

    async def _retrieve(
        self,
        message: str,
        history: Sequence[Turn],
        topic: Topic,
        book: PassageBook,
        events: Callbacks,
    ) -> tuple[list[Passage], bool]:
        """The turn's passages, and whether they are about its topic cars: searched among the
        cars' chunks first, then, if none is found, among all."""
        queries = [message]
        previous = next(
            (m["content"] for t in reversed(history) for m in t.messages if m["role"] == "user"),
            None,
        )
        if previous:
            queries.append(f"{previous[-500:]} {message}")
        narrowed = car_filters(self.filters, topic.cars)
        if narrowed is not self.filters:
            book.filters = narrowed
            found = await book.retrieve(CHAT_STEP, queries, events)
            book.filters = self.filters
            if found:
                return found, True
        found = await book.retrieve(CHAT_STEP, queries, events)
        return found, bool(topic.cars and found) and narrowed is self.filters

    async def _facts(
        self, message: str, topic: Topic, book: PassageBook, about_car: list[Passage]
    ) -> TurnFacts:
        if self.facts is None or self.topics is None:
            return TurnFacts()
        local = self.llm.spec.kind == "local"
        return await turn_facts(
            self.facts, self.topics, topic, language_of(message), book, about_car, local=local
        )

    # -- the model call --------------------------------------------------------------------

    async def answer_stream(
        self, prepared: PreparedTurn, *, incremental: bool = True
    ) -> AsyncGenerator[str | ChatAnswer, None]:
        """The answer's text as the model writes it, then the answer with its citations,
        memory report and usage.

        A streamed answer has already been shown as it came, so sensitive words in it are
        reported (`guard`) but not masked; a whole answer is masked unless the business's
        policy allows them.
        """
        if prepared.facts.direct is not None:
            if incremental:
                yield prepared.facts.direct
            yield self._answered(prepared, prepared.facts.direct, prepared.usage, "stop", [])
            return
        completion: Completion | None = None
        call = self.llm.stream(
            prepared.messages,
            max_tokens=prepared.reserve,
            temperature=self.temperature,
            callbacks=prepared.events.child(step="answer"),
            incremental=incremental,
        )
        async with aclosing(call) as items:
            async for item in items:
                if isinstance(item, Completion):
                    completion = item
                else:
                    yield item
        assert completion is not None, "a model stream ends with its Completion"
        usage = prepared.usage.model_copy()
        usage.add(completion.prompt_tokens, completion.completion_tokens, completion.cost)
        text = completion.text.strip()
        hits = self.guard.scan(text, field="answer")
        masked = bool(hits) and not incremental and self.policy.output != "allow"
        action = "mask" if masked else "allow"
        self.report_hits(prepared.events, hits, where="output", action=action)
        if masked:
            text = self.guard.mask(text, hits, char=self.policy.mask_char)
        yield self._answered(prepared, text, usage, completion.finish_reason, hits, incremental)

    def _answered(
        self,
        prepared: PreparedTurn,
        text: str,
        usage: Usage,
        finish_reason: str | None,
        hits: list[GuardHit],
        incremental: bool = False,
    ) -> ChatAnswer:
        """The answer with its grounding (`lookup.TurnFacts.settle`)."""
        text, writer, used, grounding = prepared.facts.settle(
            text, prepared.passages, step=CHAT_STEP
        )
        return ChatAnswer(
            answer=text,
            citations=cite(prepared.passages, [text]),
            memory=prepared.memory,
            model=self.llm.name,
            usage=usage,
            finish_reason=finish_reason,
            guard=[*prepared.input_hits, *hits],
            cars=prepared.facts.cars,
            writer=writer,
            facts=used,
            grounding=grounding,
        )
