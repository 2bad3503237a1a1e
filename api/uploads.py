"""The uploads folder (`<data dir>/uploads`): which names it takes, and how a file lands in it.

A name is one plain file name of printable text: a path, a leading dot or blanks are refused
with 400; a control, format or bidi character (NUL, a newline, U+202E RIGHT-TO-LEFT OVERRIDE,
a zero-width space: characters that hide or reorder what a reader sees) with 422 naming the
character. Names are stored NFC-normalised and compared after NFC and case folding, so
`Venue.md`, `venue.md` and an NFD spelling of `Ré.md` name one document:

- a new name is saved;
- a name the folder holds with the same bytes is that document: nothing is written or re-run;
- a name the folder holds with other bytes is a 409 naming the document there, unless the
  upload says `replace=true`; then the new bytes replace that document's file (it keeps its
  name and id) and are ingested again;
- a name a document ingested from a folder of the server already has (as responses name it,
  `api.naming`) is that document with the same bytes, else a 409 naming it even with
  `replace=true`: an upload never writes into an ingest root, and two documents of one name
  would count the car's facts twice. Its file is changed where it lies, then re-ingested.

Files are written under a hidden temporary name and renamed into place while the folder's
lock is held, so two uploads of one name never both win, and ingest never sees half a file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from api.errors import ApiError
from ingest.discover import doc_id_for, sha256_of

MAX_NAME_BYTES = 255
COPY_BLOCK = 1 << 20
# Controls, format characters (bidi controls, zero-width ones), surrogates, private use,
# line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
LOCK_NAME = ".lock"  # hidden: no upload can take this name

Placement = Literal["saved", "replaced", "unchanged"]


def name_key(name: str) -> str:
    """What two names are compared by: NFC, then case folding (which may undo NFC), then NFC."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _refused_character(name: str) -> str | None:
    for c in name:
        if unicodedata.category(c) in REFUSED_CATEGORIES:
            label = unicodedata.name(c, "a control character")
            return f"U+{ord(c):04X} {label}"
    return None


def safe_name(raw: str | None, *, field: str = "files") -> str:
    """The upload's file name, NFC-normalised; ApiError 400 when it could name anything but
    one plain file, 422 when it holds a character that hides or reorders text."""
    name = raw or ""
    if not name.strip():
        raise ApiError(400, "unsafe_file_name", "every uploaded file needs a file name")
    shown = repr(name[:100])
    character = _refused_character(name)
    if character is not None:
        raise ApiError(
            422,
            "unsafe_file_name",
            f"{field}: file name {shown} holds {character}, a control, format or bidi "
            "character that hides or reorders what a reader sees; rename the file",
            detail={"field": field, "file": name[:255], "character": character},
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


@dataclass(frozen=True, slots=True)
class Staged:
    """An upload written to a hidden temporary file, not yet in place."""

    name: str
    temporary: Path
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Indexed:
    """A document ingested from a folder of the server (not an upload), by the name
    responses give it."""

    name: str
    doc_id: str
    sha256: str
    path: Path


@dataclass(frozen=True, slots=True)
class Placed:
    name: str
    path: Path
    doc_id: str
    size: int
    placement: Placement


class UploadFolder:
    """The folder uploads land in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def stage(self, source: BinaryIO, name: str) -> Staged:
        """Copy `source` to a hidden temporary file in the folder, hashing it on the way."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".upload-{uuid.uuid4().hex}"
        digest = hashlib.sha256()
        written = 0
        try:
            source.seek(0)
            with open(temporary, "xb") as out:
                while block := source.read(COPY_BLOCK):
                    out.write(block)
                    digest.update(block)
                    written += len(block)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return Staged(name, temporary, digest.hexdigest(), written)

    def place(
        self, staged: list[Staged], *, replace: bool, indexed: Mapping[str, Indexed] | None = None
    ) -> list[Placed]:
        """Rename the staged files into place, all or none: a conflict (another document
        under the same name, other bytes, no `replace`; or a document of `indexed`, by
        `name_key`, with other bytes) is a 409 before anything moves. The temporary files
        are gone afterwards either way."""
        try:
            with self._locked():
                held = self._documents()
                plan = [self._decide(s, held, indexed or {}, replace) for s in staged]
                placed = []
                for item, (target, placement) in zip(staged, plan, strict=True):
                    if placement != "unchanged":
                        os.replace(item.temporary, target)
                    placed.append(
                        Placed(target.name, target, doc_id_for(str(target)), item.size, placement)
                    )
                return placed
        finally:
            for item in staged:
                item.temporary.unlink(missing_ok=True)

    def _documents(self) -> dict[str, Path]:
        """The folder's documents by `name_key`: regular files with a visible name (a
        symbolic link is no document: an upload replaces the link, never its target)."""
        found: dict[str, Path] = {}
        for entry in self.folder.iterdir():
            if not entry.name.startswith(".") and entry.is_file() and not entry.is_symlink():
                found[name_key(entry.name)] = entry
        return found

    def _decide(
        self,
        item: Staged,
        held: Mapping[str, Path],
        indexed: Mapping[str, Indexed],
        replace: bool,
    ) -> tuple[Path, Placement]:
        key = name_key(item.name)
        existing = held.get(key)
        if existing is None and key in indexed:
            return _beside(item, indexed[key])
        if existing is None:
            return self.folder / item.name, "saved"
        if existing.stat().st_size == item.size and sha256_of(existing) == item.sha256:
            return existing, "unchanged"
        if replace:
            return existing, "replaced"
        raise ApiError(
            409,
            "name_conflict",
            f"{item.name}: the document {existing.name!r} (doc_id "
            f"{doc_id_for(str(existing))}) already has this name with other content; "
            "send replace=true to replace it",
            detail={
                "field": "files",
                "file": item.name,
                "existing": {
                    "name": existing.name,
                    "doc_id": doc_id_for(str(existing)),
                    "path": str(existing),
                },
            },
        )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.folder / LOCK_NAME, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _beside(item: Staged, document: Indexed) -> tuple[Path, Placement]:
    """An upload named as a document ingested from a folder: that document when the bytes
    are the same, else a 409 (`replace` or not) saying how to change it instead."""
    if item.sha256 == document.sha256:
        return document.path, "unchanged"
    raise ApiError(
        409,
        "name_conflict",
        f"{item.name}: the document {document.name!r} (doc_id {document.doc_id}) already has "
        "this name with other content, ingested from a folder on the server; an upload cannot "
        "replace it (replace=true neither): change the file there and re-ingest it (POST "
        f"/v1/documents/{document.doc_id}/reingest), or delete it first (DELETE "
        f"/v1/documents/{document.doc_id}), or upload under another name",
        detail={
            "field": "files",
            "file": item.name,
            "existing": {"name": document.name, "doc_id": document.doc_id},
        },
    )
