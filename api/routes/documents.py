"""`/v1/documents`: upload files to ingest, list and read the ledger, delete or re-ingest a
document; `GET /v1/chunks/{id}`: one passage with its citation (the page's citation viewer)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import (
    Authorized,
    DeleteLimiterDep,
    JobsDep,
    NamingDep,
    SearcherDep,
    ServicesDep,
    SettingsDep,
)
from api.errors import ApiError
from api.naming import Naming
from api.schemas import JobAccepted, JobOut
from api.services import Services
from api.settings import Settings
from api.uploads import Indexed, Placement, UploadFolder, name_key, safe_name
from ingest.ledger import Record
from ingest.parse import SUPPORTED_EXTENSIONS
from retrieval.citations import Citation, citation

log = logging.getLogger(__name__)

MAX_UPLOAD_FILES = 20

router = APIRouter(tags=["documents"], dependencies=Authorized)


class DocumentOut(BaseModel):
    doc_id: str
    source: str = Field(description="its path below its ingest root, or the upload's name")
    title: str
    file_type: str
    status: str = Field(description="ok, or failed (see error)")
    chunks: int
    facts: int = Field(description="spec facts read from it (GET /v1/cars/{id} shows them)")
    error: str | None
    warnings: list[str]
    size: int
    updated_at: float


class DocumentDetail(DocumentOut):
    chunk_ids: list[str]


class Chunk(BaseModel):
    chunk_id: str
    text: str
    citation: Citation


class DocumentList(BaseModel):
    total: int
    offset: int
    documents: list[DocumentOut]


class Deleted(BaseModel):
    doc_id: str
    source: str = Field(description="the document's name (below its ingest root)")
    chunks_deleted: int


class UploadedFile(BaseModel):
    name: str
    path: str = Field(description="the document's name as citations give it")
    doc_id: str
    bytes: int
    status: Placement = Field(
        description="saved (new), replaced (replace=true), unchanged (same name, same bytes)"
    )


class UploadAccepted(BaseModel):
    job: JobOut | None = Field(description="the ingest job; none when nothing changed")
    files: list[UploadedFile]


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def _document(record: Record, facts: int, naming: Naming) -> dict[str, object]:
    return {
        "doc_id": record.doc_id,
        "source": naming.document(record.source),
        "title": record.title,
        "file_type": record.file_type,
        "status": record.status,
        "chunks": len(record.chunk_ids),
        "facts": facts,
        "error": naming.text(record.error) if record.error else record.error,
        "warnings": [naming.text(w) for w in record.warnings],
        "size": record.size,
        "updated_at": record.updated_at,
    }


@router.get("/v1/documents")
def list_documents(
    services: ServicesDep,
    naming: NamingDep,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DocumentList:
    """The ledger: every indexed or failed file, ordered by source path."""
    records = services.ledger.all()
    page = records[offset : offset + limit]
    facts = services.cars.facts_per_document()
    return DocumentList(
        total=len(records),
        offset=offset,
        documents=[
            DocumentOut.model_validate(_document(r, facts.get(r.doc_id, 0), naming)) for r in page
        ],
    )


@router.get("/v1/documents/{doc_id}")
def get_document(doc_id: str, services: ServicesDep, naming: NamingDep) -> DocumentDetail:
    """One document's ledger row, with its chunk ids."""
    record = services.ledger.get(doc_id)
    if record is None:
        raise ApiError(404, "not_found", f"no document with id {doc_id!r}")
    facts = services.cars.facts_per_document().get(doc_id, 0)
    return DocumentDetail.model_validate(
        {**_document(record, facts, naming), "chunk_ids": record.chunk_ids}
    )


@router.post(
    "/v1/documents/{doc_id}/reingest",
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {"description": "unknown document, or its file is gone"}},
)
async def reingest_document(
    doc_id: str,
    services: ServicesDep,
    jobs: JobsDep,
    limiter: DeleteLimiterDep,
    naming: NamingDep,
) -> JobAccepted:
    """Index a document again from its file, even unchanged (e.g. after a parser or
    vocabulary update): its chunks and facts are removed, then a job ingests the file."""
    record = await run_in_threadpool(services.ledger.get, doc_id)
    if record is None:
        raise ApiError(404, "not_found", f"no document with id {doc_id!r}")
    source = Path(record.source)
    if not source.is_file():
        raise ApiError(
            404,
            "not_found",
            f"{naming.document(str(source))}: the file is gone from the server; upload it again",
        )
    await anyio.to_thread.run_sync(services.pipeline.delete, doc_id, limiter=limiter)
    job = jobs.submit([source], kind="ingest")
    return JobAccepted(job=JobOut.shown(job, naming))


@router.get("/v1/chunks/{chunk_id}", responses={404: {"description": "unknown chunk"}})
def get_chunk(chunk_id: str, services: ServicesDep, searcher: SearcherDep) -> Chunk:
    """One passage as indexed, with its document, page and section: what a citation's
    `chunk_id` points at."""
    hits = services.store.get([chunk_id])
    if not hits:
        raise ApiError(404, "not_found", f"no chunk with id {chunk_id!r}")
    return Chunk(
        chunk_id=chunk_id,
        text=hits[0].text,
        citation=citation(hits[0].metadata, searcher.document_name),
    )


