"""The data that flows through ingest: parsed documents, their sections, and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SectionKind = Literal["text", "table", "record"]

# extension → file type: what specrag reads (kept here so discovery needs no parser import)
FILE_TYPES: dict[str, str] = {
    ".pdf": "pdf",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".csv": "csv",
    ".json": "json",
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(FILE_TYPES)


@dataclass(frozen=True, slots=True)
class Section:
    """A structural unit of a document: a PDF page, a Markdown section, a table, a CSV row.

    `text` is the document's own text, kept as close to the source as possible (evidence
    quotes must still be found in it). For `kind="table"` every line of `text` is one row
    that must never be split, and `table_header` holds the header rows that any chunk
    starting inside the table repeats. A `record` is a `key: value` block (a CSV row)
    whose lines must never be split.
    """

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None  # 1-based page index, PDFs only
    kind: SectionKind = "text"
    table_header: str | None = None


@dataclass(slots=True)
class ParsedDocument:
    source: str  # absolute path of the file
    file_type: str  # "pdf" | "md" | "txt" | "csv" | "json"
    title: str
    sections: list[Section]
    warnings: list[str] = field(default_factory=list)  # e.g. "page 3 has no text layer"
    # The document's own metadata: a Markdown file's YAML front matter (scalar keys only,
    # lower-cased), e.g. {"title": "...", "model": "Aurora X5", "model_year": "2025"}.
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One indexed passage. `text` is stored and shown; `embed_text` adds the header."""

    index: int
    text: str
    header: str  # "title > section > subsection", prepended for embedding
    page: int | None
    section: str  # heading path joined with " > "
    tokens: int  # token count of embed_text in the configured tiktoken encoding

    @property
    def embed_text(self) -> str:
        return f"{self.header}\n{self.text}" if self.header else self.text


def chunk_id(doc_id: str, index: int) -> str:
    """The id of a document's chunk record: `{doc_id}:{index}` (doc ids hold no colon)."""
    return f"{doc_id}:{index}"


def split_chunk_id(record_id: str) -> tuple[str, int]:
    """`chunk_id`'s inverse: the document id and the chunk index."""
    doc_id, _, index = record_id.rpartition(":")
    return doc_id, int(index)
