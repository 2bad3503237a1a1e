"""The web page in a real browser: Debian's chromium driven by Playwright (`tests/browser.py`),
on the app served by uvicorn on loopback over an index of data/samples, the scripted
OpenAI-protocol server giving the model's answers: chat, search, a streamed blog, a blog
figure that grounding drops, the API key, Swagger UI offline.

The README's screenshot is taken on the default model instead, by `tests/test_browser_default.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import outside_loopback
from tests.fake_openai import FakeOpenAI
from tests.samples import Samples

pytestmark = pytest.mark.slow

KEY = "page-test-key"

OPENING = {
    "title": "Aurora X5: room for the family",
    "text": "The Aurora X5 1.5T makes 130 kW (177 PS) [1].",
    "topics": ["fuel economy", "hybrid"],
}
MIDDLE = {"text": "The Hybrid has an 18.4 kWh battery and 80 km of electric range [2]."}
ENDING = {"text": "A roomy SUV for families who count every litre."}
QUESTIONS = [
    "What does the Aurora X5 1.5T engine make?",
    "And the Aurora X5 Hybrid's battery?",
    "How far does the Aurora X5 Hybrid go on electricity?",
]


@pytest.fixture
def models_file(tmp_path: Path, fake_openai: FakeOpenAI) -> Path:
    return fake_openai.models_file(tmp_path / "models.toml", key_env="SPECRAG_TEST_LLM_KEY")


@pytest.fixture
def base_url(
    make_settings: Any, samples: Samples, models_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The app, with an API key, served by uvicorn from a thread on a free loopback port."""
    monkeypatch.setenv("SPECRAG_TEST_LLM_KEY", "sk-test")
    settings = make_settings(models_file=models_file, llm_retries=0, api_key=KEY)
    with samples.served(settings) as url:  # data/samples, indexed
        yield url


def _answer(body: dict[str, Any]) -> str:
    """The scripted chat answer: names the question it was asked, cites passage 1."""
    question = str(body["messages"][-1]["content"])
    asked = next((q for q in QUESTIONS if q in question), "something else")
    return f"Answer to: {asked} [1]"


def _watch_blog_parts(page: Any) -> None:
    """Record the three parts' states and texts at every change, with the time."""
    page.evaluate(
        """() => {
          window.blogStates = [];
          new MutationObserver(() => {
            const parts = [...document.querySelectorAll('#write-parts .part')];
            window.blogStates.push({
              t: performance.now(),
              states: parts.map((p) => p.dataset.state),
              filled: parts.map((p) => p.querySelector('.text').textContent.length > 0),
            });
          }).observe(document.getElementById("write-output"),
                     {attributes: true, childList: true, subtree: true, characterData: true});
        }"""
    )


