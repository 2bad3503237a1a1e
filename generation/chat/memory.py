"""Conversation memory: which earlier turns go into the next prompt, and what each part costs.

A turn is one round of a conversation: the user's message and the answer to it, numbered from
1. Three policies choose the earlier turns a prompt repeats:

- `window`: the last `max_turns` turns;
- `tokens`: the most recent turns whose messages fit `max_tokens`;
- `summary`: the most recent turns that fit `max_tokens` together with a running summary;
  turns that overflow are folded into the summary by the model (the caller makes that call:
  `MemoryPlan.to_fold`), once: a turn already folded is never summarised again.

In every policy the whole prompt is budgeted against the model's context window: the system
prompt, the user's message and the answer reserve come first (a message that cannot fit with
them is `MessageTooLong`, 422, naming the budget), then the retrieved passages, and the
memory (summary and turns) gets what is left. Kept turns are always the most recent ones, with
no gap: a turn too large to fit hides the older ones too, so the model never sees a
conversation with a hole in it.

Tokens are counted with the model's own tokenizer (`generation.usage`), framing included: each
part's count is what its messages add to `count_messages`, so the parts add up to the prompt's
count, plus the reserve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from generation.errors import MessageTooLong
from generation.llm.counting import FALLBACK_ENCODING, count_messages, count_tokens
from generation.models import ModelSpec
from ingest.encodings import get_encoding

Policy = Literal["window", "tokens", "summary"]
POLICIES: tuple[Policy, ...] = ("window", "tokens", "summary")
Message = dict[str, str]

# Below this many tokens a summary says nothing useful: it is left out rather than cut.
MIN_SUMMARY_TOKENS = 24
# The summary's ceiling, whatever the memory budget: a summary, not a second transcript.
MAX_SUMMARY_TOKENS = 400


class MemoryConfig(BaseModel):
    """How much of the conversation a prompt repeats (request field `memory`)."""

    model_config = ConfigDict(extra="forbid")

    policy: Policy = Field(default="tokens", description="window, tokens or summary")
    max_turns: int | None = Field(
        default=None, ge=1, le=1000, description="window: the last N turns (default: settings)"
    )
    max_tokens: int | None = Field(
        default=None,
        ge=32,
        le=1_000_000,
        description="tokens, summary: the memory's token budget (default: settings)",
    )

    def resolved(self, *, max_turns: int, max_tokens: int) -> MemoryConfig:
        """A copy with the defaults filled in."""
        return self.model_copy(
            update={
                "max_turns": self.max_turns or max_turns,
                "max_tokens": self.max_tokens or max_tokens,
            }
        )


class TokenReport(BaseModel):
    """A prompt's tokens by part; `total` (the prompt plus the reserve) never exceeds `budget`."""

    system: int = Field(description="system prompt and the reply priming")
    summary: int = 0
    history: int = 0
    passages: int = 0
    message: int = 0
    reserve: int = Field(description="room kept for the answer (its max_tokens)")
    total: int
    budget: int = Field(description="the model's context window")


class MemoryReport(BaseModel):
    """What a prompt kept of the conversation, and what it cost."""

    policy: Policy
    kept_turns: list[int] = Field(description="earlier turns repeated verbatim")
    dropped_turns: list[int] = Field(description="earlier turns left out (or only summarised)")
    summary: str | None = None
    summarized_through: int = Field(default=0, description="the last turn folded into the summary")
    folded_turns: list[int] = Field(
        default_factory=list, description="turns folded into the summary by this request"
    )
    max_turns: int | None = None
    max_tokens: int | None = None
    memory_budget: int = Field(default=0, description="tokens the summary and kept turns could use")
    tokens: TokenReport


@dataclass
class Turn:
    """One round: the user's message and the answer (the OpenAI route may send other shapes)."""

    n: int
    messages: list[Message]


class TokenCounter:
    """One model's token counts, framing included, cached by message."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self._cache: dict[tuple[str, str], int] = {}
        # A chat template may add a default system prompt before a first non-system message,
        # so messages are measured after a system message of their own.
        self._base = [{"role": "system", "content": ""}]
        self._base_count = count_messages(self._base, spec)
        # What the prompt costs beyond its messages (the reply's priming): a chat template
        # refuses an empty conversation, so it is measured as one message minus that message.
        self.priming = self._base_count - self.message(self._base[0])

    def message(self, message: Message) -> int:
        key = (message["role"], message["content"])
        if key not in self._cache:
            self._cache[key] = count_messages([*self._base, message], self.spec) - self._base_count
        return self._cache[key]

    def messages(self, messages: Iterable[Message]) -> int:
        return sum(self.message(m) for m in messages)

    def turn(self, turn: Turn) -> int:
        return self.messages(turn.messages)

    def text(self, text: str) -> int:
        return count_tokens(text, self.spec)

    def truncate(self, text: str, tokens: int) -> str:
        """The longest prefix of `text` within `tokens` tokens (whole characters only)."""
        if tokens <= 0:
            return ""
        if self.spec.tokenizer == "model" and self.spec.kind == "local":
            from generation.llm.tokenizer import load_tokenizer

            tokenizer = load_tokenizer(self.spec)
            ids = tokenizer.encode(text)
            if len(ids) <= tokens:
                return text
            out: str = tokenizer.decode(ids[:tokens])
        else:
            name = FALLBACK_ENCODING if self.spec.tokenizer == "model" else self.spec.tokenizer
            encoding = get_encoding(name)
            ids = encoding.encode(text, disallowed_special=())
            if len(ids) <= tokens:
                return text
            out = encoding.decode(ids[:tokens])
        out = out.rstrip("\ufffd")  # a character cut in half
        while out and self.text(out) > tokens:  # decoding may merge differently
            out = out[:-1]
        return out


def check_message(
    counter: TokenCounter, *, system: int, message: int, reserve: int, window: int
) -> None:
    """MessageTooLong unless the message fits with the system prompt and the reserve."""
    budget = window - system - reserve
    if message > budget:
        raise MessageTooLong(
            f"the message is {message} tokens; model {counter.spec.name} has room for "
            f"{budget} (context window {window}, minus {system} for the system prompt and "
            f"{reserve} reserved for the answer)",
            tokens=message,
            budget=budget,
        )


@dataclass
class MemoryPlan:
    """The earlier turns a prompt keeps, and the ones the summary policy must fold now."""

    policy: Policy
    kept: list[Turn]
    dropped: list[int]
    budget: int  # what the summary and the kept turns may use
    history_tokens: int
    to_fold: list[Turn] = field(default_factory=list)
    summary_cap: int = 0  # the summary message's token ceiling (framing included)
    include_summary: bool = False


def recent_fitting(turns: Sequence[Turn], counter: TokenCounter, limit: int) -> list[Turn]:
    """The most recent turns whose tokens add up to at most `limit`, oldest first, no gaps."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(turns):
        cost = counter.turn(turn)
        if used + cost > limit:
            break
        kept.append(turn)
        used += cost
    kept.reverse()
    return kept


