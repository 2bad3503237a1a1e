"""Chat sessions end to end: the real app on a real index of data/samples, real retrieval and
token counts, the real `openai` client talking to the scripted OpenAI-protocol server.

The 20-turn conversations are scripted so that every turn has the same size, which makes the
turns each policy keeps exact: `window` the last N, `tokens` as many as fit, `summary` folds the
overflow once and reuses the stored summary.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.cli.chat import chat as chat_command
from api.services import Services
from api.settings import Settings
from api.state import app_state
from generation.chat.memory import MemoryConfig, TokenCounter, Turn
from generation.chat.turn import Conversation
from generation.llm.counting import count_messages
from generation.models import ModelRegistry
from ingest.storage import tables
from ingest.storage.engine import database_url, open_engine
from tests.fake_openai import FakeOpenAI
from tests.samples import Samples, app_client

pytestmark = pytest.mark.slow

KEY_ENV = "SPECRAG_TEST_CHAT_KEY"
TURNS = 20
SMALL_WINDOW = 1000
SUMMARY_MARK = "running summary of a conversation"  # in data/prompts/chat/summary.j2

# (turn, turns kept verbatim, turns folded into the summary by that request) for a 20-turn
# session under the summary policy with a budget of six turns.
SUMMARY_TABLE = [
    (1, [], []),
    (2, [1], []),
    (3, [1, 2], []),
    (4, [1, 2, 3], []),
    (5, [1, 2, 3, 4], []),
    (6, [1, 2, 3, 4, 5], []),
    (7, [1, 2, 3, 4, 5, 6], []),
    (8, [5, 6, 7], [1, 2, 3, 4]),
    (9, [5, 6, 7, 8], []),
    (10, [5, 6, 7, 8, 9], []),
    (11, [8, 9, 10], [5, 6, 7]),
    (12, [8, 9, 10, 11], []),
    (13, [8, 9, 10, 11, 12], []),
    (14, [11, 12, 13], [8, 9, 10]),
    (15, [11, 12, 13, 14], []),
    (16, [11, 12, 13, 14, 15], []),
    (17, [14, 15, 16], [11, 12, 13]),
    (18, [14, 15, 16, 17], []),
    (19, [14, 15, 16, 17, 18], []),
    (20, [17, 18, 19], [14, 15, 16]),
]


def question(n: int) -> str:
    return f"Question {n:02d}: what power does the Aurora X5 1.5T engine make?"


def answer(n: int) -> str:
    return f"Answer {n:02d}: the Aurora X5 1.5T makes 130 kW [1]."


def scripted(body: dict[str, Any]) -> str:
    """The fake model: an answer naming the question's number, or a summary of the turns."""
    messages = body["messages"]
    if SUMMARY_MARK in messages[0]["content"]:
        folded = [int(n) for n in re.findall(r"Turn (\d+), user", messages[-1]["content"])]
        return f"Turns {min(folded)}-{max(folded)}: the user asked about the Aurora X5 power."
    number = re.search(r"Question (\d+)", messages[-1]["content"])
    return answer(int(number.group(1)) if number else 0)


def models_toml(base_url: str) -> str:
    def table(name: str, window: int) -> str:
        return (
            f'[models.{name}]\nkind = "openai"\nbase_url = "{base_url}"\n'
            f'api_key_env = "{KEY_ENV}"\nmodel_id = "{name}-id"\ncontext_window = {window}\n'
            'tokenizer = "cl100k_base"\ninput_price_per_1m = 2.0\noutput_price_per_1m = 8.0\n'
            "json_mode = true\n\n"
        )

    local = (
        '[models.local]\nkind = "local"\nmodel_id = "SmolLM2-135M-Instruct"\n'
        'context_window = 8192\ntokenizer = "model"\n\n'
    )
    return 'default = "remote"\n\n' + table("remote", 16000) + table("small", SMALL_WINDOW) + local


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: FakeOpenAI
) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("chat")
    models = root / "models.toml"
    models.write_text(models_toml(fake_openai_server.base_url))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, "sk-test")
        yield Settings(
            data_dir=root / "index",
            workers=0,
            models_file=models,
            llm_retries=0,
            generation_k=2,
            chat_answer_tokens=200,
        )


