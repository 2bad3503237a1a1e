"""Every domain error answers HTTP with its own status and `type`, pinned here class by class, in
the API's one error shape (`{"error": {"type", "message", "detail"}}`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from api.routes import generate
from generation.chat.memory import MessageTooLong
from generation.chat.session import UnknownBusiness
from generation.chat.store import SessionBusy, SessionNotFound
from generation.errors import (
    GenerationError,
    GenerationFailed,
    GenerationStopped,
    LLMTimeout,
    LLMUnavailable,
    LocalModelMissing,
    UnknownModel,
)
from generation.guard import GuardHit, SensitiveInput
from generation.prompts import PromptError, PromptNotFound
from ingest.embedding.export import ExportFailed
from ingest.embedding.model import ExportMissing, ModelUnavailable
from ingest.encodings import EncodingUnavailable
from ingest.errors import FileRejected, IngestError, ModelMismatch, ParseError, UnsupportedFile
from ingest.lexical.writer import LexicalIndexError
from ingest.store import StoreUnavailable
from retrieval.errors import (
    EmptyQuery,
    IndexUnavailable,
    InvalidArgument,
    InvalidFilter,
    InvalidQuestions,
    RetrievalError,
)

BASES: tuple[type[Exception], ...] = (IngestError, RetrievalError, GenerationError)

# (status, type) of every error class, as the API answered before errors carried their own.
PINNED: dict[type[Exception], tuple[int, str]] = {
    IngestError: (500, "ingest_error"),
    UnsupportedFile: (415, "unsupported_file"),
    ParseError: (422, "parse_error"),
    FileRejected: (400, "file_rejected"),
    ModelMismatch: (409, "model_mismatch"),
    ModelUnavailable: (503, "model_unavailable"),
    ExportMissing: (503, "export_missing"),
    ExportFailed: (503, "export_failed"),
    LexicalIndexError: (503, "lexical_index_error"),
    StoreUnavailable: (503, "store_unavailable"),
    RetrievalError: (500, "retrieval_error"),
    EmptyQuery: (422, "empty_query"),
    InvalidFilter: (422, "invalid_filter"),
    InvalidArgument: (422, "invalid_argument"),
    IndexUnavailable: (503, "index_unavailable"),
    InvalidQuestions: (422, "invalid_questions"),
    GenerationError: (502, "generation_error"),
    LLMUnavailable: (502, "llm_unavailable"),
    LLMTimeout: (504, "llm_timeout"),
    GenerationStopped: (503, "generation_stopped"),
    UnknownModel: (422, "unknown_model"),
    LocalModelMissing: (502, "local_model_missing"),
    GenerationFailed: (502, "generation_failed"),
    SensitiveInput: (422, "sensitive_input"),
    MessageTooLong: (422, "message_too_long"),
    UnknownBusiness: (422, "unknown_business"),
    SessionNotFound: (404, "session_not_found"),
    SessionBusy: (409, "session_busy"),
    PromptNotFound: (500, "prompt_not_found"),
    PromptError: (500, "prompt_error"),
}

ATTEMPTS = [{"n": 1, "error": "not JSON"}]
USAGE = {"prompt_tokens": 12, "completion_tokens": 3, "cost": 0.0}
HIT = GuardHit(word="最好", text="最 好", start=3, end=6, list="zh", field="car")


def subclasses(base: type[Exception]) -> Iterator[type[Exception]]:
    yield base
    for sub in base.__subclasses__():
        yield from subclasses(sub)


def make(cls: type[Exception]) -> Exception:
    """An instance of `cls` with the message `boom <ClassName>`."""
    message = f"boom {cls.__name__}"
    if cls is GenerationFailed:
        return GenerationFailed(message, attempts=ATTEMPTS, usage=USAGE)
    if cls is SensitiveInput:
        return SensitiveInput(message, words=["最好"], hits=[HIT])
    if cls is MessageTooLong:
        return MessageTooLong(message, tokens=900, budget=512)
    return cls(message)


# What each error puts in `detail`; None for the others.
DETAIL: dict[type[Exception], Any] = {
    GenerationFailed: {"attempts": ATTEMPTS, "usage": USAGE},
    SensitiveInput: {
        "words": ["最好"],
        "hits": [
            {"word": "最好", "text": "最 好", "start": 3, "end": 6, "list": "zh", "field": "car"}
        ],
    },
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    errors.install(app)
    app.add_exception_handler(GenerationError, generate.generation_error)

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        raise make(next(cls for cls in [*PINNED, EncodingUnavailable] if cls.__name__ == name))

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_every_error_class_is_pinned() -> None:
    found = {cls for base in BASES for cls in subclasses(base)}
    assert found == set(PINNED), "pin the status and type of a new error class in PINNED"


@pytest.mark.parametrize("cls", list(PINNED), ids=lambda cls: cls.__name__)
def test_error_answers_with_its_status_and_type(client: TestClient, cls: type[Exception]) -> None:
    status, kind = PINNED[cls]
    response = client.get(f"/raise/{cls.__name__}")
    assert (response.status_code, response.json()["error"]["type"]) == (status, kind)
    assert response.json() == {
        "error": {"type": kind, "message": f"boom {cls.__name__}", "detail": DETAIL.get(cls)}
    }


def test_an_error_outside_the_hierarchy_is_an_internal_error(client: TestClient) -> None:
    response = client.get("/raise/EncodingUnavailable")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "type": "internal_error",
            "message": "internal server error; see the server log",
            "detail": None,
        }
    }
