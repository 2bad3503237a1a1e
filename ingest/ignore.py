"""Ignore rules: files an ingest passes over on purpose (an inventory such as SOURCES.md, drafts).

Two sources, both in gitignore syntax (pathspec's `GitIgnoreSpec`: `*`, `**`, a trailing `/`
for folders, `!` to take a file back, `#` comments): the globs of `SPECRAG_EXCLUDE`, relative
to each folder an ingest is given, and a `.specragignore` file in any folder below it,
relative to that folder. A deeper file's rules win over a shallower one's, and over
SPECRAG_EXCLUDE, as in git. Discovery (`ingest.discover`) applies them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

IGNORE_FILE = ".specragignore"
MAX_IGNORE_BYTES = 1 << 20

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rules:
    """One set of patterns, relative to `base`."""

    base: Path
    spec: pathspec.GitIgnoreSpec
    origin: str  # how a reason names it: "SPECRAG_EXCLUDE" or ".specragignore"

    def verdict(self, path: Path, *, folder: bool) -> tuple[bool, str] | None:
        """(excluded?, the deciding pattern), or None when no pattern speaks of `path`."""
        if not path.is_relative_to(self.base) or path == self.base:
            return None
        relative = path.relative_to(self.base).as_posix() + ("/" if folder else "")
        found = self.spec.check_file(relative)
        if found.include is None or found.index is None:
            return None
        return found.include, str(getattr(self.spec.patterns[found.index], "pattern", ""))


def rules_from(patterns: Sequence[str], base: Path, origin: str) -> Rules | None:
    """The rules of `patterns` (blank lines and `#` comments ignored); None when none."""
    lines = [p.strip() for p in patterns if p.strip() and not p.strip().startswith("#")]
    if not lines:
        return None
    return Rules(base, pathspec.GitIgnoreSpec.from_lines(lines), origin)


def folder_rules(folder: Path) -> Rules | None:
    """The rules of `folder`'s `.specragignore`, if it has one (unreadable: logged, none)."""
    file = folder / IGNORE_FILE
    try:
        if not file.is_file():
            return None
        text = file.read_bytes()[:MAX_IGNORE_BYTES].decode("utf-8", "replace")
    except OSError as e:
        log.warning("cannot read %s: %s; its rules are not applied", file, e)
        return None
    return rules_from(text.splitlines(), folder, IGNORE_FILE)


def excluded_by(path: Path, rules: Sequence[Rules], *, folder: bool = False) -> str | None:
    """Why `path` is excluded ("excluded by .specragignore: SOURCES.md"), or None when it is
    not: the deepest rules that speak of it decide (`rules` from shallow to deep)."""
    for found in reversed(rules):
        verdict = found.verdict(path, folder=folder)
        if verdict is not None:
            excluded, pattern = verdict
            return f"excluded by {found.origin}: {pattern}" if excluded else None
    return None
