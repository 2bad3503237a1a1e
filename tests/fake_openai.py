"""A scripted OpenAI-protocol server on loopback, for the real `openai` client to talk to.

The only stand-in in the test suite: the remote LLM service. It serves
`POST /v1/chat/completions` (plain and `stream: true`, with or without `response_format`) and
`GET /v1/models` on 127.0.0.1 at a free port, from a thread. Each test scripts a queue of
responses; every request body is recorded so a test can assert what each step received.

    with FakeOpenAI() as server:
        server.reply('{"title": "Venue"}')             # 200 with this message content
        server.error(429, headers={"retry-after": "0"})  # then a rate limit
        server.reply("late", delay=5)                  # a slow answer (client timeout)
        server.stall(["Hel", "lo"], seconds=5)         # a stream that stops half way
        server.broken_body()                           # a 200 whose JSON body is cut off
        ...
        server.requests[0]["body"]["messages"]          # what the client sent

An empty queue answers 500 with "no scripted response", so an unexpected extra call shows up
as a failure rather than passing quietly. `respond(fn)` scripts a dynamic answer from the body.

A reply held back (`delay`, `stall`) ends early when the client goes away: the request's record
then says `client_left`, which is how a test sees that the client, not the server, ended it.
The fixtures: `fake_openai_server`, one server for the session (apps built once per module point
at it), and `fake_openai`, the same server with an empty script and record for each test.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

COUNT = "count"  # usage computed from the request, as a real server would


@dataclass
class Scripted:
    """One scripted answer."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    usage: dict[str, int] | str | None = COUNT
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None
    stall_after: list[str] | None = None  # stream these chunks, then hang
    stall_seconds: float = 0.0
    raw_body: bytes | None = None
    fn: Callable[[dict[str, Any]], str] | None = None
    stream_chunk_chars: int = 4


def _count(body: dict[str, Any], content: str) -> dict[str, int]:
    from ingest.encodings import get_encoding

    enc = get_encoding("cl100k_base")
    prompt = 3 + sum(
        3 + sum(len(enc.encode(str(v), disallowed_special=())) for v in m.values())
        for m in body.get("messages", [])
    )
    completion = len(enc.encode(content, disallowed_special=()))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


