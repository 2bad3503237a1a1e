"""How responses name files: as their user gave them, never by the server's paths.

A document is named by its path below the ingest root (`SPECRAG_ROOTS`) that holds it, or by
the upload's name (the uploads folder is a root too), else by its file name; with its doc id
beside it. The stores keep the absolute paths; this is the one place that turns them into
names (citations, documents, jobs, cars, errors) and names back into paths (`source` filters).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.discover import document_name

DATA_DIR = "<data dir>"  # what an error says instead of the data dir's path
# The keys whose strings are paths of files or folders (jobs, reports, the admin routes).
PATH_KEYS = frozenset({"path", "paths", "source", "reingested", "changed_during_ingest"})
# An absolute path inside a text: from a slash to the next quote, whitespace or closing mark.
_PATH_END = r"[^\s'\"`,;:)\]}>]*"


@dataclass(frozen=True)
class Naming:
    """Names for the files under `roots` (ingest roots and the uploads folder) and `data_dir`."""

    roots: tuple[Path, ...]  # resolved, as stored paths are
    data_dir: Path
    spellings: tuple[tuple[str, str], ...] = ()  # (a folder as settings spell it, resolved)

    @classmethod
    def build(cls, roots: Iterable[Path], *, uploads: Path, data_dir: Path) -> Naming:
        given = [*roots, uploads, data_dir]
        spellings = {(str(p.absolute()), str(p.resolve())) for p in given}
        spellings |= {(b, b) for _, b in spellings}
        return cls(
            tuple(p.resolve() for p in given[:-1]),
            data_dir.resolve(),
            tuple(sorted(spellings, key=lambda pair: len(pair[0]), reverse=True)),
        )

    def document(self, source: str) -> str:
        """A document (or a folder an ingest was given) as its user knows it (a root
        itself: its folder's name)."""
        return document_name(source, list(self.roots)) if source else ""

    def stored(self, values: list[str], sources: Callable[[], Iterable[str]]) -> list[str]:
        """The stored paths a `source` filter's values stand for: the documents of
        `sources()` (the ledger's paths) so named, and any value that is a path already."""
        wanted = set(values)
        found = [s for s in sources() if s in wanted or self.document(s) in wanted]
        return list(dict.fromkeys([*found, *values]))

    def text(self, text: str) -> str:
        """`text` (an error, a reason) with every path under a root or the data dir named
        as `document` names it, the data dir itself as "<data dir>"."""
        if not text or "/" not in text:
            return text
        return self._paths.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group(0)
        for spelt, resolved in self.spellings:  # longest first
            if found == spelt or found.startswith(spelt + "/"):
                found = resolved + found[len(spelt) :]
                break
        data = str(self.data_dir)
        if found == data or found == data + "/":
            return DATA_DIR
        if any(Path(found).is_relative_to(root) and Path(found) != root for root in self.roots):
            return self.document(found)
        if found.startswith(data + "/"):
            return f"{DATA_DIR}/{found[len(data) + 1 :]}"
        return self.document(found)  # a root itself: its folder's name

    @cached_property
    def _paths(self) -> re.Pattern[str]:
        spelt = {s for pair in self.spellings for s in pair} | {str(p) for p in self.roots}
        prefixes = sorted(spelt | {str(self.data_dir)}, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in prefixes if p != os.sep)
        return re.compile(rf"(?:{alternatives})(?=/|\b|$){_PATH_END}" if alternatives else "(?!)")

    def value(self, value: Any, key: str = "") -> Any:
        """`value` (JSON: a job, a report, an error body) as responses show it: the strings
        under a path key (`PATH_KEYS`) named as files, every other string through `text`."""
        if isinstance(value, str):
            return self._path(value) if key in PATH_KEYS else self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, key) for v in value]
        return value

    def _path(self, path: str) -> str:
        if not path.startswith("/"):
            return self.text(path)
        under_root = any(Path(path).is_relative_to(root) for root in self.roots)
        shown = self.text(path)
        return shown if shown != path and not under_root else self.document(path)
