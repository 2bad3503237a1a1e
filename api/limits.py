"""Request guards that must act before a body is read: its size and its content type.

A route that takes a body declares its media type through its signature (a pydantic model:
JSON; `File`/`Form` parameters: multipart). The guard reads that from the route table once,
refuses a declared `Content-Length` over the limit with 413 before reading anything, stops a
body that streams past the limit, and refuses a body of the wrong media type with 415.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any

from fastapi import HTTPException, params
from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def _media(content_type: str) -> str:
    message = EmailMessage()
    message["content-type"] = content_type
    return message.get_content_type()


def _accepts(expected: str, got: str) -> bool:
    if expected == JSON:
        return got == JSON or (got.startswith("application/") and got.endswith("+json"))
    return got == expected


def _body_routes(app: Any) -> list[_BodyRoute]:
    found: list[_BodyRoute] = []
    for context in iter_route_contexts(app.routes):
        body_field = getattr(context.original_route, "body_field", None)
        regex = getattr(context, "path_regex", None)
        if body_field is None or regex is None:
            continue
        media = MULTIPART if isinstance(body_field.field_info, params.Form) else JSON
        found.append(_BodyRoute(str(context.path), regex, frozenset(context.methods or ()), media))
    return found


class RequestLimits:
    """413 for bodies over `json_bytes` (or `upload_bytes` on multipart routes), 415 for the
    wrong media type."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes
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
        await self.app(scope, _capped(receive, limit), send)


def _capped(receive: Receive, limit: int) -> Receive:
    """`receive`, raising 413 once the body streams past `limit` bytes."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"the request body is over the limit of {limit} bytes")
        return message

    return capped