class FakeOpenAI:
    """The server; use as a context manager or through the `fake_openai` fixture."""

    def __init__(self, model: str = "fake-model"):
        self.model = model
        self.queue: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0  # requests being answered
        self._release = threading.Event()  # set: held-back replies of this script give up
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------------------
    def reply(
        self,
        content: str,
        *,
        delay: float = 0.0,
        usage: dict[str, int] | str | None = COUNT,
        finish_reason: str = "stop",
    ) -> FakeOpenAI:
        """A 200 whose message content is `content` (stream or not, as the client asks)."""
        self.queue.append(
            Scripted(content=content, delay=delay, usage=usage, finish_reason=finish_reason)
        )
        return self

    def reply_json(self, value: Any, **kwargs: Any) -> FakeOpenAI:
        return self.reply(json.dumps(value, ensure_ascii=False), **kwargs)

    def error(
        self,
        status: int,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> FakeOpenAI:
        """An HTTP error with OpenAI's error body."""
        self.queue.append(
            Scripted(
                status=status,
                error_message=message or f"scripted error {status}",
                headers=headers or {},
                delay=delay,
            )
        )
        return self

    def stall(self, chunks: list[str], *, seconds: float) -> FakeOpenAI:
        """A stream that sends `chunks` and then hangs for `seconds` (needs `stream: true`)."""
        self.queue.append(
            Scripted(content="".join(chunks), stall_after=chunks, stall_seconds=seconds)
        )
        return self

    def broken_body(self, body: bytes = b'{"id": "chatcmpl-1", "choices": [{"mess') -> FakeOpenAI:
        """A 200 whose JSON body is cut off mid-way."""
        self.queue.append(Scripted(raw_body=body))
        return self

    def respond(self, fn: Callable[[dict[str, Any]], str]) -> FakeOpenAI:
        """A 200 whose content is `fn(request_body)`."""
        self.queue.append(Scripted(fn=fn))
        return self

    # -- inspection --------------------------------------------------------------------------
    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def messages(self, index: int = -1) -> list[dict[str, str]]:
        """The messages of the `index`-th chat request."""
        return list(self.bodies[index]["messages"])

    @property
    def pending(self) -> int:
        return len(self.queue)

    def models_file(
        self,
        path: Path,
        *,
        key_env: str,
        model_id: str = "remote-model",
        context_window: int = 16000,
        json_mode: bool = True,
    ) -> Path:
        """Write a model table whose default model, `remote`, is this server; return `path`."""
        path.write_text(
            f"""default = "remote"

[models.remote]
kind = "openai"
base_url = "{self.base_url}"
api_key_env = "{key_env}"
model_id = "{model_id}"
context_window = {context_window}
tokenizer = "cl100k_base"
input_price_per_1m = 2.0
output_price_per_1m = 8.0
json_mode = {str(json_mode).lower()}
"""
        )
        return path

    # -- server ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def reset(self) -> None:
        """An empty script and record, as a new server would have; replies an earlier test
        held back (a delay, a stall) give up instead of answering."""
        with self._lock:
            self._release.set()
            self._release = threading.Event()
            self.queue.clear()
            self.requests.clear()

    def wait_idle(self, timeout: float = 60) -> None:
        """Until every request received so far has been answered or abandoned."""
        with self._idle:
            assert self._idle.wait_for(lambda: self._active == 0, timeout), "requests still open"

    def stop(self) -> None:
        self._release.set()  # wakes handlers holding back a reply
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, record: dict[str, Any]) -> tuple[Scripted | None, threading.Event]:
        with self._lock:
            self.requests.append(record)
            return (self.queue.popleft() if self.queue else None), self._release

    def _enter(self) -> None:
        with self._lock:
            self._active += 1

    def _leave(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


class _Handler(BaseHTTPRequestHandler):
    """One request to the fake; `fake` is the FakeOpenAI it answers for (`_make_handler`)."""

    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            models = [{"id": self.fake.model, "object": "model"}]
            self._json(200, {"object": "list", "data": models})
        else:
            self._json(404, _error(f"no route {self.path}", "not_found"))

    def do_POST(self) -> None:
        self.fake._enter()
        try:
            self._post()
        finally:
            self.fake._leave()

    def _hold(self, seconds: float, release: threading.Event, record: dict[str, Any]) -> bool:
        """Wait `seconds` before going on with the reply; False, and `client_left` in the
        record, when the client closes the connection first (False too when released)."""
        deadline = time.monotonic() + seconds
        while not release.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            # poll, not select: a long session's descriptors pass select's FD_SETSIZE (1024)
            poller = select.poll()
            poller.register(self.connection, select.POLLIN)
            readable = poller.poll(min(left, 0.05) * 1000)
            if readable:
                try:
                    gone = not self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    gone = True
                if gone:
                    record["client_left"] = True
                    return False
                release.wait(min(left, 0.05))  # bytes of another request: keep holding
        return False

    def _post(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        record = {
            "path": self.path,
            "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.fake._next(record)
            self._json(404, _error(f"no route {self.path}", "not_found"))
            return
        script, release = self.fake._next(record)
        if script is None:
            self._json(500, _error("fake server: no scripted response", "server_error"))
            return
        if script.delay and not self._hold(script.delay, release, record):
            return
        if script.raw_body is not None:
            self._send(200, script.raw_body, "application/json")
            return
        if script.status != 200:
            message = script.error_message or ""
            self._json(script.status, _error(message, "scripted"), headers=script.headers)
            return
        content = script.fn(body) if script.fn is not None else script.content or ""
        usage = script.usage
        if usage == COUNT:
            usage = _count(body, content)
        model = body.get("model", self.fake.model)
        if body.get("stream"):
            self._stream(script, content, usage, model, body, release, record)
        else:
            self._json(
                200,
                {
                    "id": f"chatcmpl-{len(self.fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": script.finish_reason,
                        }
                    ],
                    **({"usage": usage} if usage else {}),
                },
            )

    def _stream(
        self,
        script: Scripted,
        content: str,
        usage: Any,
        model: str,
        body: dict[str, Any],
        release: threading.Event,
        record: dict[str, Any],
    ) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        # Chunked, like real servers: a stream cut short is then a protocol error to the
        # client, not a clean end of body.
        self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        if script.stall_after is not None:
            pieces = script.stall_after
        else:
            n = script.stream_chunk_chars
            pieces = [content[i : i + n] for i in range(0, len(content), n)] or [""]
        created = int(time.time())

        def chunk(delta: dict[str, str] | None, finish: str | None = None) -> dict[str, Any]:
            choices = (
                [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            )
            return {
                "id": "chatcmpl-stream",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
            }

        def write(data: bytes) -> bool:
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n")
                self.wfile.flush()
                return True
            except (BrokenPipeError, ConnectionResetError):
                return False

        def event(payload: dict[str, Any]) -> bool:
            return write(f"data: {json.dumps(payload)}\n\n".encode())

        if not event(chunk({"role": "assistant", "content": ""})):
            return
        for piece in pieces:
            if not event(chunk({"content": piece})):
                return
        if script.stall_after is not None:
            self._hold(script.stall_seconds, release, record)
            return  # then the connection closes mid-body
        event(chunk({}, script.finish_reason))
        if usage and (body.get("stream_options") or {}).get("include_usage"):
            event({**chunk(None), "usage": usage})
        if write(b"data: [DONE]\n\n"):
            write(b"")

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _make_handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"fake": server})


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """One started fake server for the session; apps a module builds once point at it."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The session's fake server with an empty script and record for this test."""
    fake_openai_server.reset()
    yield fake_openai_server
    fake_openai_server.reset()
