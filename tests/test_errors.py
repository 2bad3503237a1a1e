"""Every domain error answers HTTP with its own status and `type`, pinned here class by class, in
the API's one error shape (`{"error": {"type", "message", "detail"}}`), through the one handler
`api.errors.install` registers; and every error class lives in its package's `errors.py`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from generation.errors import (
    CarHasNoFacts,
    GenerationError,
    GenerationFailed,
    GenerationStopped,
    LLMTimeout,
    LLMUnavailable,
    LocalModelMissing,
    MessageTooLong,
    PromptError,
    PromptNotFound,
    SensitiveInput,
    SessionBusy,
    SessionNotFound,
    UnavailableModel,
    UngroundedFigures,
    UnknownBusiness,
    UnknownCar,
    UnknownCarFilter,
    UnknownModel,
    UnsupportedLanguage,
)
from generation.guard import GuardHit
from ingest.errors import (
    CollectionClash,
    DatabaseUnavailable,
    DiskFull,
    EncodingUnavailable,
    ExportFailed,
    ExportMissing,
    IngestError,
    LexicalIndexCorrupt,
    LexicalIndexError,
    ModelMismatch,
    ModelUnavailable,
    ParseError,
    StoreCorrupt,
    StoreUnavailable,
    UnsupportedFile,
)
from ingest.specs.registry import CarSummary
from retrieval.errors import (
    EmptyQuery,
    IndexUnavailable,
    InvalidArgument,
    InvalidFilter,
    InvalidQuestions,
    RetrievalError,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "retrieval", "generation", "api")
BASES: tuple[type[Exception], ...] = (IngestError, RetrievalError, GenerationError)

# (status, type) of every error class, as the API answered before errors carried their own.
PINNED: dict[type[Exception], tuple[int, str]] = {
    IngestError: (500, "ingest_error"),
    UnsupportedFile: (415, "unsupported_file"),
    ParseError: (422, "parse_error"),
    ModelMismatch: (409, "model_mismatch"),
    CollectionClash: (409, "collection_clash"),
    ModelUnavailable: (503, "model_unavailable"),
    ExportMissing: (503, "export_missing"),
    ExportFailed: (503, "export_failed"),
    LexicalIndexError: (503, "lexical_index_error"),
    LexicalIndexCorrupt: (503, "lexical_index_corrupt"),
    StoreUnavailable: (503, "store_unavailable"),
    StoreCorrupt: (503, "store_corrupt"),
    DatabaseUnavailable: (503, "database_unavailable"),
    DiskFull: (507, "insufficient_storage"),
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
    UnavailableModel: (422, "unavailable_model"),
    LocalModelMissing: (502, "local_model_missing"),
    GenerationFailed: (502, "generation_failed"),
    SensitiveInput: (422, "sensitive_input"),
    MessageTooLong: (422, "message_too_long"),
    UnknownBusiness: (422, "unknown_business"),
    SessionNotFound: (404, "session_not_found"),
    SessionBusy: (409, "session_busy"),
    PromptNotFound: (500, "prompt_not_found"),
    PromptError: (500, "prompt_error"),
    UnknownCar: (404, "unknown_car"),
    UnknownCarFilter: (422, "unknown_car"),
    CarHasNoFacts: (422, "car_has_no_facts"),
    UngroundedFigures: (422, "ungrounded_figures"),
    UnsupportedLanguage: (422, "unsupported_language"),
}

ATTEMPTS = [{"n": 1, "error": "not JSON"}]
REASON = "set OPENAI_API_KEY to use gpt-4o"
USAGE = {"prompt_tokens": 12, "completion_tokens": 3, "cost": 0.0}
FIGURES = [{"text": "433 litres", "verdict": "wrong_car"}]
VENUE = CarSummary("hyundai-venue", "Hyundai Venue", ("Venue",), 2, 40)
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
    if cls is UnavailableModel:
        return UnavailableModel(
            message, model="gpt-4o", reason=REASON, api_key_env="OPENAI_API_KEY"
        )
    if issubclass(cls, UnknownCar):  # and UnknownCarFilter, which names its field
        field = "filters.car" if cls is UnknownCarFilter else None
        return cls("Hyundai Venu", close_matches=[VENUE], field=field)
    if cls is CarHasNoFacts:
        return CarHasNoFacts("tata-orbit", "Tata Orbit")
    if cls is UngroundedFigures:
        return UngroundedFigures(message, figures=FIGURES)
    if cls is UnsupportedLanguage:
        return UnsupportedLanguage(message, model="en-only", language="zh")
    if cls is DiskFull:
        return DiskFull("/data", message)
    if cls is StoreCorrupt:
        return StoreCorrupt("jobs", "/data/specrag.jobs.sqlite3", message)
    if cls is DatabaseUnavailable:
        return DatabaseUnavailable("jobs", "postgresql+psycopg://specrag:***@db/specrag", message)
    return cls(message)


# What each error puts in `detail`; None for the others.
DETAIL: dict[type[Exception], Any] = {
    GenerationFailed: {"attempts": ATTEMPTS, "usage": USAGE},
    MessageTooLong: {"tokens": 900, "budget": 512},
    UnavailableModel: {"model": "gpt-4o", "reason": REASON, "api_key_env": "OPENAI_API_KEY"},
    DiskFull: {"data_dir": "/data"},
    UnknownCar: {
        "close_matches": [
            {
                "id": "hyundai-venue",
                "name": "Hyundai Venue",
                "aliases": ["Venue"],
                "documents": 2,
                "facts": 40,
            }
        ]
    },
    UnknownCarFilter: {
        "close_matches": [
            {
                "id": "hyundai-venue",
                "name": "Hyundai Venue",
                "aliases": ["Venue"],
                "documents": 2,
                "facts": 40,
            }
        ],
        "field": "filters.car",
    },
    UngroundedFigures: {"figures": FIGURES},
    UnsupportedLanguage: {"model": "en-only", "language": "zh"},
    StoreCorrupt: {"store": "jobs", "path": "/data/specrag.jobs.sqlite3"},
    DatabaseUnavailable: {
        "store": "jobs",
        "database": "postgresql+psycopg://specrag:***@db/specrag",
    },
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

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        raise make(next(cls for cls in [*PINNED, EncodingUnavailable] if cls.__name__ == name))

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_every_error_class_is_pinned() -> None:
    found = {cls for base in BASES for cls in subclasses(base)}
    assert found == set(PINNED), "pin the status and type of a new error class in PINNED"


@pytest.mark.parametrize("cls", list(PINNED), ids=lambda cls: cls.__name__)
def test_error_class_declares_its_status_and_type(cls: type[Exception]) -> None:
    # Declared on the class itself, never inherited: a subclass that forgot would answer
    # with its parent's type.
    assert "status" in vars(cls) and "type" in vars(cls), cls
    assert (vars(cls)["status"], vars(cls)["type"]) == PINNED[cls]


def test_one_handler_answers_every_domain_error() -> None:
    app = FastAPI()
    errors.install(app)
    assert errors.DOMAIN_ERRORS == BASES
    assert {app.exception_handlers[base] for base in BASES} == {errors._domain_error}


def _error_classes_outside_errors_py() -> Iterator[str]:
    """`path: Class` for each exception class defined in a package module other than
    `errors.py` (private ones, `_Name`, are a module's own control flow and may stay)."""
    names = {cls.__name__ for cls in PINNED} | {"Exception", "RuntimeError", "ApiError"}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                    continue
                bases = {b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases}
                if bases & names or any(b.endswith(("Error", "Exception")) for b in bases):
                    yield f"{path.relative_to(REPO)}: {node.name}"


def test_error_classes_live_in_their_package_errors_py() -> None:
    assert list(_error_classes_outside_errors_py()) == []


@pytest.mark.parametrize("cls", list(PINNED), ids=lambda cls: cls.__name__)
def test_error_answers_with_its_status_and_type(client: TestClient, cls: type[Exception]) -> None:
    status, kind = PINNED[cls]
    response = client.get(f"/raise/{cls.__name__}")
    assert (response.status_code, response.json()["error"]["type"]) == (status, kind)
    assert response.json() == {
        "error": {"type": kind, "message": str(make(cls)), "detail": DETAIL.get(cls)}
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
