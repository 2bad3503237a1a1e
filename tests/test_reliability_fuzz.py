"""Schemathesis over every operation of the OpenAPI schema, counted: cases sent, statuses seen,
server errors (none allowed but the model endpoint's 502/504 on /v1/generate/).

It reuses test_fuzz.py's app (a small real index, ingest roots, a refused loopback model) and
adds what that test does not say: that the schema holds every route of the route table (so
"all routes" is checked, not assumed), and the figures for RELIABILITY.md. `make test` sends a
few cases per operation; `make reliability` sends SPECRAG_FUZZ_EXAMPLES (default 150) per
operation and mode.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from schemathesis import GenerationMode

from tests.reliability import long_or_short, record
from tests.test_fuzz import (  # fuzz_schema: the module-scoped app
    assert_error_shape,
    fuzz_operation,
    fuzz_schema,  # noqa: F401
    is_upstream_failure,
)

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SPECRAG_FUZZ_EXAMPLES", long_or_short(150, 3)))


def test_every_route_is_fuzzed_without_a_server_error(fuzz_schema: Any) -> None:  # noqa: F811
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    labels = {op.label for op in operations}
    app = fuzz_schema.app
    declared = {
        f"{method} {context.path}"
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
        for method in context.methods or ()
        if method != "HEAD"
    }
    assert declared == labels, f"in the route table only: {declared - labels}"

    statuses: Counter[str] = Counter()
    per_operation: dict[str, int] = Counter()
    server_errors: list[str] = []
    upstream = 0

    def check(case: Any) -> None:
        nonlocal upstream
        response = case.call()
        statuses[str(response.status_code)] += 1
        per_operation[case.operation.label] += 1
        if response.status_code >= 500:
            if is_upstream_failure(case, response):
                upstream += 1
            else:
                server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:300]}\n{case.as_curl_command()}"
                )
        assert_error_shape(response)

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            fuzz_operation(operation, mode, check, EXAMPLES)

    record(
        "fuzz",
        {
            "operations": sorted(labels),
            "examples_per_operation_and_mode": EXAMPLES,
            "cases": sum(statuses.values()),
            "per_operation": dict(sorted(per_operation.items())),
            "statuses": dict(sorted(statuses.items())),
            "server_errors": len(server_errors),
            "server_error_samples": server_errors[:5],
            "upstream_502_504": upstream,
        },
    )
    assert not server_errors, server_errors[:5]
    assert set(per_operation) == labels
