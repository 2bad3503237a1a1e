"""Named callback events for every LLM call, retrieval and chain step.

Events: `llm.start`, `llm.end`, `llm.error`, `llm.abandoned` (the caller went away before the
answer: the tokens spent so far), `retrieval.end`, `chain.step`, `guard.hit`, `polish.end`
(the embedded model's rewrite of a written paragraph: kept or why not).
Handlers are plain callables `handler(event, payload)` registered under a name; which ones
run is chosen in settings (`build_callbacks(["log", "ledger"], ledger=...)`). A handler that
raises is logged with its name and the event, and the request goes on.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generation.usage import Outcome, UsageLedger

log = logging.getLogger(__name__)

EVENTS = (
    "llm.start",
    "llm.end",
    "llm.error",
    "llm.abandoned",
    "retrieval.end",
    "chain.step",
    "guard.hit",
    "polish.end",
)
# The events the ledger records, with the outcome each is recorded as.
BILLED: dict[str, Outcome] = {"llm.end": "answered", "llm.abandoned": "abandoned"}

Handler = Callable[[str, dict[str, Any]], None]


class Callbacks:
    """A set of named handlers; `emit` calls each one and never raises."""

    def __init__(
        self, handlers: dict[str, Handler] | None = None, *, context: dict[str, Any] | None = None
    ):
        self._handlers: dict[str, Handler] = handlers if handlers is not None else {}
        self.context: dict[str, Any] = dict(context or {})

    def register(self, name: str, handler: Handler) -> None:
        self._handlers[name] = handler

    @property
    def names(self) -> list[str]:
        return list(self._handlers)

    def emit(self, event: str, **payload: Any) -> None:
        """Send `event` with `payload` to every handler; a failing handler is only logged."""
        if event not in EVENTS:
            log.warning("callback event %r is not one of %s", event, ", ".join(EVENTS))
        payload = {**self.context, **payload}
        for name, handler in list(self._handlers.items()):
            try:
                handler(event, payload)
            except Exception:
                log.exception("callback handler %r failed on %s", name, event)

    def child(self, **context: Any) -> Callbacks:
        """The same handlers, adding `context` (business, request_id, step…) to every payload."""
        return Callbacks(self._handlers, context={**self.context, **context})


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return repr(value)


def json_log_handler(logger: logging.Logger | None = None, level: int = logging.INFO) -> Handler:
    """One JSON line per event on `logger` (default `specrag.events`)."""
    target = logger or logging.getLogger("specrag.events")

    def handle(event: str, payload: dict[str, Any]) -> None:
        line = {"event": event, "ts": round(time.time(), 3), **_jsonable(payload)}
        target.log(level, json.dumps(line, ensure_ascii=False, sort_keys=False))

    return handle


def ledger_handler(
    ledger: UsageLedger | None, *, on_failure: Callable[[], None] | None = None
) -> Handler:
    """Writes every `llm.end` and `llm.abandoned` into the usage ledger (a failed call
    reports no usage).

    A call the ledger cannot record (a broken or full database; no ledger at all, when it
    could not be opened) is billing lost: logged as an error with its tokens and cost, and
    counted through `on_failure`, never skipped in silence.
    """

    def handle(event: str, payload: dict[str, Any]) -> None:
        if event not in BILLED:
            return
        try:
            if ledger is None:
                raise RuntimeError("the usage ledger could not be opened (see /readyz)")
            ledger.record(
                outcome=BILLED[event],
                model=payload["model"],
                prompt_tokens=payload.get("prompt_tokens", 0),
                completion_tokens=payload.get("completion_tokens", 0),
                cost=payload.get("cost", 0.0),
                latency_ms=payload.get("latency_ms"),
                business=payload.get("business"),
                step=payload.get("step"),
                request_id=payload.get("request_id"),
            )
        except Exception as e:
            log.error(
                "usage NOT recorded for a %s call (%s prompt + %s completion tokens, $%s, "
                "request %s): %s",
                payload.get("model"),
                payload.get("prompt_tokens", 0),
                payload.get("completion_tokens", 0),
                payload.get("cost", 0.0),
                payload.get("request_id"),
                e,
            )
            if on_failure is not None:
                on_failure()

    return handle


BUILTIN = ("log", "ledger")


def build_callbacks(
    names: Iterable[str],
    *,
    ledger: UsageLedger | None = None,
    logger: logging.Logger | None = None,
    on_ledger_failure: Callable[[], None] | None = None,
) -> Callbacks:
    """Callbacks with the built-in handlers `names` (from settings): "log", "ledger".

    Args:
        on_ledger_failure: called for each call the ledger could not record; with it, "ledger"
            runs without a ledger (one that could not be opened), every call then counted.
    """
    callbacks = Callbacks()
    for name in names:
        if name == "log":
            callbacks.register("log", json_log_handler(logger))
        elif name == "ledger":
            if ledger is None and on_ledger_failure is None:
                raise ValueError("the 'ledger' callback handler needs a UsageLedger")
            callbacks.register("ledger", ledger_handler(ledger, on_failure=on_ledger_failure))
        else:
            raise ValueError(f"unknown callback handler {name!r}; built-in: {', '.join(BUILTIN)}")
    return callbacks
