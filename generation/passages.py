"""The passages a request shows the model: retrieved per step, numbered once, never repeated.

Every retrieval for an answer goes through a `PassageBook`: a chat turn's and each chain
step's. Its searches run in worker threads under the API's search limiter (the one
`/v1/query` uses), with the request's filters. Several queries are searched for one step (a
chat message alone and after the previous question; a blog step's topics), their results
interleaved by rank, `k` in all.

Numbers run across the whole request, so "[7]" in the body and "[2]" in the opening name two
different entries of the response's `citations`. A later step skips chunks an earlier step
already showed, unless retrieval finds nothing else, in which case the best of the earlier ones
are shown again under their first number.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

import anyio

from generation.callbacks import Callbacks
from generation.schemas import Citation

_CITATION = re.compile(r"\[(\d{1,3})\]")


class Searcher(Protocol):
    """What an answer needs of retrieval; `retrieval.search.Searcher` fits.

    Results need `chunk_id`, `text` and `citation.source` / `.page` / `.section`.
    """

    def search(
        self, query: str, *, k: int = ..., filters: Any = ..., mode: Any = ...
    ) -> list[Any]: ...


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as the prompts show it."""

    n: int
    chunk_id: str
    text: str
    source: str  # the document as its user gave it (never the server's path)
    page: int | None
    step: str  # the step that first retrieved it (a chat turn's: "chat")
    section: str = ""
    document: str = ""  # as its user gave it (`retrieval.search.Citation.document`)
    doc_id: str = ""
    cars: tuple[str, ...] = ()  # the cars its chunk is about (chunk metadata `cars`)


@dataclass
class PassageBook:
    """Every passage shown in one request, by chunk id, in the order they were numbered.

    Args:
        filters: retrieval filters (`retrieval.filters.Filters` or a mapping) for every search.
        limiter: the searches' worker threads (the API's `search_limiter`; anyio's default
            when None).
    """

    searcher: Searcher
    k: int = 5
    mode: str = "hybrid"
    filters: Any = None
    max_chars: int = 1500
    limiter: anyio.CapacityLimiter | None = None
    shown: dict[str, Passage] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)  # chunks facts cite, by id

    async def retrieve(self, step: str, queries: list[str], events: Callbacks) -> list[Passage]:
        """Up to `k` passages for `queries`, taken round-robin across them."""
        ranked: list[list[Any]] = []
        for query in queries:
            started = time.perf_counter()
            search = partial(
                self.searcher.search,
                query,
                k=min(self.k + len(self.shown), 100),
                filters=self.filters,
                mode=self.mode,
            )
            # The search embeds the query and reads Chroma: blocking work, off the event loop.
            results = await anyio.to_thread.run_sync(search, limiter=self.limiter)
            ranked.append(results)
            events.emit(
                "retrieval.end",
                step=step,
                query=query,
                k=self.k,
                results=len(results),
                chunk_ids=[r.chunk_id for r in results],
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        fresh: dict[str, Any] = {}
        for rank in range(max((len(r) for r in ranked), default=0)):
            for results in ranked:
                if rank < len(results) and results[rank].chunk_id not in self.shown:
                    fresh.setdefault(results[rank].chunk_id, results[rank])
        if not fresh:  # nothing else fits: the best of what was shown before, again
            seen = (r.chunk_id for results in ranked for r in results if r.chunk_id in self.shown)
            return [self.shown[c] for c in dict.fromkeys(seen)][: self.k]
        return [self._add(step, r) for r in list(fresh.values())[: self.k]]

    def _add(self, step: str, result: Any) -> Passage:
        text = result.text.strip()
        if len(text) > self.max_chars:
            text = text[: self.max_chars].rstrip() + " …"
        passage = Passage(
            n=len(self.shown) + 1,
            chunk_id=result.chunk_id,
            text=text,
            source=result.citation.source,
            page=result.citation.page,
            step=step,
            section=getattr(result.citation, "section", "") or "",
            document=getattr(result.citation, "document", "") or "",
            doc_id=getattr(result.citation, "doc_id", "") or "",
            cars=tuple(getattr(result.citation, "cars", ()) or ()),
        )
        self.shown[result.chunk_id] = passage
        return passage

    async def load_sources(self, chunk_ids: Iterable[str]) -> None:
        """Read the chunks facts cite (the searcher's `fetch`), so a fact's citation shows its
        whole passage; a searcher without `fetch` leaves the evidence alone to stand for it."""
        fetch = getattr(self.searcher, "fetch", None)
        wanted = [c for c in dict.fromkeys(chunk_ids) if c and c not in self.sources]
        if fetch is None or not wanted:
            return
        for result in await anyio.to_thread.run_sync(fetch, wanted, limiter=self.limiter):
            self.sources[result.chunk_id] = result

    def source(
        self,
        step: str,
        *,
        chunk_id: str,
        text: str,
        source: str,
        page: int | None,
        section: str = "",
        doc_id: str = "",
    ) -> int:
        """The number of a fact's source (`source`: its document as citations name it): its
        chunk's, when shown already; else the chunk is numbered now (`load_sources` read it;
        else the fact's evidence stands for it)."""
        if chunk_id in self.shown:
            return self.shown[chunk_id].n
        if chunk_id in self.sources:
            passage = self._add(step, self.sources[chunk_id])
            if text.strip() and text.strip() not in passage.text:  # cut off by max_chars
                passage = replace(passage, text=f"{passage.text} … {text.strip()}")
                self.shown[chunk_id] = passage
            return passage.n
        passage = Passage(
            n=len(self.shown) + 1,
            chunk_id=chunk_id,
            text=text.strip()[: self.max_chars],
            source=source,
            page=page,
            step=step,
            section=section,
            document=source,
            doc_id=doc_id,
        )
        self.shown[chunk_id] = passage
        return passage.n

    def texts(self) -> list[str]:
        return [p.text for p in self.shown.values()]

    def citations(self, texts: Iterable[str]) -> list[Citation]:
        """Every passage shown, marking those the final `texts` cite."""
        return cite(sorted(self.shown.values(), key=lambda p: p.n), texts)


def cite(passages: Iterable[Passage], texts: Iterable[str]) -> list[Citation]:
    """A citation per passage, `cited` when one of `texts` names it as [n]."""
    cited = set().union(*(cited_numbers(t) for t in texts))
    return [
        Citation(
            n=p.n,
            chunk_id=p.chunk_id,
            source=p.source,
            document=p.document,
            doc_id=p.doc_id,
            page=p.page,
            section=p.section,
            step=p.step,
            cited=p.n in cited,
        )
        for p in passages
    ]


def cited_numbers(text: str) -> set[int]:
    """The passage numbers a text cites: "[1][3]" → {1, 3}."""
    return {int(m) for m in _CITATION.findall(text)}
