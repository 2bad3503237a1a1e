"""`POST /v1/generate/blog`, `POST /v1/generate/{business}`, `GET /v1/prompts`.

They use the app state's `searcher` and `generation` (`api.deps.SearcherDep`, `GenerationDep`).

Errors: a `GenerationError` answers with its own status in the API's one error shape
(`api/errors.py`), with the attempts and usage of a `GenerationFailed` (502) and the words of a
`SensitiveInput` (422) in `detail`. With `stream: true` the brief, the model (known and
available) and the input guard are checked before the stream opens, so those still fail with
their status; a failure after the first event is sent as an `error` event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from api.deps import Authorized, GenerationDep, SearcherDep, SearchLimiterDep
from api.disconnect import until_client_leaves
from api.errors import ApiError, domain_body, error_body
from generation.chain.grounded import GroundingMode
from generation.chain.run import Chain, ChainRun
from generation.chain.written import StepDone
from generation.errors import GenerationError
from generation.prompts import PromptInfo
from generation.schemas import BUSINESSES, BlogResponse, Brief, GenerationResponse, SingleResponse
from generation.service import Generation

log = logging.getLogger(__name__)

router = APIRouter(tags=["generate"], dependencies=Authorized)


class GenerateRequest(Brief):
    """A brief, and how to run it."""

    stream: bool = Field(default=False, description="server-sent events: one per step, then `done`")
    k: int | None = Field(
        default=None, ge=1, le=20, description="passages per step (default: settings)"
    )
    grounding: GroundingMode | None = Field(
        None, description="reask (default), flag or off: what to do with unsupported figures"
    )


class PromptList(BaseModel):
    businesses: dict[str, list[str]] = Field(description="each business's steps, in order")
    prompts: list[PromptInfo]


_STREAM_FIELDS = {"stream", "k", "grounding"}


def _brief(body: GenerateRequest, business: str) -> Brief:
    """The brief for `business` (from the path); a body naming another business is a 422."""
    if business not in BUSINESSES:
        raise ApiError(
            404,
            "unknown_business",
            f"unknown business {business!r}; known: {', '.join(BUSINESSES)}",
        )
    if "business" in body.model_fields_set and body.business != business:
        raise ApiError(
            422,
            "validation_error",
            f"the body's business {body.business!r} differs from the path's {business!r}",
        )
    data = body.model_dump(exclude=_STREAM_FIELDS, exclude_unset=False)
    data["business"] = business
    try:
        return Brief.model_validate(data)
    except ValidationError as e:  # e.g. weibo_region without a region
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        ) from e


async def _generate(
    business: str,
    body: GenerateRequest,
    generation: Generation,
    searcher: Any,
    limiter: anyio.CapacityLimiter,
    stream: bool,
    request: Request,
) -> Any:
    brief = _brief(body, business)
    options = generation.options
    if body.k is not None:
        options = replace(options, k=body.k)
    if body.grounding is not None:
        options = replace(options, grounding=body.grounding)
    chain = generation.chain(brief, searcher, options=options, limiter=limiter)
    run = chain.start(brief)  # the input guard: a 422 before anything streams
    if stream or body.stream:
        return StreamingResponse(
            _events(chain, run),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
    return await until_client_leaves(request, _whole(chain, run))


async def _whole(chain: Chain, run: ChainRun) -> GenerationResponse | None:
    response: GenerationResponse | None = None
    async for event in chain.events(run):
        if isinstance(event, GenerationResponse):
            response = event
    return response


@router.post(
    "/v1/generate/blog",
    response_model=BlogResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream"},
        422: {"description": "invalid brief, unknown or unavailable model, sensitive words"},
        502: {"description": "the model failed or its output stayed invalid"},
        504: {"description": "the model timed out"},
    },
)
async def generate_blog(
    body: GenerateRequest,
    generation: GenerationDep,
    searcher: SearcherDep,
    limiter: SearchLimiterDep,
    request: Request,
    stream: Annotated[bool, Query(description="same as the body's `stream`")] = False,
) -> Any:
    """The three-step car blog (opening, middle, ending) over retrieved specifications."""
    return await _generate("car_blog", body, generation, searcher, limiter, stream, request)


@router.post(
    "/v1/generate/{business}",
    response_model=BlogResponse | SingleResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream"},
        404: {"description": "unknown business"},
        422: {"description": "invalid brief, unknown or unavailable model, sensitive words"},
        502: {"description": "the model failed or its output stayed invalid"},
        504: {"description": "the model timed out"},
    },
)
async def generate_business(
    business: str,
    body: GenerateRequest,
    generation: GenerationDep,
    searcher: SearcherDep,
    limiter: SearchLimiterDep,
    request: Request,
    stream: Annotated[bool, Query(description="same as the body's `stream`")] = False,
) -> Any:
    """One business's content: push_ops, push_personal, weibo_region, review, news_comment."""
    return await _generate(business, body, generation, searcher, limiter, stream, request)


@router.get("/v1/prompts")
def list_prompts(generation: GenerationDep) -> PromptList:
    """Every prompt template: business defaults and per-model overrides."""
    return PromptList(
        businesses={name: list(steps) for name, steps in BUSINESSES.items()},
        prompts=generation.prompts.list_prompts(),
    )


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(chain: Chain, run: ChainRun) -> AsyncIterator[str]:
    """`step` per finished step, then `done` with the response, or `error`."""
    try:
        async for event in chain.events(run):
            if isinstance(event, StepDone):
                yield _sse(
                    "step",
                    {
                        "step": event.step,
                        "output": event.output.model_dump(),
                        "trace": event.trace.model_dump(),
                        "grounding": event.grounding.model_dump(),
                        "passages": [
                            {"n": p.n, "chunk_id": p.chunk_id, "source": p.source, "page": p.page}
                            for p in event.passages
                        ],
                    },
                )
            else:
                yield _sse("done", event.model_dump())
    except GenerationError as e:
        log.error("generation failed mid-stream: %s", e)
        yield _sse("error", {**domain_body(e), "status": e.status})
    except Exception:
        log.exception("unexpected error mid-stream")
        yield _sse(
            "error",
            {
                **error_body("internal_error", "internal server error; see the server log"),
                "status": 500,
            },
        )
