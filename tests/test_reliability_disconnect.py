"""Client disconnects (issue 13, point 5): a non-streamed answer stops when its client leaves.

uvicorn on loopback, the real `openai` client against the scripted server (`tests/fake_openai`)
holding its reply back; a client that closes its connection once the app has asked the model.
Then: the scripted
server saw the app's model request go away (`client_left`), the usage ledger holds the call
as abandoned with the prompt's tokens, and a chat session has no turn for the question
nobody saw answered. Bounded waits, no timed assertions.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.fake_openai import FakeOpenAI
from tests.reliability import record
from tests.samples import Samples
from tests.serving import wait_until

pytestmark = pytest.mark.slow

HELD = 120.0  # the scripted reply waits this long: only a client that leaves ends it sooner
WAIT = 60.0  # the most anything below is waited for
ANSWER = "The Aurora X5 makes 130 kW [1]."
CASES: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def app_url(
    tmp_path_factory: pytest.TempPathFactory,
    fake_openai_server: FakeOpenAI,
    samples: Samples,
) -> Iterator[str]:
    from api.settings import Settings

    root = tmp_path_factory.mktemp("disconnect")
    models = fake_openai_server.models_file(
        root / "models.toml", key_env="SPECRAG_DISCONNECT_KEY", model_id="m"
    )
    settings = Settings(
        data_dir=root / "index",
        workers=0,
        models_file=models,
        llm_timeout=HELD * 2,
        llm_retries=0,
    )
    with pytest.MonkeyPatch.context() as patch:  # a model whose key is unset is unavailable
        patch.setenv("SPECRAG_DISCONNECT_KEY", "sk-disconnect")
        with samples.served(settings) as url:
            yield url
    record("disconnect", {"held_s": HELD, "cases": CASES})


def _abandoned(url: str, business: str) -> dict[str, Any]:
    rows = httpx.get(f"{url}/v1/usage", params={"group_by": "business"}, timeout=WAIT).json()
    row = next((r for r in rows["rows"] if r["group"] == business), None)
    return row or {"calls": 0, "abandoned_calls": 0, "prompt_tokens": 0, "cost": 0.0}


def _leave_once_asked(url: str, path: str, body: dict[str, Any], fake: FakeOpenAI) -> None:
    """POST, wait until the app has asked the model, then close the connection."""
    asked = len(fake.requests)
    parts = urlsplit(url)
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=WAIT) as sock:
        sock.sendall(head + data)
        assert wait_until(lambda: len(fake.requests) > asked, seconds=WAIT), "no model call"


ROUTES = {
    "chat": ("/v1/chat", "chat", {"message": "How much power does the Aurora X5 make?"}),
    "chat completions": (
        "/v1/chat/completions",
        "chat",
        {"messages": [{"role": "user", "content": "How much power does the Aurora X5 make?"}]},
    ),
    "blog": ("/v1/generate/blog", "car_blog", {"car": "Aurora X5", "grounding": "off"}),
}


@pytest.mark.parametrize("name", list(ROUTES))
def test_a_client_that_leaves_stops_its_answer_and_is_billed_as_abandoned(
    app_url: str, fake_openai: FakeOpenAI, name: str
) -> None:
    """Regression: non-streamed chat, chat completions and the blog kept generating after
    the client had gone (and paid for it without a trace of who left)."""
    path, business, body = ROUTES[name]
    before = _abandoned(app_url, business)
    fake_openai.reply(ANSWER, delay=HELD)
    _leave_once_asked(app_url, path, body, fake_openai)
    left = wait_until(
        lambda: bool(fake_openai.requests) and bool(fake_openai.requests[-1].get("client_left")),
        seconds=WAIT,
    )
    after: dict[str, Any] = {}

    def billed() -> bool:
        after.update(_abandoned(app_url, business))
        return after["abandoned_calls"] > before["abandoned_calls"]

    recorded = wait_until(billed, seconds=WAIT)
    CASES.append(
        {
            "route": path,
            "model_call_cancelled": left,
            "abandoned_rows_added": after.get("abandoned_calls", 0) - before["abandoned_calls"],
            "prompt_tokens_billed": after.get("prompt_tokens", 0) - before["prompt_tokens"],
        }
    )
    assert left, "the app's model call went on after its client had left"
    assert len(fake_openai.requests) == 1
    assert recorded, f"no abandoned usage row: {after}"
    assert after["abandoned_calls"] == before["abandoned_calls"] + 1
    assert after["calls"] == before["calls"] + 1
    spent = after["prompt_tokens"] - before["prompt_tokens"]
    assert spent > 100  # the prompt (instructions and passages) was sent: it is paid for
    assert after["cost"] > before["cost"]


def test_an_abandoned_chat_turn_is_not_stored(app_url: str, fake_openai: FakeOpenAI) -> None:
    """Regression: the turn whose answer nobody saw was stored as answered, so the next
    message was answered as if the user had read it."""
    fake_openai.reply(ANSWER)
    first = httpx.post(
        f"{app_url}/v1/chat", json={"message": "Aurora X5 power?"}, timeout=WAIT
    ).json()
    session = first["session_id"]
    fake_openai.reply("The Hybrid has an 18.4 kWh battery [2].", delay=HELD)
    _leave_once_asked(
        app_url, "/v1/chat", {"session_id": session, "message": "And its battery?"}, fake_openai
    )
    assert wait_until(lambda: bool(fake_openai.requests[-1].get("client_left")), seconds=WAIT)
    fake_openai.wait_idle()
    stored = httpx.get(f"{app_url}/v1/sessions/{session}", timeout=WAIT).json()
    CASES.append({"route": "/v1/chat (second turn)", "turns_stored": len(stored["turns"])})
    assert [t["user"] for t in stored["turns"]] == ["Aurora X5 power?"]
    fake_openai.reply(ANSWER)
    again = httpx.post(
        f"{app_url}/v1/chat",
        json={"session_id": session, "message": "And its battery?"},
        timeout=WAIT,
    )
    assert again.status_code == 200 and again.json()["turn"] == 2, again.text
