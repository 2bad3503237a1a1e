"""The OpenAI-compatible routes through the official `openai` SDK, sync and streaming, against
the app served by uvicorn on a loopback port; the remote model is the scripted fake server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import openai
import pytest
import tiktoken
from pydantic import SecretStr

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.fake_openai import FakeOpenAI
from tests.samples import Samples
from tests.serving import served

pytestmark = pytest.mark.slow

KEY_ENV = "SPECRAG_TEST_COMPAT_KEY"
API_KEY = "sk-specrag-test"
ANSWER = "The Aurora X5 1.5T makes 130 kW [1]."


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory,
    fake_openai_server: FakeOpenAI,
    samples: Samples,
) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("compat")
    models = fake_openai_server.models_file(
        root / "models.toml",
        key_env=KEY_ENV,
        model_id="remote-id",
        context_window=1200,
        json_mode=False,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, "sk-upstream")
        settings = Settings(
            data_dir=root / "index",
            workers=0,
            models_file=models,
            llm_retries=0,
            generation_k=2,
            api_key=API_KEY,
        )
        with samples.services(settings) as built:  # data/samples, indexed
            yield built


@pytest.fixture(scope="module")
def base_url(services: Services) -> Iterator[str]:
    """The app in uvicorn, in a thread, on a free loopback port."""
    with served(create_app(services=services)) as url:
        yield f"{url}/v1"


@pytest.fixture
def client(base_url: str, fake_openai: FakeOpenAI) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0, timeout=60) as sdk:
        yield sdk


QUESTION = [
    {"role": "system", "content": "Answer in one sentence."},
    {"role": "user", "content": "What power does the Aurora X5 1.5T make?"},
]


def test_chat_completion_with_citations(client: openai.OpenAI, fake_openai: FakeOpenAI) -> None:
    fake_openai.reply(ANSWER)
    completion = client.chat.completions.create(model="remote", messages=QUESTION)  # type: ignore[arg-type]
    assert completion.object == "chat.completion"
    assert completion.model == "remote"
    assert completion.choices[0].message.content == ANSWER
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    extra = completion.model_extra or {}
    citations = extra["citations"]
    assert citations[0]["n"] == 1 and citations[0]["cited"]
    assert any(c["source"].endswith("aurora_x5.md") for c in citations)
    # the client's system message joined specrag's instructions; passages were retrieved
    sent = fake_openai.messages(-1)
    assert "Answer in one sentence." in sent[0]["content"]
    passages = [m["content"] for m in sent if "Numbered passages" in m["content"]]
    assert len(passages) == 1 and "Aurora X5" in passages[0] and " kW" in passages[0]
    assert "Facts of the Aurora X5" in passages[0]  # the topic car's facts, with the passages
    assert sent[-1] == QUESTION[-1]
    assert extra["memory"]["tokens"]["total"] <= 1200


def test_streaming_ends_with_a_usage_chunk_and_done(
    client: openai.OpenAI, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply(ANSWER)
    stream = client.chat.completions.create(
        model="remote",
        messages=QUESTION,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == ANSWER
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1  # pieces
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finish) == 1 and finish[0].choices[0].finish_reason == "stop"
    assert (finish[0].model_extra or {})["citations"][0]["chunk_id"]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])  # as OpenAI: null until the last one


def test_streaming_without_include_usage_has_no_usage_chunk(
    base_url: str, fake_openai: FakeOpenAI
) -> None:
    import httpx

    fake_openai.reply(ANSWER)
    body = {"model": "remote", "messages": QUESTION, "stream": True}
    headers = {"authorization": f"Bearer {API_KEY}"}
    with httpx.stream(
        "POST", f"{base_url}/chat/completions", json=body, headers=headers, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]"
    assert '"usage"' not in "".join(events)


def test_history_is_kept_newest_first_within_the_window(
    client: openai.OpenAI, fake_openai: FakeOpenAI
) -> None:
    history: list[dict[str, str]] = []
    for n in range(1, 31):
        history += [
            {"role": "user", "content": f"Question {n:02d} about the Aurora X5 boot space?"},
            {"role": "assistant", "content": f"Answer {n:02d}: 520 litres [1]."},
        ]
    fake_openai.reply(ANSWER)
    messages = [*history, {"role": "user", "content": "And the Lumen E2?"}]
    completion = client.chat.completions.create(model="remote", messages=messages)  # type: ignore[arg-type]
    memory = (completion.model_extra or {})["memory"]
    kept, dropped = memory["kept_turns"], memory["dropped_turns"]
    assert kept and dropped and kept == list(range(31 - len(kept), 31))
    assert sorted(kept + dropped) == list(range(1, 31))
    assert memory["tokens"]["total"] <= memory["tokens"]["budget"] == 1200
    sent = [m["content"] for m in fake_openai.messages(-1) if m["role"] != "system"]
    assert sent[0] == f"Question {kept[0]:02d} about the Aurora X5 boot space?"


def test_token_id_input_embeds_the_decoded_text(client: openai.OpenAI, services: Services) -> None:
    """`list[int]` and `list[list[int]]` in cl100k_base, as OpenAI clients tokenize."""
    texts = ["Aurora X5 Hybrid battery capacity", "最大功率 130 kW"]
    encoding = tiktoken.get_encoding("cl100k_base")  # tiktoken's own, as a client has it
    ids = [encoding.encode(text) for text in texts]
    name = services.embedder.name
    as_text = client.embeddings.create(model=name, input=texts, encoding_format="float")
    as_ids = client.embeddings.create(model=name, input=ids, encoding_format="float")
    one = client.embeddings.create(model=name, input=ids[1], encoding_format="float")
    assert len(as_ids.data) == 2 and len(one.data) == 1
    for i in range(2):
        assert as_ids.data[i].embedding == as_text.data[i].embedding
    assert one.data[0].embedding == as_text.data[1].embedding
    assert as_ids.usage.prompt_tokens == as_text.usage.prompt_tokens > 0


def test_langchain_openai_embeddings_with_its_defaults(base_url: str, services: Services) -> None:
    """LangChain's `OpenAIEmbeddings` as documented: it sends cl100k_base token ids."""
    from langchain_openai import OpenAIEmbeddings

    lc = OpenAIEmbeddings(
        base_url=base_url, api_key=SecretStr(API_KEY), model=services.embedder.name, max_retries=0
    )
    assert lc.check_embedding_ctx_length and lc.tiktoken_enabled  # the defaults: token ids
    texts = ["Aurora X5 1.5T engine power", "Aurora X5 Hybrid electric range"]
    documents = lc.embed_documents(texts)
    query = lc.embed_query(texts[0])
    own = services.embedder.embed_documents(texts)
    assert len(documents) == 2 and len(query) == services.embedder.dimension
    for vector, expected in zip(documents, own, strict=True):
        assert float(np.dot(vector, expected)) > 0.9999
    assert float(np.dot(query, documents[0])) > 0.9999


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"model": "remote", "messages": []}, "messages"),
        ({"model": "gpt-9", "messages": QUESTION}, "unknown model 'gpt-9'"),
        ({"model": "remote", "messages": [{"role": "tool", "content": "x"}]}, "role"),
        ({"model": "remote", "messages": [{"role": "wizard", "content": "x"}]}, "role"),
        ({"model": "remote", "messages": [{"content": "x"}]}, "role"),
        (
            {"model": "remote", "messages": [*QUESTION, {"role": "assistant", "content": "x"}]},
            "last message must come from the user",
        ),
        ({"model": "remote", "messages": [{"role": "user", "content": "  "}]}, "empty"),
        (
            {
                "model": "remote",
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}
                ],
            },
            "text",
        ),
        (
            {"model": "remote", "messages": [{"role": "user", "content": "spec " * 2000}]},
            "room for",
        ),
        ({"model": "remote", "messages": QUESTION, "n": 2}, "n"),
    ],
    ids=[
        "empty",
        "unknown-model",
        "tool-role",
        "unknown-role",
        "no-role",
        "ends-with-assistant",
        "blank",
        "image",
        "over-budget",
        "n",
    ],
)
def test_bad_requests_are_422_in_the_error_shape(
    client: openai.OpenAI, fake_openai: FakeOpenAI, body: dict[str, Any], needle: str
) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.post("/chat/completions", body=body, cast_to=object)
    error = caught.value.body
    assert isinstance(error, dict) and set(error) == {"type", "message", "detail"}
    assert needle in error["message"], error
    assert fake_openai.requests == []  # refused before any model call