def test_chat_search_and_blog_in_a_real_browser(
    page: Any, base_url: str, fake_openai: FakeOpenAI
) -> None:
    from playwright.sync_api import expect

    response = page.goto(base_url + "/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="specrag")).to_be_visible()

    # Without the key the API refuses, and the page says why.
    page.get_by_role("tab", name="Ask").click()
    page.get_by_label("Query", exact=True).fill("Aurora X5 electric range")
    page.get_by_label("Query", exact=True).press("Enter")
    expect(page.locator("#search-error")).to_contain_text("API key")
    page.get_by_label("API key", exact=True).fill(KEY)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator("#key-status")).to_have_text("key in use")
    # the configured chat models are offered (GET /v1/models), not the embedding model
    expect(page.locator("#models option")).to_have_count(1)
    assert page.locator("#models option").get_attribute("value") == "remote"

    # Search: ranked passages, each with its citation.
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results .result")
    expect(results).to_have_count(5)
    expect(page.locator("#search-error")).to_be_hidden()
    sources = results.locator(".cite").all_inner_texts()
    assert len(sources) == 5 and all(s.strip() for s in sources)
    assert any("aurora_x5" in s for s in sources), sources

    # Blog: the three parts appear one by one as the steps finish, each with its sources.
    fake_openai.reply_json(OPENING).reply_json(MIDDLE, delay=1.0).reply_json(ENDING, delay=1.0)
    page.get_by_role("tab", name="Write").click()
    _watch_blog_parts(page)
    page.get_by_label("Car", exact=True).fill("Aurora X5")
    page.get_by_role("button", name="Generate").click()
    parts = page.locator("#write-parts .part")
    for step in range(3):
        expect(parts.nth(step)).to_have_attribute("data-state", "done")
    expect(page.locator("#write-meta")).to_contain_text("tokens")
    expect(page.locator("#write-error")).to_be_hidden()
    expect(page.locator("#write-heading")).to_have_text(OPENING["title"])
    for step, expected in enumerate((OPENING, MIDDLE, ENDING)):
        expect(parts.nth(step).locator(".text")).to_have_text(expected["text"])
    opening_sources = parts.nth(0).locator(".cite").all_inner_texts()
    assert any("aurora_x5" in s for s in opening_sources), opening_sources
    assert parts.nth(1).locator(".cite").count() >= 1
    expect(page.locator(".cite.cited").first).to_be_visible()  # [1] and [2] are marked cited
    expect(page.locator("#write-grounding")).to_contain_text("figures checked")
    expect(page.locator("#write-writer")).to_have_text(
        "Written by remote from the Aurora X5's facts and passages."
    )

    states = page.evaluate("window.blogStates")
    seen = [(s["states"], s["filled"]) for s in states]
    only_opening = (["done", "running", "pending"], [True, False, False])
    two_parts = (["done", "done", "running"], [True, True, False])
    assert only_opening in seen and two_parts in seen, seen
    first = next(s["t"] for s in states if (s["states"], s["filled"]) == only_opening)
    last = next(s["t"] for s in states if s["states"] == ["done"] * 3)
    assert last - first >= 1500, "the opening was not shown before the later steps finished"

    # Chat: three turns in one session, each answer with its sources beside it.
    for _ in QUESTIONS:
        fake_openai.respond(_answer)
    page.get_by_role("tab", name="Ask").click()
    page.get_by_label("Memory", exact=True).select_option("window")
    page.get_by_label("Max rounds", exact=True).fill("1")
    page.locator("#chat-model").fill("remote")
    message = page.get_by_label("Message", exact=True)
    for n, question in enumerate(QUESTIONS, start=1):
        message.fill(question)
        message.press("Enter")  # the keyboard sends
        expect(page.locator("#chat-log .turn")).to_have_count(n)
        expect(message).to_have_value("")
    expect(page.locator("#chat-error")).to_be_hidden()
    turns = page.locator("#chat-log .turn")
    for n, question in enumerate(QUESTIONS):
        turn = turns.nth(n)
        expect(turn.locator(".you")).to_have_text(question)
        expect(turn.locator(".answer")).to_have_text(f"Answer to: {question} [1]")
        sources = turn.locator(".sources .cite").all_inner_texts()
        assert any("aurora_x5" in s for s in sources), sources
    chats = [json.loads(r.post_data) for r in page.requests if r.url.endswith("/v1/chat")]
    assert len(chats) == 3
    assert "session_id" not in chats[0]
    session = page.locator("#chat-session").inner_text()
    assert session and session != "none yet"
    assert [c.get("session_id") for c in chats[1:]] == [session, session]
    assert all(c["memory"] == {"policy": "window", "max_turns": 1} for c in chats)
    assert all(c["model"] == "remote" for c in chats)
    assert [b["model"] for b in fake_openai.bodies[-3:]] == ["remote-model"] * 3
    # a window of one round: the third turn repeats the second and leaves the first out
    expect(turns.nth(2).locator(".meta")).to_contain_text("kept turns 2 · dropped 1")

    # Usage: the priced model's tokens and cost per business, drawn and tabled as the API
    # counts them (the blog's three steps and the three chat turns).
    page.get_by_role("tab", name="Usage").click()
    page.get_by_label("Group by", exact=True).select_option("business")
    expect(page.locator("#usage-group-head")).to_have_text("Business")
    usage = page.request.get(
        f"{base_url}/v1/usage?group_by=business", headers={"Authorization": f"Bearer {KEY}"}
    ).json()["rows"]
    assert {r["group"] for r in usage} >= {"car_blog"} and all(r["cost"] > 0 for r in usage)
    expect(page.locator("#usage-chart g.bar")).to_have_count(len(usage))
    expect(page.locator("#usage-table tbody tr")).to_have_count(len(usage))
    for row in usage:
        bar = page.locator(f"#usage-chart g.bar[data-group='{row['group']}']")
        expect(bar.locator("text.cost")).to_have_text(f"${row['cost']:.4f}")
        cells = page.locator(f"#usage-table tr[data-group='{row['group']}'] td")
        expect(cells.nth(4)).to_have_text(f"{row['cost']:.6f}")
    page.get_by_role("tab", name="Ask").click()

    # Nothing outside loopback was loaded, and no script failed.
    assert outside_loopback(page, base_url) == []
    assert page.script_errors == []

    # A reload keeps the conversation: the same session, its turns shown again from the API.
    page.reload()
    expect(page.locator("#chat-session")).to_have_text(session)
    expect(turns).to_have_count(3)
    for n, question in enumerate(QUESTIONS):
        expect(turns.nth(n).locator(".you")).to_have_text(question)
        expect(turns.nth(n).locator(".answer")).to_have_text(f"Answer to: {question} [1]")
        expect(turns.nth(n).locator(".meta")).to_contain_text(f"turn {n + 1} · remote")
    assert any("aurora_x5" in s for s in turns.nth(0).locator(".sources .cite").all_inner_texts())

    # A refused message shows the API's error; a new conversation deletes the session.
    page.locator("#chat-model").fill("no-such-model")
    message.fill("One more question")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-error")).to_contain_text("no-such-model")
    expect(page.locator("#chat-log .turn")).to_have_count(3)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#chat-log .turn")).to_have_count(0)
    expect(page.locator("#chat-session")).to_have_text("none yet")
    gone = page.request.get(
        f"{base_url}/v1/sessions/{session}", headers={"Authorization": f"Bearer {KEY}"}
    )
    assert gone.status == 404
    page.reload()  # and a reload after it starts afresh
    expect(page.locator("#chat-session")).to_have_text("none yet")
    expect(page.locator("#chat-log .turn")).to_have_count(0)
    assert page.script_errors == []


