"""Every failure leaves the API in one shape: `{"error": {"type", "message", "detail"}}`.

Domain errors (`IngestError`, `RetrievalError`, `GenerationError` and their subclasses, each
package's `errors.py`) carry their own HTTP `status`, `type` and `detail`: one handler answers
them all, and logs the 5xx. A route's own refusal is an `ApiError`; validation errors name the
fields; anything unexpected is logged and becomes a 500 that says nothing about the internals.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from generation.errors import GenerationError
from ingest.errors import DiskFull, IngestError, disk_full_reason
from retrieval.errors import RetrievalError

log = logging.getLogger(__name__)

# The bases of the errors that carry their own status, type and detail.
DOMAIN_ERRORS = (IngestError, RetrievalError, GenerationError)
DomainError = IngestError | RetrievalError | GenerationError

# Types that differ from the status phrase, so that every 413 reads the same.
HTTP_TYPES = {413: "payload_too_large"}


class ApiError(Exception):
    """A route's own refusal: a status, a short type, a sentence for the user."""

    def __init__(
        self,
        status: int,
        type: str,
        message: str,
        *,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.detail = detail
        self.headers = headers


def snake(name: str) -> str:
    """`Not Found` → `not_found`; `URI Too Long` → `uri_too_long`; `EmptyQuery` → `empty_query`."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def error_body(type: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"type": type, "message": message, "detail": detail}}


def error_response(
    status: int,
    type: str,
    message: str,
    detail: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(type, message, detail), status_code=status, headers=headers)


def domain_body(exc: DomainError) -> dict[str, Any]:
    """The error shape of a domain error (a stream's `error` event adds its `status`)."""
    return error_body(exc.type, str(exc) or type(exc).__name__, exc.detail)


def _field(loc: tuple[Any, ...] | list[Any]) -> tuple[str, str]:
    """(where, dotted field) from a pydantic location such as ("body", "filters", "colour")."""
    parts = list(loc)
    where = str(parts.pop(0)) if parts and parts[0] in ("body", "query", "path", "header") else ""
    return where, ".".join(str(p) for p in parts)


def _position(body: Any, at: int) -> str:
    """Where character `at` of the request body is: "line 2, column 7 (character 14)"."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not isinstance(text, str):
        return f"character {at}"
    before = text[:at]
    line = before.count("\n") + 1
    column = at - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column} (character {at})"


def validation_detail(exc: RequestValidationError) -> tuple[int, str, str, list[dict[str, Any]]]:
    """(status, type, message, detail) for a request that failed validation: a body that is
    not JSON at all (empty, or broken at some character) is a 400 `malformed_json` naming
    where and why; JSON whose fields are wrong is a 422 naming the fields."""
    problems: list[dict[str, Any]] = []
    for err in exc.errors():
        where, field = _field(err.get("loc", ()))
        kind = str(err.get("type", "invalid"))
        if kind == "json_invalid" or (kind == "missing" and list(err.get("loc", ())) == ["body"]):
            return _not_json(exc.body, err)
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = "unknown field"
        problems.append({"location": where, "field": field, "type": kind, "message": message})
    if not problems:
        return 422, "validation_error", "the request is invalid", []
    named = "; ".join(
        f"{p['field'] or p['location'] or 'request'}: {p['message']}" for p in problems[:5]
    )
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return 422, "validation_error", f"invalid request: {named}{more}", problems


def _not_json(body: Any, err: Any) -> tuple[int, str, str, list[dict[str, Any]]]:
    """The 400 for a body that is not JSON: empty, or broken at a character."""
    if err.get("type") == "missing":
        reason, where = "the body is empty", "send a JSON object"
        empty = {"location": "body", "field": "", "type": "json_invalid", "message": reason}
        return 400, "malformed_json", f"the request body is not JSON: {reason}; {where}", [empty]
    loc = list(err.get("loc", ()))
    at = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    reason = str((err.get("ctx") or {}).get("error", "invalid JSON"))
    position = _position(body, at)
    problem: dict[str, Any] = {
        "location": "body",
        "field": "",
        "type": "json_invalid",
        "message": reason,
        "position": at,
    }
    message = f"the request body is not valid JSON: {reason} at {position}"
    return 400, "malformed_json", message, [problem]


def named(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    """`body` with the server's paths (data dir, ingest roots) named as responses name
    files (`api.naming`): an error names a document as its user gave it."""
    try:
        naming = request.app.state.specrag.services.naming
    except AttributeError:  # before the lifespan built the state
        return body
    shown: dict[str, Any] = naming.value(body)
    return shown


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    body = named(request, error_body(exc.type, exc.message, exc.detail))
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DOMAIN_ERRORS)
    if exc.status >= 500:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    return JSONResponse(named(request, domain_body(exc)), status_code=exc.status)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    status, kind, message, detail = validation_detail(exc)
    return error_response(status, kind, message, detail)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "error"
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else phrase
    kind = HTTP_TYPES.get(exc.status_code) or snake(phrase)
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, kind, message, None, headers)


async def _io_error(request: Request, exc: Exception) -> JSONResponse:
    """A write that failed for want of space (an upload, a store) is a 507 naming the data
    dir; any other OS or database error is unexpected."""
    reason = disk_full_reason(exc)
    if reason is None:
        return await _unexpected(request, exc)
    full = DiskFull(_data_dir(request), reason)
    log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, full)
    return JSONResponse(named(request, domain_body(full)), status_code=full.status)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal server error; see the server log")


def _data_dir(request: Request) -> str:
    try:
        return str(request.app.state.specrag.settings.data_dir)
    except AttributeError:  # before the lifespan built the state
        return "(the data dir)"


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one JSON shape."""
    app.add_exception_handler(ApiError, _api_error)
    for base in DOMAIN_ERRORS:
        app.add_exception_handler(base, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for io in (OSError, DBAPIError):
        app.add_exception_handler(io, _io_error)
    app.add_exception_handler(Exception, _unexpected)


# One owner per data dir (`api/owner.py`): who holds it, and the refusal to a second one.
@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds the data dir: a server's pid and address, when it wrote them."""

    pid: int | None = None
    url: str | None = None


class DataDirBusy(Exception):
    """The data dir is held by a server (`holder.url` set) or by a CLI command that writes."""

    def __init__(self, data_dir: Path, holder: Holder, *, wanted: str) -> None:
        self.data_dir = data_dir
        self.holder = holder
        if holder.pid is not None:
            where = f" on {holder.url}" if holder.url else ""
            message = f"data dir {data_dir} is served by pid {holder.pid}{where}"
        else:
            message = f"data dir {data_dir} is in use by a specrag ingest, delete or repair"
        advice = {
            "serve": "stop it first, or give this server another SPECRAG_DATA_DIR",
            "ingest": "use POST /v1/ingest (or POST /v1/documents) or stop the server",
            "delete": "use DELETE /v1/documents/{doc_id} or stop the server",
            "repair": "use POST /v1/admin/repair or stop the server",
        }.get(wanted, "stop it first")
        if holder.pid is None and wanted == "serve":
            advice = "wait for it to finish, then start the server"
        super().__init__(f"{message}; {advice}")


class WorkerRefused(RuntimeError):
    """A queue worker must not write to this index (another embedding model or chunking)."""