@pytest.fixture(scope="module")
def services(settings: Settings, samples: Samples) -> Iterator[Services]:
    with samples.services(settings) as built:  # data/samples, indexed
        yield built


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with app_client(services) as test_client:
        yield test_client


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:
    """The fake model, with a clean record and 100 scripted answers."""
    for _ in range(100):
        fake_openai.respond(scripted)
    return fake_openai


def converse(
    client: TestClient, memory: dict[str, Any], turns: int = TURNS
) -> list[dict[str, Any]]:
    """`turns` messages in one new session; every reply, each checked for the basics."""
    replies: list[dict[str, Any]] = []
    session_id = None
    for n in range(1, turns + 1):
        body: dict[str, Any] = {"message": question(n), "memory": memory}
        if session_id:
            body["session_id"] = session_id
        response = client.post("/v1/chat", json=body)
        assert response.status_code == 200, response.text
        reply = response.json()
        assert reply["turn"] == n and reply["answer"] == answer(n)
        session_id = reply["session_id"]
        tokens = reply["memory"]["tokens"]
        parts = ("system", "summary", "history", "passages", "message", "reserve")
        assert sum(tokens[p] for p in parts) == tokens["total"] <= tokens["budget"] == 16000
        kept, dropped = reply["memory"]["kept_turns"], reply["memory"]["dropped_turns"]
        assert sorted(kept + dropped) == list(range(1, n))
        replies.append(reply)
    return replies


