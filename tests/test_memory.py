"""The memory planner on a scripted 20-turn conversation: which turns each policy keeps, with
real tiktoken counts (cl100k_base, the tokenizer data/models.toml names for gpt-3.5-turbo)."""

from __future__ import annotations

import pytest

from generation.chat.memory import (
    MemoryConfig,
    TokenCounter,
    Turn,
    check_message,
    plan,
    recent_fitting,
    report_tokens,
)
from generation.errors import MessageTooLong
from generation.llm.counting import count_messages
from generation.models import ModelSpec

SPEC = ModelSpec(
    name="remote",
    kind="openai",
    model_id="m",
    base_url="http://127.0.0.1:9/v1",
    context_window=4096,
    tokenizer="cl100k_base",
)


def conversation(turns: int = 20) -> list[Turn]:
    """Turns of equal size: a question and its answer, numbered 01..20."""
    return [
        Turn(
            n,
            [
                {"role": "user", "content": f"Question {n:02d}: how long is the Aurora X5?"},
                {"role": "assistant", "content": f"Answer {n:02d}: it is 4,680 mm long [1]."},
            ],
        )
        for n in range(1, turns + 1)
    ]


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter(SPEC)


@pytest.fixture(scope="module")
def size(counter: TokenCounter) -> int:
    sizes = {counter.turn(t) for t in conversation()}
    assert len(sizes) == 1, "the scripted turns must all have the same size"
    return sizes.pop()


def test_counts_are_the_models_tokenizer_with_framing(counter: TokenCounter) -> None:
    messages = [
        {"role": "system", "content": "You answer questions about cars."},
        *conversation(2)[0].messages,
        {"role": "user", "content": "和 Lumen E2 比呢？"},
    ]
    # each part's count is what it adds to the prompt: they add up exactly
    assert counter.priming + counter.messages(messages) == count_messages(messages, SPEC)
    assert counter.message({"role": "user", "content": "hi"}) == 3 + 1 + 1  # framing, role, text


def test_each_policy_keeps_exactly_these_turns(counter: TokenCounter, size: int) -> None:
    turns = conversation()
    for n in range(1, 21):
        earlier = turns[: n - 1]
        window = plan(earlier, MemoryConfig(policy="window", max_turns=5), counter, room=10_000)
        assert [t.n for t in window.kept] == list(range(max(1, n - 5), n))
        assert window.dropped == list(range(1, max(1, n - 5)))

        budget = 4 * size + size // 2
        tokens = plan(
            earlier, MemoryConfig(policy="tokens", max_tokens=budget), counter, room=10_000
        )
        assert [t.n for t in tokens.kept] == list(range(max(1, n - 4), n))
        assert tokens.history_tokens == size * len(tokens.kept) <= budget

    # the context window's room is a limit too, whatever max_turns or max_tokens say
    squeezed = plan(turns, MemoryConfig(policy="window", max_turns=10), counter, room=3 * size)
    assert [t.n for t in squeezed.kept] == [18, 19, 20]
    tight = plan(turns, MemoryConfig(policy="tokens", max_tokens=10**6), counter, room=2 * size)
    assert [t.n for t in tight.kept] == [19, 20] and tight.budget == 2 * size


def test_summary_folds_only_what_overflows_and_never_twice(
    counter: TokenCounter, size: int
) -> None:
    turns = conversation()
    config = MemoryConfig(policy="summary", max_tokens=6 * size)
    overhead = 20  # the summary message without its text
    # six turns fit the budget: nothing to fold
    first = plan(turns[:6], config, counter, room=10_000, summary_overhead=overhead)
    assert [t.n for t in first.kept] == [1, 2, 3, 4, 5, 6] and first.to_fold == []
    assert not first.include_summary
    # the seventh overflows: the oldest are folded so the rest fit beside a summary's cap
    second = plan(turns[:7], config, counter, room=10_000, summary_overhead=overhead)
    assert second.summary_cap == 3 * size
    assert [t.n for t in second.to_fold] == [1, 2, 3, 4]
    assert [t.n for t in second.kept] == [5, 6, 7] and second.include_summary
    # next request: turns 1-4 are in the summary already and are not folded again
    third = plan(
        turns[:8],
        config,
        counter,
        room=10_000,
        summary_tokens=size // 2,
        summary_overhead=overhead,
        summarized_through=4,
    )
    assert third.to_fold == [] and [t.n for t in third.kept] == [5, 6, 7, 8]
    assert third.dropped == [1, 2, 3, 4]
    assert third.history_tokens + size // 2 <= 6 * size


def test_a_turn_too_large_hides_the_older_ones(counter: TokenCounter, size: int) -> None:
    """No gaps: the model never sees turn 1 without turn 2."""
    turns = conversation(3)
    turns[1] = Turn(2, [{"role": "user", "content": "spec " * 500}, turns[1].messages[1]])
    kept = recent_fitting(turns, counter, 3 * size)
    assert [t.n for t in kept] == [3]


def test_a_message_over_the_budget_is_refused_naming_it(counter: TokenCounter) -> None:
    with pytest.raises(MessageTooLong) as caught:
        check_message(counter, system=300, message=4000, reserve=512, window=4096)
    assert caught.value.budget == 4096 - 300 - 512 and caught.value.tokens == 4000
    assert "room for 3284" in str(caught.value) and "context window 4096" in str(caught.value)
    check_message(counter, system=300, message=3284, reserve=512, window=4096)  # just fits


def test_the_report_adds_up_to_the_prompt_and_reserve(counter: TokenCounter) -> None:
    system = [{"role": "system", "content": "Answer from the passages."}]
    summary = [{"role": "system", "content": "Summary: the user compared two SUVs."}]
    history = conversation(2)[0].messages
    passages = [{"role": "system", "content": "[1] (aurora_x5.md)\nLength 4,680 mm."}]
    message = [{"role": "user", "content": "And its width?"}]
    report = report_tokens(
        counter,
        system=system,
        summary=summary,
        history=history,
        passages=passages,
        message=message,
        reserve=256,
        window=4096,
    )
    prompt = [*system, *summary, *history, *passages, *message]
    assert report.total == count_messages(prompt, SPEC) + 256
    assert report.budget == 4096 and report.reserve == 256


def test_truncation_keeps_whole_characters(counter: TokenCounter) -> None:
    text = "油耗 5.8 L/100km，续航 80 km。" * 10
    cut = counter.truncate(text, 7)
    assert text.startswith(cut) and counter.text(cut) <= 7 and "\ufffd" not in cut
    assert counter.truncate("short", 100) == "short"
