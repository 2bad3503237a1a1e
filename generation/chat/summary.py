"""The summary policy's model call: fold turns into a conversation's running summary.

`fold` asks the model (`data/prompts/chat/summary.j2`) for one summary of the summary so far
and the turns that no longer fit the prompt. The call must fit the model's context window too:
turns are sent in as many batches as that takes, each folded into the summary of the ones
before, and a single turn too long for one call is cut to share the room. The result is cut to
`max_tokens` (a model may ignore the limit), so the summary never outgrows its budget.
"""

from __future__ import annotations

import logging

from generation.callbacks import Callbacks
from generation.chat.memory import TokenCounter, Turn
from generation.llm.base import LLM, Message
from generation.prompts import PromptLibrary
from generation.schemas import Usage

log = logging.getLogger(__name__)

PROMPTS = "chat"  # data/prompts/chat/: answer.j2, summary.j2
SUMMARY_TEMPERATURE = 0.2


async def fold(
    llm: LLM,
    prompts: PromptLibrary,
    summary: str | None,
    turns: list[Turn],
    max_tokens: int,
    *,
    events: Callbacks,
    usage: Usage,
) -> str:
    """The running summary with `turns` folded in (each call added to `usage`)."""
    events = events.child(step="summary")
    counter = TokenCounter(llm.spec)
    limit = llm.spec.context_window - max_tokens

    def tokens(batch: list[Turn]) -> int:
        return counter.priming + counter.messages(_prompt(llm, prompts, summary, batch, max_tokens))

    pending = list(turns)
    while pending:
        batch = [pending.pop(0)]
        while pending and tokens([*batch, pending[0]]) <= limit:
            batch.append(pending.pop(0))
        if tokens(batch) > limit:  # one turn alone is too long: cut it to fit
            spare = limit - tokens([Turn(batch[0].n, [])])
            share = max(spare // max(len(batch[0].messages), 1) - 8, 0)
            batch = [
                Turn(
                    batch[0].n,
                    [
                        {**m, "content": counter.truncate(m["content"], share)}
                        for m in batch[0].messages
                    ],
                )
            ]
        completion = await llm.complete(
            _prompt(llm, prompts, summary, batch, max_tokens),
            max_tokens=max_tokens,
            temperature=SUMMARY_TEMPERATURE,
            callbacks=events,
        )
        usage.add(completion.prompt_tokens, completion.completion_tokens, completion.cost)
        text = completion.text.strip()
        if text:
            summary = counter.truncate(text, max_tokens).strip()
        else:
            log.warning("model %s wrote an empty summary; the old one is kept", llm.name)
    return summary or ""


def _prompt(
    llm: LLM, prompts: PromptLibrary, summary: str | None, turns: list[Turn], max_tokens: int
) -> list[Message]:
    return prompts.render(
        PROMPTS,
        "summary",
        model=llm.name,
        variables={"summary": summary, "turns": turns, "words": max(20, max_tokens * 2 // 3)},
    ).messages
