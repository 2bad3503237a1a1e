"""Work that stops when its client goes away: a non-streamed answer nobody will read.

A streamed response stops by itself (Starlette cancels the stream when the client leaves); a
whole answer is computed before anything is sent, so without this it ran to the end (and was
paid for, and a chat turn stored as answered) after the client had gone. `until_client_leaves`
races the work against the request's `http.disconnect` and cancels the work when the client
leaves first: the model call stops (the usage ledger records its tokens as abandoned), nothing
after it runs (no chat turn is stored), and the request ends as 499.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

import anyio
from fastapi import Request

from api.errors import ApiError

log = logging.getLogger(__name__)

T = TypeVar("T")

CLIENT_CLOSED = 499  # nginx's "client closed request": no one receives it, the metrics do


async def until_client_leaves(request: Request, work: Awaitable[T]) -> T:
    """`work`'s result, or its exception; cancelled, with ApiError(499), if the client
    disconnects first. Call it once the request's body has been read."""
    result: list[T] = []
    failure: list[BaseException] = []
    left = False

    async with anyio.create_task_group() as group:

        async def run() -> None:
            try:
                result.append(await work)
            except Exception as e:  # raised below, as it is: not wrapped in an ExceptionGroup
                failure.append(e)
            group.cancel_scope.cancel()

        async def watch() -> None:
            nonlocal left
            while (await request.receive())["type"] != "http.disconnect":
                pass
            left = True
            group.cancel_scope.cancel()

        group.start_soon(watch)
        group.start_soon(run)

    if failure:
        raise failure[0]
    if result:
        return result[0]
    assert left, "the work ends with a result, an error or the client's departure"
    log.info("%s %s: the client left; its answer was stopped", request.method, request.url.path)
    raise ApiError(CLIENT_CLOSED, "client_closed_request", "the client closed the request")
