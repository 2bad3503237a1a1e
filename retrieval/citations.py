"""What a search result cites: the chunk's document, page and section, from its metadata.

A citation names the document as its user gave it (`source` and `document`: its path below
its ingest root, or the upload's name), never the server's path: that stays in `path`, which
no response carries (`exclude`), for the operator's CLI and the evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, Field


class Citation(BaseModel):
    source: str = Field(description="the document as its user gave it (what filters accept)")
    document: str = ""  # the same name (kept apart for older clients that read `document`)
    page: int | None = None
    section: str = ""
    title: str = ""
    doc_id: str = ""
    chunk_index: int | None = None
    cars: list[str] = Field(default_factory=list, description="the cars the chunk is about")
    also_chunks: list[int] = Field(
        default_factory=list,
        description="the document's other chunks with this same text (stored once)",
    )
    also_pages: list[int] = Field(
        default_factory=list, description="other pages where this same text occurs"
    )
    path: str = Field(default="", exclude=True, repr=False)  # the server's path: never shown


def citation(metadata: Mapping[str, Any], document_name: Callable[[str], str]) -> Citation:
    page = metadata.get("page")
    index = metadata.get("chunk_index")
    path = str(metadata.get("source") or "")
    name = document_name(path)
    return Citation(
        source=name,
        document=name,
        page=int(page) if isinstance(page, int | float) else None,
        section=str(metadata.get("section") or ""),
        title=str(metadata.get("title") or ""),
        doc_id=str(metadata.get("doc_id") or ""),
        chunk_index=int(index) if isinstance(index, int | float) else None,
        cars=[str(c) for c in cars] if isinstance(cars := metadata.get("cars"), list) else [],
        also_chunks=_ints(metadata.get("also_chunks")),
        also_pages=_ints(metadata.get("also_pages")),
        path=path,
    )


def _ints(value: Any) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list) else []