def plan(
    turns: Sequence[Turn],
    config: MemoryConfig,
    counter: TokenCounter,
    *,
    room: int,
    summary_tokens: int = 0,
    summary_overhead: int = 0,
    summarized_through: int = 0,
) -> MemoryPlan:
    """Which of `turns` (all earlier turns, oldest first) the next prompt keeps.

    Args:
        room: tokens the context window has left for memory once the system prompt, passages,
            message and reserve are counted.
        summary_tokens: the session's running summary as the prompt carries it (0: none).
        summary_overhead: the tokens of that summary message without the summary's text.
        summarized_through: the last turn already folded into the summary.
    """
    room = max(room, 0)
    if config.policy == "summary":
        return _plan_summary(
            turns, config, counter, room, summary_tokens, summary_overhead, summarized_through
        )
    if config.policy == "window":
        recent = list(turns[-config.max_turns :]) if config.max_turns else list(turns)
        budget = room
        kept = recent_fitting(recent, counter, budget)
    else:
        budget = min(config.max_tokens or room, room)
        kept = recent_fitting(turns, counter, budget)
    ids = {t.n for t in kept}
    return MemoryPlan(
        policy=config.policy,
        kept=kept,
        dropped=[t.n for t in turns if t.n not in ids],
        budget=budget,
        history_tokens=counter.messages(m for t in kept for m in t.messages),
    )


def _plan_summary(
    turns: Sequence[Turn],
    config: MemoryConfig,
    counter: TokenCounter,
    room: int,
    current: int,
    overhead: int,
    summarized_through: int,
) -> MemoryPlan:
    budget = min(config.max_tokens or room, room)
    fresh = [t for t in turns if t.n > summarized_through]
    cap = min(MAX_SUMMARY_TOKENS + overhead, budget // 2)
    to_fold: list[Turn] = []
    if cap < MIN_SUMMARY_TOKENS + overhead:
        # No room for a useful summary: keep what fits verbatim, fold nothing this time.
        kept = recent_fitting(fresh, counter, budget)
        include = False
    else:
        kept = recent_fitting(fresh, counter, budget - min(current, cap))
        if len(kept) < len(fresh):  # overflow: fold it, leaving the summary its full cap
            kept = recent_fitting(fresh, counter, budget - cap)
            first = kept[0].n if kept else None
            to_fold = [t for t in fresh if first is None or t.n < first]
        include = current > 0 or bool(to_fold)
    ids = {t.n for t in kept}
    return MemoryPlan(
        policy="summary",
        kept=kept,
        dropped=[t.n for t in turns if t.n not in ids],
        budget=budget,
        history_tokens=counter.messages(m for t in kept for m in t.messages),
        to_fold=to_fold,
        summary_cap=cap,
        include_summary=include,
    )


def report_tokens(
    counter: TokenCounter,
    *,
    system: Sequence[Message],
    summary: Sequence[Message],
    history: Sequence[Message],
    passages: Sequence[Message],
    message: Sequence[Message],
    reserve: int,
    window: int,
) -> TokenReport:
    """Each part's tokens; `total` is the prompt's count plus the reserve."""
    parts: dict[str, Any] = {
        "system": counter.priming + counter.messages(system),
        "summary": counter.messages(summary),
        "history": counter.messages(history),
        "passages": counter.messages(passages),
        "message": counter.messages(message),
    }
    total = sum(parts.values()) + reserve
    return TokenReport(**parts, reserve=reserve, total=total, budget=window)


def settle(memory_plan: MemoryPlan, counter: TokenCounter, room: int) -> None:
    """Drop the oldest kept turns while the memory overflows `room` (a summary that came back
    longer than planned, counts that moved when text was joined)."""
    while memory_plan.kept and memory_plan.history_tokens > room:
        oldest = memory_plan.kept.pop(0)
        memory_plan.history_tokens -= counter.turn(oldest)
        memory_plan.dropped = sorted([*memory_plan.dropped, oldest.n])
