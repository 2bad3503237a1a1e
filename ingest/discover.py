"""Finding the files an ingest run covers, and refusing the ones it must not touch."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import FILE_TYPES, SUPPORTED_EXTENSIONS
from ingest.ignore import Rules, excluded_by, folder_rules, rules_from

HASH_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # absolute, symlinks resolved
    doc_id: str
    file_type: str
    size: int


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: str
    reason: str


@dataclass(slots=True)
class Discovery:
    files: list[SourceFile]
    failed: list[FileProblem]  # files that should have been read and cannot be
    unsupported: list[FileProblem]  # files of a type specrag does not read: skipped
    scanned: list[Path]  # the resolved folders and files that were asked for
    # files and folders the ignore rules leave out (`ingest.ignore`), resolved, with the rule
    excluded: list[FileProblem] = field(default_factory=list)

    def is_excluded(self, source: str) -> bool:
        """Is `source` (a resolved path) an excluded file, or inside an excluded folder?"""
        path = Path(source)
        return any(path == Path(e.path) or path.is_relative_to(e.path) for e in self.excluded)


def doc_id_for(path: str) -> str:
    """A stable id from the file's absolute path: the same file keeps its id across runs."""
    return hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def file_type_for(path: Path) -> str:
    return FILE_TYPES[path.suffix.lower()]


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def within(path: Path, roots: list[Path]) -> bool:
    return not roots or any(path == root or path.is_relative_to(root) for root in roots)


def document_name(source: str, roots: list[Path]) -> str:
    """A document as its user knows it: its path below the deepest of `roots` holding it (an
    ingest root, or the uploads folder: the upload's name), else its file name. `roots` are
    resolved, as sources are."""
    path = Path(source)
    holding = [root for root in roots if path.is_relative_to(root) and path != root]
    if not holding:
        return path.name
    return path.relative_to(max(holding, key=lambda root: len(root.parts))).as_posix()


def discover(
    paths: list[Path],
    *,
    roots: list[Path],
    max_file_bytes: int,
    exclude: Sequence[str] = (),
) -> Discovery:
    """Every supported file under `paths` (files or folders), with what was refused and why.

    Hidden files and folders (a leading dot) are passed over, and so is what the ignore rules
    exclude (`exclude`: gitignore globs relative to each given folder, and the
    `.specragignore` files below it; `ingest.ignore`). Symlinks are followed, but a symlink
    loop, or a link that leads outside `roots`, is refused by name.
    """
    found = Discovery(files=[], failed=[], unsupported=[], scanned=[])
    seen: set[str] = set()
    for given in paths:
        try:
            resolved = given.expanduser().resolve(strict=True)
        except FileNotFoundError:
            found.failed.append(FileProblem(str(given), "no such file or directory"))
            continue
        except (OSError, RuntimeError) as e:  # RuntimeError: symlink loop on old Pythons
            found.failed.append(FileProblem(str(given), f"cannot resolve path: {e}"))
            continue
        if not within(resolved, roots):
            found.failed.append(FileProblem(str(given), "outside the allowed ingest roots"))
            continue
        found.scanned.append(resolved)
        folder = resolved if resolved.is_dir() else resolved.parent
        rules = [r for r in (rules_from(exclude, folder, "SPECRAG_EXCLUDE"),) if r is not None]
        rules += [r for r in (folder_rules(folder),) if r is not None]
        if resolved.is_dir():
            candidates = _walk(resolved, found, rules)
        else:
            candidates = [] if _excluded(resolved, rules, found) else [resolved]
        for candidate in candidates:
            _admit(candidate, found, seen, roots=roots, max_file_bytes=max_file_bytes)
    return found


def _excluded(path: Path, rules: list[Rules], found: Discovery, *, folder: bool = False) -> bool:
    reason = excluded_by(path, rules, folder=folder)
    if reason is not None:
        found.excluded.append(FileProblem(str(path.resolve()), reason))
    return reason is not None


def _walk(top: Path, found: Discovery, rules: list[Rules]) -> list[Path]:
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()
    rules_of = {str(top): rules}  # each folder's rules: its parent's, then its own file's

    def onerror(error: OSError) -> None:
        found.failed.append(FileProblem(str(error.filename), f"cannot read folder: {error}"))

    for folder, subfolders, names in os.walk(top, followlinks=True, onerror=onerror):
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in visited:
            found.failed.append(FileProblem(folder, "symlink loop: folder already visited"))
            subfolders[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        active = rules_of.pop(folder, rules)
        kept = []
        for name in sorted(d for d in subfolders if not d.startswith(".")):
            path = Path(folder, name)
            if not _excluded(path, active, found, folder=True):
                kept.append(name)
                own = folder_rules(path)
                rules_of[os.path.join(folder, name)] = [*active, own] if own else active
        subfolders[:] = kept
        for name in sorted(names):
            path = Path(folder, name)
            if not name.startswith(".") and not _excluded(path, active, found):
                files.append(path)
    return files


def _admit(
    candidate: Path,
    found: Discovery,
    seen: set[str],
    *,
    roots: list[Path],
    max_file_bytes: int,
) -> None:
    shown = str(candidate)
    try:
        path = candidate.resolve(strict=True)
        size = path.stat().st_size
    except (OSError, RuntimeError) as e:
        reason = "symlink loop" if "loop" in str(e).lower() else f"cannot read file: {e}"
        found.failed.append(FileProblem(shown, reason))
        return
    if not within(path, roots):
        found.failed.append(FileProblem(shown, "symlink leads outside the allowed ingest roots"))
        return
    if not path.is_file():
        found.unsupported.append(FileProblem(shown, "not a regular file"))
        return
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        kind = path.suffix.lower() or "(no extension)"
        found.unsupported.append(FileProblem(shown, f"unsupported file type {kind}"))
        return
    if size > max_file_bytes:
        found.failed.append(
            FileProblem(
                shown,
                f"file is {size / 2**20:.1f} MB, over the limit of {max_file_bytes / 2**20:.1f} MB",
            )
        )
        return
    if not os.access(path, os.R_OK):
        found.failed.append(FileProblem(shown, "permission denied"))
        return
    key = str(path)
    if key in seen:
        return
    seen.add(key)
    found.files.append(SourceFile(key, doc_id_for(key), file_type_for(path), size))
