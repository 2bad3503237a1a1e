"""Generation through the whole app: real index of data/samples, real retrieval, the real
`openai` client talking to a scripted OpenAI-protocol server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.fake_openai import FakeOpenAI
from tests.samples import Samples

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

OPENING = {
    "title": "Aurora X5: room for the family",
    "text": "The Aurora X5 1.5T makes 130 kW (177 PS) [1].",
    "topics": ["fuel economy", "hybrid"],
}
MIDDLE = {"text": "The Hybrid has an 18.4 kWh battery and 80 km of electric range [2]."}
ENDING = {"text": "A roomy SUV for families who count every litre."}


@pytest.fixture
def models_file(tmp_path: Path, fake_openai: FakeOpenAI) -> Path:
    return fake_openai.models_file(tmp_path / "models.toml", key_env="SPECRAG_TEST_LLM_KEY")


@pytest.fixture
def client(
    make_settings, samples: Samples, models_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("SPECRAG_TEST_LLM_KEY", "sk-test")
    settings = make_settings(models_file=models_file, llm_retries=0)
    with samples.client(settings) as test_client:  # data/samples, indexed
        yield test_client


def test_blog_end_to_end_with_citations_trace_usage_and_cost(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    response = client.post("/v1/generate/blog", json={"car": "Aurora X5"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["opening"] and body["middle"] and body["ending"]
    assert [t["step"] for t in body["trace"]] == ["opening", "middle", "ending"]
    assert len(fake_openai.requests) == 3
    # the opening was asked with passages retrieved from the real index of the samples
    first_prompt = " ".join(m["content"] for m in fake_openai.messages(0))
    assert "Aurora X5" in first_prompt and "130 kW" in first_prompt
    # passages are named as their users know them, not by the server's paths
    assert "(aurora_x5.md" in first_prompt and str(SAMPLES) not in first_prompt
    assert any(c["source"].endswith("aurora_x5.md") for c in body["citations"])
    # named as the user gave them (no roots here: the file name), with the doc id
    samples = {p.name for p in SAMPLES.iterdir()}
    assert {c["document"] for c in body["citations"]} <= samples
    assert "aurora_x5.md" in {c["document"] for c in body["citations"]}
    assert all(c["doc_id"] and c["chunk_id"].startswith(c["doc_id"]) for c in body["citations"])
    assert body["grounding"]["checked"] >= 1
    steps = body["trace"]
    assert all(t["prompt_tokens"] > 0 and t["completion_tokens"] > 0 for t in steps)
    expected = sum(t["prompt_tokens"] * 2.0 + t["completion_tokens"] * 8.0 for t in steps) / 1e6
    assert body["usage"]["cost"] == pytest.approx(expected)

    usage = client.get("/v1/usage", params={"group_by": "model"}).json()
    [row] = usage["rows"]
    assert row["group"] == "remote" and row["calls"] == 3
    assert row["prompt_tokens"] == sum(t["prompt_tokens"] for t in steps)
    assert row["cost"] == pytest.approx(expected)
    by_business = client.get("/v1/usage", params={"group_by": "business"}).json()["rows"]
    assert by_business[0]["group"] == "car_blog"


def test_remote_failure_is_a_502_in_the_error_shape(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.error(500).error(500)
    response = client.post("/v1/generate/blog", json={"car": "Aurora X5"})
    assert response.status_code == 502, response.text
    assert set(response.json()["error"]) == {"type", "message", "detail"}


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """/metrics parsed: (sample name, its labels) → value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_llm_calls_tokens_cost_failures_latency_and_grounding(
    client: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply_json(OPENING).reply_json(MIDDLE).reply_json(ENDING)
    body = client.post("/v1/generate/blog", json={"car": "Aurora X5"}).json()
    steps = body["trace"]
    by = {"model": "remote", "business": "car_blog"}
    samples = _samples(client)
    assert _value(samples, "specrag_llm_calls_total", **by, outcome="answered") == 3
    assert _value(samples, "specrag_llm_tokens_total", **by, direction="input") == sum(
        t["prompt_tokens"] for t in steps
    )
    assert _value(samples, "specrag_llm_tokens_total", **by, direction="output") == sum(
        t["completion_tokens"] for t in steps
    )
    assert _value(samples, "specrag_llm_cost_usd_total", **by) == pytest.approx(
        body["usage"]["cost"]
    )
    assert _value(samples, "specrag_llm_call_duration_seconds_count", **by) == 3
    # buckets reach 10 minutes, for LLM calls and for HTTP requests
    assert _value(samples, "specrag_llm_call_duration_seconds_bucket", **by, le="600.0") == 3
    http = {"method": "POST", "route": "/v1/generate/blog", "status": "200"}
    assert _value(samples, "specrag_http_request_duration_seconds_bucket", **http, le="600.0") == 1
    grounding = body["grounding"]
    assert grounding["checked"] >= 1
    supported = _value(samples, "specrag_grounding_figures_total", **by, verdict="supported")
    unsupported = _value(samples, "specrag_grounding_figures_total", **by, verdict="unsupported")
    assert (supported, unsupported) == (grounding["supported"], len(grounding["unsupported"]))

    fake_openai.error(500).error(500)
    assert client.post("/v1/generate/blog", json={"car": "Aurora X5"}).status_code == 502
    samples = _samples(client)
    assert _value(samples, "specrag_llm_calls_total", **by, outcome="failed") == 1
    failures = {
        dict(labels)["error"]: value
        for (name, labels), value in samples.items()
        if name == "specrag_llm_failures_total" and value
    }
    assert len(failures) == 1 and sum(failures.values()) == 1, failures
    assert _value(samples, "specrag_llm_calls_total", **by, outcome="answered") == 3


def test_tokenize_gives_the_requirements_example_exactly(client: TestClient) -> None:
    response = client.post("/v1/tokenize", json={"text": "算法工程师", "encoding": "r50k_base"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ids"] == [163, 106, 245, 37345, 243, 32432, 98, 163, 101, 233, 30585, 230]
    assert body["tokens"][0] == {"id": 163, "bytes": [0xE7]}
    assert bytes(b for t in body["tokens"] for b in t["bytes"]).decode() == "算法工程师"

    by_model = client.post("/v1/tokenize", json={"text": "Aurora X5", "model": "remote"})
    assert by_model.json()["encoding"] == "cl100k_base"
    for bad in (
        {"text": "x"},
        {"text": "x", "encoding": "nope"},
        {"text": "x", "model": "a", "encoding": "b"},
    ):
        assert client.post("/v1/tokenize", json=bad).status_code == 422


def test_prompts_are_listed_and_unknown_business_is_refused(client: TestClient) -> None:
    prompts = client.get("/v1/prompts")
    assert prompts.status_code == 200
    listed = str(prompts.json())
    for business in (
        "car_blog",
        "push_ops",
        "push_personal",
        "weibo_region",
        "review",
        "news_comment",
    ):
        assert business in listed
    response = client.post("/v1/generate/no_such_business", json={"car": "Aurora X5"})
    assert response.status_code in (404, 422)
