"""Request guards that must act before a body is read: the API key, the body's size, content
type and pace, and how many requests one client has in flight.

A route that takes a body declares its media type through its signature (a pydantic model:
JSON; `File`/`Form` parameters: multipart). The guard reads that from the route table once,
refuses a request without the API key (when the route needs it) with 401 before reading
anything (FastAPI parses a body before it runs dependencies), refuses a declared
`Content-Length` over the limit with 413, stops a body that streams past the limit, refuses a
body of the wrong media type with 415, and a body that stalls (`SPECRAG_BODY_TIMEOUT` between
two pieces, `SPECRAG_BODY_MAX_SECONDS` in all) with 408.

uvicorn bounds the connections of the whole server (`limit_concurrency`, 503) and idle
keep-alive connections (`timeout_keep_alive`) but not one client's share: `ClientLimit`
answers 429 to a client (by IP address) that already has `SPECRAG_MAX_REQUESTS_PER_CLIENT`
requests in flight.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any

import anyio
from fastapi import HTTPException, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import key_refusal, require_api_key
from api.errors import error_response

JSON = "application/json"
MULTIPART = "multipart/form-data"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROUTE_KEY = "specrag.route"


@dataclass(frozen=True, slots=True)
class _BodyRoute:
    path: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    media: str
    needs_key: bool


def _media(content_type: str) -> str:
    message = EmailMessage()
    message["content-type"] = content_type
    return message.get_content_type()


def _accepts(expected: str, got: str) -> bool:
    if expected == JSON:
        return got == JSON or (got.startswith("application/") and got.endswith("+json"))
    return got == expected


def _needs_key(dependant: Dependant | None) -> bool:
    if dependant is None:
        return False
    return dependant.call is require_api_key or any(_needs_key(d) for d in dependant.dependencies)


def _body_routes(app: Any) -> list[_BodyRoute]:
    found: list[_BodyRoute] = []
    for context in iter_route_contexts(app.routes):
        body_field = getattr(context.original_route, "body_field", None)
        regex = getattr(context, "path_regex", None)
        if body_field is None or regex is None:
            continue
        media = MULTIPART if isinstance(body_field.field_info, params.Form) else JSON
        dependant = getattr(context.original_route, "dependant", None)
        methods = frozenset(context.methods or ())
        found.append(_BodyRoute(str(context.path), regex, methods, media, _needs_key(dependant)))
    return found


@dataclass(frozen=True, slots=True)
class BodyPace:
    """How long a body may take: `gap` seconds between two pieces, `total` in all."""

    gap: float
    total: float


class RequestLimits:
    """401 without the API key, 413 for bodies over `json_bytes` (or `upload_bytes` on
    multipart routes), 415 for the wrong media type, 408 for a body slower than `pace`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        json_bytes: int,
        upload_bytes: int,
        pace: BodyPace,
        api_key: SecretStr | None = None,
    ) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes
        self.pace = pace
        self.api_key = api_key
        self._routes: list[_BodyRoute] | None = None

    def _route_for(self, scope: Scope) -> _BodyRoute | None:
        if self._routes is None:
            self._routes = _body_routes(scope["app"])
        path, method = scope.get("path", ""), scope.get("method", "")
        for route in self._routes:
            if method in route.methods and route.regex.match(path):
                return route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        route = self._route_for(scope)
        if route is not None:
            scope[ROUTE_KEY] = route.path  # for the metrics of requests refused here
            # The route's own dependency checks the key too, but only after the body is parsed.
            refusal = (
                key_refusal(self.api_key, headers.get("authorization")) if route.needs_key else None
            )
            if refusal is not None:
                response = error_response(
                    refusal.status, refusal.type, refusal.message, None, refusal.headers
                )
                await response(scope, receive, send)
                return
        limit = self.upload_bytes if route and route.media == MULTIPART else self.json_bytes
        declared = headers.get("content-length", "")
        has_body = "transfer-encoding" in headers or declared not in ("", "0")
        if declared and (not declared.isdigit() or int(declared) > limit):
            too_big = declared.isdigit()
            response = error_response(
                413 if too_big else 400,
                "payload_too_large" if too_big else "bad_request",
                f"the request body is {declared} bytes; the limit is {limit} bytes"
                if too_big
                else f"invalid Content-Length {declared!r}",
                {"limit_bytes": limit} if too_big else None,
            )
            await response(scope, receive, send)
            return
        if route is not None and has_body:
            got = _media(headers.get("content-type", ""))
            if not headers.get("content-type") or not _accepts(route.media, got):
                shown = headers.get("content-type") or "none"
                response = error_response(
                    415,
                    "unsupported_media_type",
                    f"this route takes {route.media}, not {shown}",
                    {"expected": route.media},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, _capped(receive, limit, self.pace), send)


def _capped(receive: Receive, limit: int, pace: BodyPace) -> Receive:
    """`receive`, raising 413 once the body streams past `limit` bytes and 408 when its next
    piece is slower than `pace`. Once the body is whole, waits (for a disconnect) are free."""
    seen = 0
    whole = False
    deadline = anyio.current_time() + pace.total

    async def capped() -> Message:
        nonlocal seen, whole
        if whole:
            return await receive()
        wait = min(pace.gap, deadline - anyio.current_time())
        with anyio.move_on_after(max(wait, 0)) as waited:
            message = await receive()
        if waited.cancelled_caught:
            raise HTTPException(
                408,
                f"the request body did not arrive in time: at most {pace.gap:g} s between two "
                f"pieces and {pace.total:g} s in all",
                headers={"connection": "close"},
            )
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            whole = not message.get("more_body", False)
            if seen > limit:
                raise HTTPException(413, f"the request body is over the limit of {limit} bytes")
        return message

    return capped


PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})  # probes are never turned away


class ClientLimit:
    """429 for a request from a client (IP address) that has `per_client` requests in flight."""

    def __init__(self, app: ASGIApp, *, per_client: int) -> None:
        self.app = app
        self.per_client = per_client
        self._active: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        host = str(client[0]) if client else ""
        if self._active[host] >= self.per_client:
            response = error_response(
                429,
                "too_many_requests",
                f"this client already has {self._active[host]} requests in flight; the limit "
                f"is {self.per_client} (SPECRAG_MAX_REQUESTS_PER_CLIENT): retry when one ends",
                {"limit": self.per_client},
                headers={"retry-after": "1"},
            )
            await response(scope, receive, send)
            return
        self._active[host] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._active[host] -= 1
            if self._active[host] <= 0:
                del self._active[host]
