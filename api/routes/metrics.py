"""`GET /metrics`: Prometheus text format."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import Authorized, MetricsDep, QueueDep, ServicesDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["metrics"], dependencies=Authorized)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(services: ServicesDep, registry: MetricsDep, queue: QueueDep) -> Response:
    """Request counts and latencies, chunk and document counts, ingest counters; LLM calls,
    tokens, cost, failures, latency and grounding verdicts per model and business."""
    registry.unrecorded_usage.set(services.unbilled_calls)
    try:
        registry.set_index_size(chunks=services.store.count(), documents=services.ledger.counts())
    except Exception as e:  # a scrape still answers, with the last known sizes
        log.warning("metrics: cannot read the index size: %s", e)
    if queue is not None:
        try:
            registry.set_queue(queue.status())
        except Exception as e:  # Redis or the database away: the last known values
            log.warning("metrics: cannot read the queue: %s", e)
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
