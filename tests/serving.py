"""The app served for real: uvicorn in a thread, on a free loopback port; and the one way the
tests wait for something to come up (`wait_until`, on tenacity)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import tenacity
import uvicorn

from api.protocol import SpecragHttp


def wait_until(ready: Callable[[], bool], *, seconds: float, every: float = 0.2) -> bool:
    """Call `ready` every `every` seconds until it is true (True) or `seconds` pass (False).
    An exception from `ready` ends the wait at once: that is how a check says "never"."""
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_delay(seconds),
        wait=tenacity.wait_fixed(every),
        retry=tenacity.retry_if_result(lambda done: not done),
        retry_error_callback=lambda _state: False,
    )
    return bool(retrying(ready))


@contextmanager
def served(app: Any, *, start_seconds: float = 60, port: int = 0) -> Iterator[str]:
    """Serve `app` until the block ends, with the HTTP protocol `specrag serve` runs; yields
    its base URL, `http://127.0.0.1:PORT` (a free port, unless `port` names one)."""
    config = uvicorn.Config(app, log_level="warning", lifespan="on", http=SpecragHttp)
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "uvicorn stopped before it started"
        return bool(server.started)

    assert wait_until(started, seconds=start_seconds, every=0.05), "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
