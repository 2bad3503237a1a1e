"""Schemathesis over the whole OpenAPI schema, in process: no input may get a server error.

Bounded inside `make test` (a few examples per operation); `make fuzz` sets
`SPECRAG_FUZZ_EXAMPLES` for a longer run.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python import asgi

from api.app import create_app
from api.services import Services
from api.settings import Settings

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SPECRAG_FUZZ_EXAMPLES", "20"))
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Any]:
    """The app on a small real index, with ingest roots set so every route does real work."""
    root = tmp_path_factory.mktemp("fuzz")
    library = root / "library"
    library.mkdir()
    for name in ("lumen_e2.txt", "aurora_x5.md"):
        shutil.copy(SAMPLES / name, library / name)
    # Generation goes to a "remote" model on a loopback port nobody listens on: every call
    # fails fast as the upstream's fault (502), so fuzzing the generate routes never waits on
    # a model; their success paths are tested in test_chain.py and test_api_generate.py.
    models = root / "models.toml"
    models.write_text(
        'default = "remote"\n[models.remote]\nkind = "openai"\n'
        f'base_url = "http://127.0.0.1:{_closed_port()}/v1"\napi_key_env = "SPECRAG_FUZZ_KEY"\n'
        'model_id = "m"\ncontext_window = 8192\ntokenizer = "cl100k_base"\n'
        "input_price_per_1m = 1.0\noutput_price_per_1m = 2.0\njson_mode = true\n"
    )
    os.environ.setdefault("SPECRAG_FUZZ_KEY", "sk-fuzz")
    config = Settings(
        data_dir=root / "index",
        workers=0,
        roots=[library],
        max_file_mb=0.05,
        models_file=models,
        llm_retries=0,
    )
    services = Services(config, embedder=embedder)
    services.pipeline.run([library])
    app = create_app(config, services=services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the lifespan
    try:
        yield schema
    finally:
        asgi.shutdown_lifespans()
        services.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# 502/504 under these is the model endpoint's failure, by design (the fuzz app's model port
# has no listener)
UPSTREAM = ("/v1/generate/", "/v1/chat")


def is_upstream_failure(case: Any, response: Any) -> bool:
    return bool(case.formatted_path.startswith(UPSTREAM) and response.status_code in (502, 504))


def assert_error_shape(response: Any) -> None:
    """Every 4xx/5xx answer is the one JSON error shape."""
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["type"] and error["message"], response.text


def fuzz_operation(
    operation: Any, mode: GenerationMode, check: Callable[[Any], None], examples: int
) -> bool:
    """`check` on `examples` generated cases of `operation`; False when there was nothing to
    break (no parameters or body, as GET /healthz, in negative mode)."""
    run = given(case=operation.as_strategy(mode))(check)
    run = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(run)
    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label
        return False
    return True


def _check(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500 or is_upstream_failure(case, response), (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}\n"
        f"{case.as_curl_command()}"
    )
    assert_error_shape(response)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_gets_a_server_error(fuzz_schema: Any, mode: GenerationMode) -> None:
    """Every operation, with data that fits the schema and with data that breaks it."""
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /v1/query", "POST /v1/documents"}
    fuzzed = []
    for operation in operations:
        if fuzz_operation(operation, mode, _check, EXAMPLES):
            fuzzed.append(operation.label)
    assert "POST /v1/query" in fuzzed and "POST /v1/ingest" in fuzzed