def answer_requests(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [b for b in fake.bodies if SUMMARY_MARK not in b["messages"][0]["content"]]


def summary_requests(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [b for b in fake.bodies if SUMMARY_MARK in b["messages"][0]["content"]]


def _query(path: Path, statement: sa.Select[Any]) -> list[Any]:
    """The rows of `statement` in the store file at `path`, read beside the app's own engine."""
    engine = open_engine(database_url(path))
    try:
        with engine.connect() as connection:
            return list(connection.execute(statement).all())
    finally:
        engine.dispose()


def counter_for(settings: Settings, name: str = "remote") -> TokenCounter:
    return TokenCounter(ModelRegistry.load(settings.models_file).get(name))


def test_every_turn_has_the_same_size(settings: Settings) -> None:
    """The exact expectations below rely on it."""
    counter = counter_for(settings)
    sizes = {
        counter.turn(
            Turn(
                n,
                [
                    {"role": "user", "content": question(n)},
                    {"role": "assistant", "content": answer(n)},
                ],
            )
        )
        for n in range(1, TURNS + 1)
    }
    assert len(sizes) == 1


def test_window_keeps_the_last_n_turns(client: TestClient, fake: FakeOpenAI) -> None:
    replies = converse(client, {"policy": "window", "max_turns": 4})
    for n, reply in enumerate(replies, 1):
        assert reply["memory"]["kept_turns"] == list(range(max(1, n - 4), n)), n
        assert reply["memory"]["dropped_turns"] == list(range(1, max(1, n - 4))), n
        assert reply["memory"]["summary"] is None
    # the prompt of turn 20 repeats turns 16-19 verbatim, and nothing older
    prompt = answer_requests(fake)[-1]["messages"]
    repeated = [m["content"] for m in prompt if m["role"] in ("user", "assistant")]
    assert repeated == [x for n in range(16, 20) for x in (question(n), answer(n))] + [question(20)]
    assert summary_requests(fake) == []


def test_tokens_keeps_the_most_recent_turns_that_fit(
    client: TestClient, fake: FakeOpenAI, settings: Settings
) -> None:
    counter = counter_for(settings)
    size = counter.turn(
        Turn(
            1,
            [{"role": "user", "content": question(1)}, {"role": "assistant", "content": answer(1)}],
        )
    )
    budget = 3 * size + size // 2  # room for three turns, not four
    replies = converse(client, {"policy": "tokens", "max_tokens": budget})
    for n, reply in enumerate(replies, 1):
        memory = reply["memory"]
        assert memory["kept_turns"] == list(range(max(1, n - 3), n)), n
        assert memory["tokens"]["history"] == size * len(memory["kept_turns"]) <= budget
        assert memory["max_tokens"] == budget and memory["memory_budget"] == budget
    # the counts are the model's tokenizer's, framing included: they add up to the prompt
    spec = ModelRegistry.load(settings.models_file).get("remote")
    for body, reply in zip(answer_requests(fake), replies, strict=True):
        tokens = reply["memory"]["tokens"]
        assert count_messages(body["messages"], spec) + tokens["reserve"] == tokens["total"]
        assert body["max_tokens"] == tokens["reserve"] == 200


def test_summary_folds_the_overflow_once_and_reuses_it(
    client: TestClient, fake: FakeOpenAI, settings: Settings
) -> None:
    counter = counter_for(settings)
    size = counter.turn(
        Turn(
            1,
            [{"role": "user", "content": question(1)}, {"role": "assistant", "content": answer(1)}],
        )
    )
    budget = 6 * size
    replies = converse(client, {"policy": "summary", "max_tokens": budget})
    # The summary gets half the budget (3 turns) once something overflows; it is folded again
    # only when the turns kept verbatim and the summary no longer fit the six turns' budget.
    assert [
        (r["turn"], r["memory"]["kept_turns"], r["memory"]["folded_turns"]) for r in replies
    ] == [(n, kept, folded) for n, kept, folded in SUMMARY_TABLE]
    for reply in replies:
        memory = reply["memory"]
        tokens = memory["tokens"]
        assert tokens["summary"] + tokens["history"] <= budget
        kept = memory["kept_turns"]
        # nothing lost: every earlier turn is kept verbatim or already in the summary
        assert set(range(1, reply["turn"])) == set(kept) | set(
            range(1, memory["summarized_through"] + 1)
        )
        assert kept == list(range(reply["turn"] - len(kept), reply["turn"]))

    summaries = summary_requests(fake)
    assert summaries, "the conversation never overflowed"
    folded = [
        int(n)
        for body in summaries
        for n in re.findall(r"Turn (\d+), user", body["messages"][-1]["content"])
    ]
    assert folded == sorted(set(folded)), "a turn was summarised twice"
    # each fold starts from the summary before it
    for before, after in zip(summaries, summaries[1:], strict=False):
        previous = scripted(before)
        assert previous in after["messages"][-1]["content"]
    # the stored summary is in the next prompt, and the session keeps it
    session = client.get(f"/v1/sessions/{replies[-1]['session_id']}").json()
    assert session["summary"] == scripted(summaries[-1])
    assert session["summarized_through"] == replies[-1]["memory"]["summarized_through"]
    last_prompt = answer_requests(fake)[-1]["messages"]
    assert any(session["summary"] in m["content"] for m in last_prompt if m["role"] == "system")
    # summary calls are on the session's usage and the ledger, step "summary"
    assert session["usage"]["calls"] == TURNS + len(summaries)
    assert len(session["turns"]) == TURNS


def assert_error(response: Any, status: int, type_: str, *needles: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message", "detail"}
    assert body["error"]["type"] == type_, body
    for needle in needles:
        assert needle in body["error"]["message"], body
    error: dict[str, Any] = body["error"]
    return error


def test_a_small_window_bounds_every_part(
    client: TestClient, fake: FakeOpenAI, settings: Settings
) -> None:
    """With a 1000-token window, ten turns of window memory cannot all fit: the oldest go."""
    spec = ModelRegistry.load(settings.models_file).get("small")
    session = None
    for n in range(1, 13):
        body: dict[str, Any] = {"message": question(n), "model": "small"}
        if session:
            body["session_id"] = session
        else:
            body["memory"] = {"policy": "window", "max_turns": 10}
        reply = client.post("/v1/chat", json=body).json()
        session = reply["session_id"]
        memory, tokens = reply["memory"], reply["memory"]["tokens"]
        assert memory["policy"] == "window" and memory["max_turns"] == 10  # kept by the session
        assert tokens["budget"] == SMALL_WINDOW and tokens["total"] <= SMALL_WINDOW
        assert tokens["reserve"] == 200
        sent = answer_requests(fake)[-1]["messages"]
        assert count_messages(sent, spec) + tokens["reserve"] == tokens["total"]
        kept = memory["kept_turns"]
        assert kept == list(range(n - len(kept), n))
    assert 0 < len(kept) < 10  # the window, not max_turns, was the limit
    assert reply["citations"] and all(
        set(c) >= {"chunk_id", "source", "page", "section"} for c in reply["citations"]
    )


def test_chat_searches_share_the_query_limiter(
    services: Services,
    settings: Settings,
    fake: FakeOpenAI,
    samples: Samples,
    tmp_path: Path,
) -> None:
    """Regression: chat's searches ran on asyncio's default executor, outside the limiter that
    bounds the searches of `/v1/query`; both chat routes now search under it."""
    borrowed: list[float] = []
    searcher = services.searcher
    # A server of its own data dir: the module's server holds the shared one.
    settings = settings.model_copy(update={"data_dir": tmp_path / "index"})

    class Watching:
        def search(self, *args: Any, **kwargs: Any) -> Any:
            borrowed.append(app_state(watched.app).search_limiter.borrowed_tokens)
            return searcher.search(*args, **kwargs)

    with samples.client(settings, searcher=Watching()) as watched:
        reply = watched.post("/v1/chat", json={"message": question(1)})
        completion = watched.post(
            "/v1/chat/completions",
            json={"model": "remote", "messages": [{"role": "user", "content": question(2)}]},
        )
    assert reply.status_code == 200 and completion.status_code == 200, completion.text
    assert len(borrowed) == 2 and all(n >= 1 for n in borrowed)


def test_citations_name_the_retrieved_chunks(client: TestClient, fake: FakeOpenAI) -> None:
    reply = client.post("/v1/chat", json={"message": question(1), "k": 2}).json()
    citations = reply["citations"]
    # the two retrieved passages, then the sources of the Aurora X5's facts, numbered on
    assert [c["n"] for c in citations] == list(range(1, len(citations) + 1))
    assert len(citations) > 2 and [c["cited"] for c in citations].count(True) == 1
    assert citations[0]["cited"] and not citations[1]["cited"]  # the answer cites [1]
    assert all(c["source"].endswith("aurora_x5.md") for c in citations[2:])
    assert any(c["source"].endswith("aurora_x5.md") for c in citations)
    assert all(":" in c["chunk_id"] for c in citations)
    prompt = "\n".join(m["content"] for m in fake.messages(-1))
    assert "[1] (" in prompt and "130 kW" in prompt
    usage = reply["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    expected = (usage["prompt_tokens"] * 2.0 + usage["completion_tokens"] * 8.0) / 1e6
    assert usage["cost"] == pytest.approx(expected)


def test_follow_up_questions_are_searched_with_the_previous_one(
    client: TestClient, fake: FakeOpenAI
) -> None:
    first = client.post("/v1/chat", json={"message": "Tell me about the Lumen E2."}).json()
    client.post(
        "/v1/chat", json={"session_id": first["session_id"], "message": "What is its range?"}
    )
    prompt = "\n".join(m["content"] for m in fake.messages(-1) if m["role"] == "system")
    assert "lumen" in prompt.lower()


def test_sessions_are_read_and_deleted(client: TestClient, fake: FakeOpenAI) -> None:
    reply = client.post(
        "/v1/chat",
        json={"message": question(1), "memory": {"policy": "window", "max_turns": 3}},
    ).json()
    session_id = reply["session_id"]
    client.post("/v1/chat", json={"session_id": session_id, "message": question(2)})
    session = client.get(f"/v1/sessions/{session_id}")
    assert session.status_code == 200, session.text
    body = session.json()
    assert body["memory"] == {"policy": "window", "max_turns": 3, "max_tokens": 2000}
    assert [t["n"] for t in body["turns"]] == [1, 2]
    assert body["turns"][1]["user"] == question(2) and body["turns"][1]["assistant"] == answer(2)
    assert body["turns"][0]["citations"][0]["chunk_id"] == reply["citations"][0]["chunk_id"]
    assert body["usage"]["calls"] == 2
    assert body["usage"]["prompt_tokens"] == sum(t["usage"]["prompt_tokens"] for t in body["turns"])
    assert client.delete(f"/v1/sessions/{session_id}").status_code == 200
    assert_error(client.get(f"/v1/sessions/{session_id}"), 404, "session_not_found", session_id)
    assert_error(client.delete(f"/v1/sessions/{session_id}"), 404, "session_not_found")


def test_sessions_are_listed_newest_first_with_turns_and_usage(
    client: TestClient, fake: FakeOpenAI
) -> None:
    older = client.post("/v1/chat", json={"message": question(1)}).json()["session_id"]
    newer = client.post("/v1/chat", json={"message": question(1)}).json()["session_id"]
    client.post("/v1/chat", json={"session_id": newer, "message": question(2)})
    listed = client.get("/v1/sessions", params={"limit": 500})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    sessions = body["sessions"]
    assert body["total"] == len(sessions) >= 2 and body["offset"] == 0
    assert [s["updated"] for s in sessions] == sorted(
        (s["updated"] for s in sessions), reverse=True
    )
    ids = [s["session_id"] for s in sessions]
    assert ids.index(newer) == 0 and ids.index(newer) < ids.index(older)
    for session_id in (older, newer):
        listed_one = sessions[ids.index(session_id)]
        full = client.get(f"/v1/sessions/{session_id}").json()
        assert listed_one["turns"] == len(full["turns"]) and listed_one["usage"] == full["usage"]
        assert listed_one["business"] == full["business"]
    assert sessions[0]["turns"] == 2 and sessions[0]["usage"]["calls"] >= 2
    page = client.get("/v1/sessions", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == body["total"] and [s["session_id"] for s in page["sessions"]] == [
        ids[1]
    ]
    assert_error(client.get("/v1/sessions", params={"limit": 0}), 422, "validation_error", "limit")


def test_bad_input_is_a_clear_4xx_before_any_model_call(
    client: TestClient, fake: FakeOpenAI
) -> None:
    post = lambda body: client.post("/v1/chat", json=body)  # noqa: E731
    assert_error(post({"session_id": "nope", "message": "hi"}), 404, "session_not_found", "nope")
    assert_error(post({"message": ""}), 422, "validation_error", "message")
    assert_error(post({"message": "   "}), 422, "validation_error", "empty")
    assert_error(post({}), 422, "validation_error", "message")
    assert_error(post({"message": "hi", "model": "gpt-9"}), 422, "unknown_model", "gpt-9")
    assert_error(post({"message": "hi", "business": "nope"}), 422, "validation_error", "business")
    assert_error(
        post({"message": "hi", "memory": {"policy": "forever"}}), 422, "validation_error", "policy"
    )
    # a message the small model cannot take with its system prompt and answer reserve
    long = "The Aurora X5 has a 1.5T engine. " * 200
    error = assert_error(
        post({"message": long, "model": "small"}),
        422,
        "message_too_long",
        "room for",
        str(SMALL_WINDOW),
    )
    assert error["detail"]["tokens"] > error["detail"]["budget"] > 0
    assert fake.requests == []


def test_a_failed_first_answer_leaves_no_session(
    client: TestClient, fake: FakeOpenAI, services: Services
) -> None:
    fake.queue.clear()
    fake.error(500)
    response = client.post("/v1/chat", json={"message": question(1)})
    assert_error(response, 502, "llm_unavailable")
    count = sa.select(sa.func.count()).select_from(tables.sessions)
    before = _query(services.settings.data_dir / "specrag.sessions.sqlite3", count)[0][0]
    fake.respond(scripted)
    assert client.post("/v1/chat", json={"message": question(1)}).status_code == 200
    after = _query(services.settings.data_dir / "specrag.sessions.sqlite3", count)[0][0]
    assert after == before + 1


def test_summary_calls_are_on_the_usage_ledger(
    client: TestClient, fake: FakeOpenAI, services: Services
) -> None:
    converse(client, {"policy": "summary", "max_tokens": 100}, turns=4)
    assert summary_requests(fake)
    usage = tables.usage
    by_step = (
        sa.select(usage.c.step, sa.func.count())
        .where(usage.c.business == "chat")
        .group_by(usage.c.step)
    )
    steps = dict(_query(services.settings.data_dir / "specrag.usage.sqlite3", by_step))
    assert steps["summary"] >= len(summary_requests(fake))
    assert steps["answer"] >= 4


def test_the_terminal_chat_shares_the_sessions(
    client: TestClient, fake: FakeOpenAI, settings: Settings, embedder: Any
) -> None:
    cli_services = Services(settings, embedder=embedder)
    try:
        runner = CliRunner()
        result = runner.invoke(
            chat_command,
            ["--memory", "window", "--max-turns", "1", "--json"],
            input=f"{question(1)}\n\n{question(2)}\n/quit\n{question(3)}\n",
            obj=cli_services,
        )
        assert result.exit_code == 0, result.output
        replies = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        assert [r["turn"] for r in replies] == [1, 2]  # the blank line is skipped; /quit ends
        assert replies[1]["memory"]["kept_turns"] == [1]
        text = runner.invoke(
            chat_command,
            ["--session", replies[0]["session_id"], "-m", question(3)],
            obj=cli_services,
        )
        assert text.exit_code == 0, text.output
        assert answer(3) in text.stdout and "Sources:" in text.stdout
        assert "Turn 3, memory window: kept 2" in text.stdout
        missing = runner.invoke(chat_command, ["--session", "nope", "-m", "hi"], obj=cli_services)
        assert missing.exit_code == 1 and "no chat session 'nope'" in missing.output
    finally:
        cli_services.close()
    session = client.get(f"/v1/sessions/{replies[0]['session_id']}").json()
    assert [t["user"] for t in session["turns"]] == [question(1), question(2), question(3)]


def test_the_embedded_model_answers_within_its_window(services: Services) -> None:
    """SmolLM2 for real, a few tokens: its own tokenizer's counts add up to the prompt."""
    generation = services.generation
    spec = generation.models.get("local")
    conversation = Conversation(
        llm=generation.llm("local"),
        searcher=services.searcher,
        prompts=generation.prompts,
        guard=generation.guard,
        k=1,
        answer_tokens=8,
        temperature=0,
    )
    history = [
        Turn(
            1,
            [{"role": "user", "content": question(1)}, {"role": "assistant", "content": answer(1)}],
        )
    ]

    async def run() -> Any:
        try:
            prepared = await conversation.prepare(
                "How long is the Aurora X5?", history=history, memory=MemoryConfig(policy="tokens")
            )
            return prepared, await conversation.answer(prepared)
        finally:
            await generation.aclose()

    prepared, reply = asyncio.run(run())
    tokens = reply.memory.tokens
    assert tokens.budget == 8192 and tokens.reserve == 8
    assert count_messages(prepared.messages, spec) + 8 == tokens.total
    assert reply.memory.kept_turns == [1]
    assert reply.answer and 1 <= reply.usage.completion_tokens <= 8 and reply.usage.cost == 0


def test_chat_lets_sensitive_words_into_questions_and_masks_answers(
    client: TestClient, fake: FakeOpenAI
) -> None:
    fake.queue.clear()
    fake.reply("It is the cheapest version at 15.98 万元 [1].")
    reply = client.post("/v1/chat", json={"message": "Which is the cheapest Aurora X5?"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["answer"] == "It is the ******** version at 15.98 万元 [1]."
    # another business brings its own policy: a blog brief's words are rejected
    refused = client.post("/v1/chat", json={"message": "the cheapest one?", "business": "car_blog"})
    assert_error(refused, 422, "sensitive_input", "cheapest")
