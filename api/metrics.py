"""Prometheus metrics, in a registry of the app's own (two apps in one process never collide).

HTTP requests are counted by `MetricsMiddleware`; LLM calls (tokens, cost, failures, latency)
and grounding verdicts by `Metrics.on_event`, a generation callback handler
(`generation.callbacks`) the app registers as "metrics", labelled by model and business.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.pipeline.report import Report

log = logging.getLogger(__name__)

# up to 10 minutes: a streamed blog or a slow model's answer holds a request that long
LATENCY_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    *(60.0, 120.0, 300.0, 600.0),
)
LLM_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
NO_BUSINESS = "none"  # calls outside a business (OpenAI-compatible chat completions)
CALL_OUTCOMES = {"llm.end": "answered", "llm.abandoned": "abandoned"}
ROUTE_KEY = "specrag.route"  # set by `RequestLimits` on requests it refuses before routing
UNMATCHED = "<unmatched>"
METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
)  # requests no route matched: one label, not one per stray path


class Metrics:
    """The service's counters, histograms and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "specrag_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "specrag_http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.documents = Gauge(
            "specrag_documents", "Documents in the ledger by status", ["status"], registry=r
        )
        self.chunks = Gauge("specrag_chunks", "Chunks stored in Chroma", registry=r)
        # With SPECRAG_QUEUE_URL: read from Redis and the jobs database at each scrape.
        self.queue_depth = Gauge(
            "specrag_queue_tasks",
            "Ingest tasks in the queue: waiting, or taken by a worker and not yet acknowledged",
            ["state"],
            registry=r,
        )
        self.workers_alive = Gauge(
            "specrag_workers_alive", "Workers with a recent heartbeat", registry=r
        )
        self.worker_heartbeat = Gauge(
            "specrag_worker_last_heartbeat_seconds",
            "When each worker last reported (Unix time)",
            ["worker"],
            registry=r,
        )
        self.worker_tasks = Gauge(
            "specrag_worker_tasks",
            "Files each worker finished, retried or failed since it first started",
            ["worker", "outcome"],
            registry=r,
        )
        self.ingest_jobs = Counter(
            "specrag_ingest_jobs", "Finished ingest jobs by outcome", ["status"], registry=r
        )
        self.ingest_files = Counter(
            "specrag_ingest_files", "Files seen by ingest jobs by result", ["result"], registry=r
        )
        self.ingest_chunks = Counter(
            "specrag_ingest_chunks",
            "Chunks written by ingest jobs by action",
            ["action"],
            registry=r,
        )

        self.unrecorded_usage = Gauge(
            "specrag_usage_unrecorded_calls",
            "LLM calls since start whose cost the usage ledger could not record",
            registry=r,
        )

        by = ["model", "business"]
        self.llm_calls = Counter(
            "specrag_llm_calls",
            "LLM calls by model, business and outcome (answered, abandoned, failed)",
            [*by, "outcome"],
            registry=r,
        )
        self.llm_tokens = Counter(
            "specrag_llm_tokens",
            "LLM tokens by model, business and direction (input, output)",
            [*by, "direction"],
            registry=r,
        )
        self.llm_cost = Counter(
            "specrag_llm_cost_usd", "LLM cost in USD by model and business", by, registry=r
        )
        self.llm_failures = Counter(
            "specrag_llm_failures",
            "LLM calls that failed, by model, business and error type (after retries)",
            [*by, "error"],
            registry=r,
        )
        self.llm_attempt_errors = Counter(
            "specrag_llm_attempt_errors",
            "LLM attempts that failed, retried or not, by model, business and error type",
            [*by, "error"],
            registry=r,
        )
        self.llm_latency = Histogram(
            "specrag_llm_call_duration_seconds",
            "LLM call latency by model and business (answered, abandoned and failed calls)",
            by,
            buckets=LLM_BUCKETS,
            registry=r,
        )
        self.grounding = Counter(
            "specrag_grounding_figures",
            "Figures checked against the passages by model, business and verdict",
            [*by, "verdict"],
            registry=r,
        )

    def on_event(self, event: str, payload: dict[str, Any]) -> None:
        """A generation callback handler: LLM calls and grounding verdicts into the metrics."""
        by = {
            "model": str(payload.get("model") or "unknown"),
            "business": str(payload.get("business") or NO_BUSINESS),
        }
        if event in CALL_OUTCOMES:
            self.llm_calls.labels(**by, outcome=CALL_OUTCOMES[event]).inc()
            self.llm_tokens.labels(**by, direction="input").inc(payload.get("prompt_tokens", 0))
            self.llm_tokens.labels(**by, direction="output").inc(
                payload.get("completion_tokens", 0)
            )
            self.llm_cost.labels(**by).inc(payload.get("cost", 0.0))
        elif event == "llm.error":
            error = str(payload.get("error") or "unknown")
            if not payload.get("final"):
                self.llm_attempt_errors.labels(**by, error=error).inc()
                return
            self.llm_calls.labels(**by, outcome="failed").inc()
            self.llm_failures.labels(**by, error=error).inc()
        elif event == "chain.step":
            unsupported = int(payload.get("unsupported", 0))
            for verdict, n in (
                ("supported", int(payload.get("supported", 0))),
                ("unsupported", unsupported),
                ("wrong_car", int(payload.get("wrong_car", 0))),
            ):
                self.grounding.labels(**by, verdict=verdict).inc(n)
            return
        else:
            return
        if payload.get("latency_ms") is not None:
            self.llm_latency.labels(**by).observe(float(payload["latency_ms"]) / 1000)

    def record_job(self, status: str, report: Report | None) -> None:
        self.ingest_jobs.labels(status=status).inc()
        if report is None:
            return
        for result, n in (
            ("ok", report.ok),
            ("failed", report.failed),
            ("skipped", report.skipped),
        ):
            self.ingest_files.labels(result=result).inc(n)
        for action, n in (
            ("embedded", report.embedded),
            ("added", report.added),
            ("updated", report.updated),
            ("deleted", report.deleted),
        ):
            self.ingest_chunks.labels(action=action).inc(n)

    def set_index_size(self, *, chunks: int, documents: dict[str, int]) -> None:
        self.chunks.set(chunks)
        for status in ("ok", "failed", *documents):
            self.documents.labels(status=status).set(documents.get(status, 0))

    def set_queue(self, status: dict[str, Any]) -> None:
        """The queue's depth and its workers (`api.queue.jobs.QueueJobs.status`)."""
        for state, n in status["depth"].items():
            self.queue_depth.labels(state=state).set(n)
        self.workers_alive.set(status["workers_alive"])
        for worker in status["workers"]:
            self.worker_heartbeat.labels(worker=worker["name"]).set(worker["last_heartbeat"])
            for outcome, n in worker["tasks"].items():
                self.worker_tasks.labels(worker=worker["name"], outcome=outcome).set(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request by the route template it matched."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._observe(scope, status[0], time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or scope.get(ROUTE_KEY) or UNMATCHED
        method = scope.get("method", "")
        labels = {
            "method": method if method in METHODS else "other",  # a fuzzer invents methods
            "route": template,
            "status": str(status),
        }
        self.metrics.requests.labels(**labels).inc()
        self.metrics.latency.labels(**labels).observe(seconds)
