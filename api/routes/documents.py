"""`/v1/documents`: upload files to ingest, list and read the ledger, delete a document."""

from __future__ import annotations

import logging
import os
import unicodedata
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from api.deps import Authorized, JobsDep, ServicesDep, SettingsDep
from api.errors import ApiError
from api.schemas import JobOut
from api.services import Services
from api.settings import Settings
from ingest.discover import doc_id_for
from ingest.ledger import Record
from ingest.parse import SUPPORTED_EXTENSIONS

log = logging.getLogger(__name__)

MAX_UPLOAD_FILES = 20
MAX_NAME_BYTES = 255
COPY_BLOCK = 1 << 20
UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})  # controls, surrogates, line breaks

router = APIRouter(tags=["documents"], dependencies=Authorized)


class DocumentOut(BaseModel):
    doc_id: str
    source: str
    title: str
    file_type: str
    status: str = Field(description="ok, or failed (see error)")
    chunks: int
    error: str | None
    warnings: list[str]
    size: int
    updated_at: float


class DocumentDetail(DocumentOut):
    chunk_ids: list[str]


class DocumentList(BaseModel):
    total: int
    offset: int
    documents: list[DocumentOut]


class Deleted(BaseModel):
    doc_id: str
    source: str
    chunks_deleted: int


class UploadedFile(BaseModel):
    name: str
    path: str
    doc_id: str
    bytes: int


class UploadAccepted(BaseModel):
    job: JobOut
    files: list[UploadedFile]


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def _document(record: Record) -> dict[str, object]:
    return {
        "doc_id": record.doc_id,
        "source": record.source,
        "title": record.title,
        "file_type": record.file_type,
        "status": record.status,
        "chunks": len(record.chunk_ids),
        "error": record.error,
        "warnings": record.warnings,
        "size": record.size,
        "updated_at": record.updated_at,
    }


@router.get("/v1/documents")
def list_documents(
    services: ServicesDep,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DocumentList:
    """The ledger: every indexed or failed file, ordered by source path."""
    records = services.ledger.all()
    page = records[offset : offset + limit]
    return DocumentList(
        total=len(records),
        offset=offset,
        documents=[DocumentOut.model_validate(_document(r)) for r in page],
    )


@router.get("/v1/documents/{doc_id}")
def get_document(doc_id: str, services: ServicesDep) -> DocumentDetail:
    """One document's ledger row, with its chunk ids."""
    record = services.ledger.get(doc_id)
    if record is None:
        raise ApiError(404, "not_found", f"no document with id {doc_id!r}")
    return DocumentDetail.model_validate({**_document(record), "chunk_ids": record.chunk_ids})


@router.delete("/v1/documents/{doc_id}")
def delete_document(doc_id: str, services: ServicesDep, settings: SettingsDep) -> Deleted:
    """Remove a document, all its chunks, and its uploaded file if it was uploaded: any doc
    id the ledger or Chroma knows (an interrupted ingest leaves chunks with no ledger row)."""
    record = services.ledger.get(doc_id)
    known = record.source if record is not None else _source_in_chroma(services, doc_id)
    if known is None:
        raise ApiError(404, "not_found", f"no document with id {doc_id!r}")
    deleted = services.pipeline.delete(doc_id)
    source = Path(known)
    if source.parent == uploads_dir(settings):
        source.unlink(missing_ok=True)
    log.info("deleted %s (%d chunks)", known, deleted)
    return Deleted(doc_id=doc_id, source=known, chunks_deleted=deleted)


def _source_in_chroma(services: Services, doc_id: str) -> str | None:
    """The source of a document Chroma holds chunks of, or None when it holds none."""
    ids = sorted(services.store.ids_for(doc_id))
    if not ids:
        return None
    hits = services.store.get(ids[:1])
    return str(hits[0].metadata.get("source", "")) if hits else ""


def safe_name(raw: str | None) -> str:
    """The upload's file name, or ApiError(400) when it could name anything but one plain file."""
    name = raw or ""
    if not name.strip():
        raise ApiError(400, "unsafe_file_name", "every uploaded file needs a file name")
    shown = repr(name[:100])
    if any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in name):
        raise ApiError(
            400, "unsafe_file_name", f"file name {shown} holds a NUL or control character"
        )
    if "/" in name or "\\" in name:
        raise ApiError(
            400,
            "unsafe_file_name",
            f"file name {shown} is a path (it holds / or \\); send a plain file name",
        )
    if name in (".", "..") or name.startswith("."):
        raise ApiError(400, "unsafe_file_name", f"file name {shown} starts with a dot")
    if name != name.strip():
        raise ApiError(400, "unsafe_file_name", f"file name {shown} has leading or trailing blanks")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ApiError(400, "unsafe_file_name", f"file name {shown} is over {MAX_NAME_BYTES} bytes")
    return unicodedata.normalize("NFC", name)


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
        if name in names:
            raise ApiError(422, "duplicate_file_name", f"{name} is sent twice in one upload")
        names.append(name)
    return names


def _save(upload: UploadFile, folder: Path, name: str) -> UploadedFile:
    """Write under a hidden temporary name, then rename: ingest never sees half a file."""
    target = folder / name
    temporary = folder / f".upload-{uuid.uuid4().hex}"
    written = 0
    try:
        upload.file.seek(0)
        with open(temporary, "xb") as out:
            while block := upload.file.read(COPY_BLOCK):
                out.write(block)
                written += len(block)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return UploadedFile(name=name, path=str(target), doc_id=doc_id_for(str(target)), bytes=written)


@router.post(
    "/v1/documents",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        400: {"description": "unsafe file name"},
        413: {"description": "a file or the request is too large"},
        415: {"description": "file type not supported"},
    },
)
def upload_documents(
    files: Annotated[list[UploadFile], File(description="pdf, md, txt, csv or json files")],
    settings: SettingsDep,
    jobs: JobsDep,
    response: Response,
) -> UploadAccepted:
    """Upload files; they are saved under the data dir and ingested by a background job."""
    names = _check(files, settings.max_file_bytes)
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    saved = [_save(upload, folder, name) for upload, name in zip(files, names, strict=True)]
    job = jobs.submit([Path(f.path) for f in saved], kind="upload")
    response.headers["Location"] = f"/v1/jobs/{job['id']}"
    return UploadAccepted(job=JobOut.model_validate(job), files=saved)