def test_upstream_failure_is_a_502(client: openai.OpenAI, fake_openai: FakeOpenAI) -> None:
    fake_openai.error(500)
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="remote", messages=QUESTION)  # type: ignore[arg-type]
    assert caught.value.status_code == 502


def test_the_api_key_is_required(base_url: str) -> None:
    with openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0) as sdk:
        with pytest.raises(openai.AuthenticationError):
            sdk.models.list()


def test_models_lists_the_chat_and_embedding_models(
    client: openai.OpenAI, services: Services
) -> None:
    models = {m.id: m for m in client.models.list()}
    assert set(models) == {"remote", services.embedder.name}
    assert (models["remote"].model_extra or {})["context_window"] == 1200
    assert (models[services.embedder.name].model_extra or {})["type"] == "embedding"
    assert client.models.retrieve("remote").id == "remote"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-9")


def test_embeddings_are_the_vectors_in_the_index(client: openai.OpenAI, services: Services) -> None:
    stored = services.store.collection().get(
        limit=3, include=["embeddings", "documents", "metadatas"]
    )
    texts = [
        f"{meta['header']}\n{doc}" if meta.get("header") else doc
        for doc, meta in zip(stored["documents"], stored["metadatas"], strict=True)
    ]
    name = services.embedder.name
    as_floats = client.embeddings.create(model=name, input=texts, encoding_format="float")
    as_base64 = client.embeddings.create(model=name, input=texts)  # the SDK asks for base64
    assert as_floats.model == name and [d.index for d in as_floats.data] == [0, 1, 2]
    assert as_floats.usage.prompt_tokens > 0
    own = services.embedder.embed_documents(texts)  # the index's embedder, the same batch
    for i, vector in enumerate(stored["embeddings"]):
        floats = np.array(as_floats.data[i].embedding, dtype=np.float32)
        decoded = np.array(as_base64.data[i].embedding, dtype=np.float32)
        assert np.array_equal(floats, own[i]) and np.array_equal(decoded, own[i])
        # Ingest embedded these chunks in batches of 16 padded to their longest text; CPU
        # kernels for other shapes round differently in the 4th decimal, nothing more.
        in_index = np.asarray(vector, dtype=np.float32)
        assert float(floats @ in_index) > 0.9999
        [hit] = services.store.query(floats, k=1)
        assert hit.id == stored["ids"][i] and hit.distance < 1e-4
    one = client.embeddings.create(model=name, input=texts[0], encoding_format="float")
    assert len(one.data) == 1 and len(one.data[0].embedding) == services.embedder.dimension


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"input": []}, "empty"),
        ({"input": ""}, "empty"),
        ({"input": [[1, 2, 100256]]}, "input[0][2]: token id 100256 is not in cl100k_base"),
        ({"input": [[5, 6], [7, -1]]}, "input[1][1]: token id -1"),
        ({"input": [[1, 2], []]}, "input 1 has no token ids"),
        ({"input": [1.5, 2]}, "input"),
        ({"input": ["a", 1]}, "input"),
        ({"input": "x", "model": "text-embedding-3-small"}, "this index embeds with"),
        ({"input": "x", "dimensions": 3}, "dimensions"),
        ({"input": "spec " * 2000}, "reads at most"),
    ],
    ids=[
        "empty-list",
        "empty",
        "unknown-token-id",
        "negative-token-id",
        "no-token-ids",
        "float-ids",
        "mixed",
        "other-model",
        "dimensions",
        "too-long",
    ],
)
def test_bad_embedding_requests_are_422(
    client: openai.OpenAI, body: dict[str, Any], needle: str
) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.post("/embeddings", body=body, cast_to=object)
    error = caught.value.body
    assert isinstance(error, dict) and needle in error["message"], error
