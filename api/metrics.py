"""Prometheus metrics, in a registry of the app's own (two apps in one process never collide)."""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.pipeline.report import Report

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
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