@router.delete("/v1/documents/{doc_id}")
async def delete_document(
    doc_id: str,
    services: ServicesDep,
    settings: SettingsDep,
    naming: NamingDep,
    limiter: DeleteLimiterDep,
) -> Deleted:
    """Remove a document, all its chunks, and its uploaded file if it was uploaded: any doc
    id the ledger or Chroma knows (an interrupted ingest leaves chunks with no ledger row)."""
    record = await run_in_threadpool(services.ledger.get, doc_id)
    known = (
        record.source
        if record is not None
        else await run_in_threadpool(_source_in_chroma, services, doc_id)
    )
    if known is None:
        raise ApiError(404, "not_found", f"no document with id {doc_id!r}")
    # Waits for the ingest lock: on threads of its own (`limiter`), so that deletes queued
    # behind a long ingest never take the worker threads every other request needs.
    deleted = await anyio.to_thread.run_sync(services.pipeline.delete, doc_id, limiter=limiter)
    source = Path(known)
    if source.parent == uploads_dir(settings):
        source.unlink(missing_ok=True)
    log.info("deleted %s (%d chunks)", known, deleted)
    return Deleted(doc_id=doc_id, source=naming.document(known), chunks_deleted=deleted)


def _source_in_chroma(services: Services, doc_id: str) -> str | None:
    """The source of a document Chroma holds chunks of, or None when it holds none."""
    ids = sorted(services.store.ids_for(doc_id))
    if not ids:
        return None
    hits = services.store.get(ids[:1])
    return str(hits[0].metadata.get("source", "")) if hits else ""


def _indexed(services: Services, naming: Naming) -> dict[str, Indexed]:
    """The documents ingested from the server's folders (not uploads), by `name_key` of
    the name responses give them: an upload of one of these names is that document."""
    uploads = uploads_dir(services.settings).resolve()
    found: dict[str, Indexed] = {}
    for record in services.ledger.all():
        path = Path(record.source)
        if path.parent != uploads:
            name = naming.document(record.source)
            found[name_key(name)] = Indexed(name, record.doc_id, record.sha256, path)
    return found


def _size(upload: UploadFile) -> int:
    if upload.size is not None:
        return upload.size
    upload.file.seek(0, os.SEEK_END)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


def _check(files: list[UploadFile], max_bytes: int) -> list[str]:
    """Every refusal happens before any file is written: a request is taken whole or not at all."""
    if len(files) > MAX_UPLOAD_FILES:
        raise ApiError(
            413,
            "too_many_files",
            f"{len(files)} files in one upload; the limit is {MAX_UPLOAD_FILES}",
        )
    names: list[str] = []
    for upload in files:
        name = safe_name(upload.filename)
        extension = Path(name).suffix.lower()
        if extension not in SUPPORTED_EXTENSIONS:
            raise ApiError(
                415,
                "unsupported_file_type",
                f"{name}: file type {extension or '(no extension)'!r} is not supported; "
                f"send one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
                detail={"file": name, "extension": extension},
            )
        size = _size(upload)
        if size > max_bytes:
            raise ApiError(
                413,
                "file_too_large",
                f"{name}: {size} bytes is over the limit of {max_bytes} bytes",
                detail={"file": name, "bytes": size, "limit_bytes": max_bytes},
            )
        if name_key(name) in (name_key(n) for n in names):
            raise ApiError(
                422,
                "duplicate_file_name",
                f"{name} is sent twice in one upload (names are compared after NFC and case "
                "folding)",
            )
        names.append(name)
    return names


@router.post(
    "/v1/documents",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"description": "every file is already there with the same bytes: no job"},
        400: {"description": "unsafe file name"},
        409: {
            "description": "another document has this name (NFC, case folded), other bytes "
            "(an upload without replace=true, or a document ingested from a folder)"
        },
        413: {"description": "a file or the request is too large"},
        415: {"description": "file type not supported"},
        422: {"description": "a control, format or bidi character in a file name"},
    },
)
def upload_documents(
    files: Annotated[list[UploadFile], File(description="pdf, md, txt, csv or json files")],
    settings: SettingsDep,
    services: ServicesDep,
    jobs: JobsDep,
    naming: NamingDep,
    response: Response,
    replace_query: Annotated[
        bool, Query(alias="replace", description="replace documents of the same name")
    ] = False,
    replace_form: Annotated[bool, Form(alias="replace", description="as the query's")] = False,
) -> UploadAccepted:
    """Upload files; they are saved under the data dir and ingested by a background job.
    A name already there (compared after NFC and case folding) with the same bytes is that
    document; with other bytes a 409 unless `replace=true`."""
    names = _check(files, settings.max_file_bytes)
    folder = UploadFolder(uploads_dir(settings))
    staged = []
    try:
        for upload, name in zip(files, names, strict=True):
            staged.append(folder.stage(upload.file, name))
    except BaseException:
        for item in staged:
            item.temporary.unlink(missing_ok=True)
        raise
    placed = folder.place(
        staged, replace=replace_query or replace_form, indexed=_indexed(services, naming)
    )
    saved = [
        UploadedFile(
            name=p.name,
            path=naming.document(str(p.path)),
            doc_id=p.doc_id,
            bytes=p.size,
            status=p.placement,
        )
        for p in placed
    ]
    changed = [p.path for p in placed if p.placement != "unchanged"]
    if not changed:
        response.status_code = status.HTTP_200_OK
        return UploadAccepted(job=None, files=saved)
    job = jobs.submit(changed, kind="upload")
    response.headers["Location"] = f"/v1/jobs/{job['id']}"
    return UploadAccepted(job=JobOut.shown(job, naming), files=saved)
