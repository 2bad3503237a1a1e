"""Boilerplate: lines that many documents of one source repeat, found by counting.

A site's footer ("转载请注明出处：快科技"), a data set's provenance line, a share bar or a
navigation menu says nothing about the document it ends: a query that shares its words must not
find every document of the source by it. Such lines are found when the lexical index is
rebuilt, which sees every chunk: per source folder, a line (whitespace collapsed, lowercased)
that at least `share` of the folder's documents hold, and at least `min_documents` of them, is
boilerplate; BM25 does not see it (`strip`). The stored text keeps it: citations quote the
document as it is.

Short lines are left alone: "Passenger capacity (persons): 4" in most of a data set's rendered
cars is a fact about each, not boilerplate; so are table rows, whose header names the columns.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.analysis import tokenize


@dataclass(frozen=True, slots=True)
class Rule:
    share: float = 0.5  # of the folder's documents
    min_documents: int = 3
    min_tokens: int = 6  # lexical tokens: shorter lines are data, not boilerplate


@dataclass(slots=True)
class Boilerplate:
    """The boilerplate lines of each source folder."""

    lines: dict[str, frozenset[str]] = field(default_factory=dict)  # folder → normalised lines

    @classmethod
    def find(
        cls, chunks: Iterable[tuple[str, Mapping[str, Any]]], rule: Rule = Rule()
    ) -> Boilerplate:
        """Count, per folder, the documents holding each line of these (text, metadata)."""
        documents: dict[str, set[str]] = defaultdict(set)
        holders: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for text, metadata in chunks:
            folder = _folder(metadata)
            doc = str(metadata.get("doc_id") or metadata.get("source") or "")
            documents[folder].add(doc)
            for line in text.splitlines():
                key = _normalise(line)
                if key and not key.startswith("|"):
                    holders[folder][key].add(doc)
        found: dict[str, frozenset[str]] = {}
        for folder, lines in holders.items():
            needed = max(rule.min_documents, rule.share * len(documents[folder]))
            repeated = frozenset(
                line
                for line, docs in lines.items()
                if len(docs) >= needed and len(tokenize(line)) >= rule.min_tokens
            )
            if repeated:
                found[folder] = repeated
        return cls(found)

    def strip(self, text: str, metadata: Mapping[str, Any]) -> str:
        """`text` without its folder's boilerplate lines."""
        lines = self.lines.get(_folder(metadata))
        if not lines:
            return text
        return "\n".join(line for line in text.splitlines() if _normalise(line) not in lines)

    @property
    def count(self) -> int:
        return sum(len(lines) for lines in self.lines.values())


def _folder(metadata: Mapping[str, Any]) -> str:
    return os.path.dirname(str(metadata.get("source") or ""))


def _normalise(line: str) -> str:
    return " ".join(line.split()).lower()