def test_swagger_ui_shows_the_routes_offline(page: Any, base_url: str) -> None:
    """`/docs` renders from this server alone: no request leaves 127.0.0.1."""
    from playwright.sync_api import expect

    page.context.set_extra_http_headers({"Authorization": f"Bearer {KEY}"})  # /docs needs the key
    response = page.goto(base_url + "/docs")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("specrag")
    for path in ("/v1/query", "/v1/embeddings", "/v1/chat/completions"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']").first).to_be_visible()
    assert page.script_errors == []
    assert page.requests and outside_loopback(page, base_url) == []


def test_a_blog_figure_nothing_backs_is_shown_to_the_editor(
    page: Any, base_url: str, fake_openai: FakeOpenAI
) -> None:
    """The verdict line names what grounding did with a figure no fact or passage backs."""
    from playwright.sync_api import expect

    invented = {**OPENING, "text": OPENING["text"] + " Its boot holds 999 litres [1]."}
    fake_openai.reply_json(invented).reply_json(invented)  # the re-ask gets the same answer
    fake_openai.reply_json(MIDDLE).reply_json(ENDING)
    page.goto(base_url + "/")
    page.get_by_label("API key", exact=True).fill(KEY)
    page.get_by_role("button", name="Use key").click()
    page.get_by_role("tab", name="Write").click()
    page.get_by_label("Car", exact=True).fill("Aurora X5")
    page.get_by_role("button", name="Generate").click()

    # The sentence is gone from the text, and the verdict says which and why.
    verdict = page.locator("#write-grounding")
    expect(verdict).to_have_attribute("data-verdict", "flagged")
    expect(verdict).to_contain_text(
        "Dropped from the opening: \u201cIts boot holds 999 litres [1].\u201d"
    )
    expect(verdict).to_contain_text("999 litres is in none of this car's facts or passages")
    expect(verdict).not_to_contain_text("not supported:")  # not told as still in the text
    opening = page.locator("#write-parts .part").nth(0)
    expect(opening.locator(".text")).to_have_text(OPENING["text"])
    expect(opening.locator(".figures")).to_contain_text("not supported, 1 sentence(s) dropped")
    expect(opening.locator(".figures")).to_have_attribute("data-bad", "true")
    expect(page.locator("#write-error")).to_be_hidden()
    assert page.script_errors == []
