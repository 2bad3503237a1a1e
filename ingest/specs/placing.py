"""Where each chunk of a document lies in its sections' text, so that a fact found in a
section is cited to the chunk that holds it, and each chunk knows the cars it is about."""

from __future__ import annotations

from bisect import bisect_left

from ingest.chunk import HEADER_SEPARATOR
from ingest.document import Chunk, Section
from ingest.specs.scope import DocCars


def chunk_of(
    spans: list[tuple[int, int, int]], start: int, end: int, text: str, chunks: list[Chunk]
) -> int | None:
    """The first chunk that holds `text[start:end]` as written."""
    for ci, a, b in spans:
        if a <= start and end <= b and text[start:end] in chunks[ci].text:
            return ci
    return None


def unplaced_chunks(
    chunk_cars: dict[int, set[str]],
    chunks: list[Chunk],
    spans: list[list[tuple[int, int, int]]],
    doc_cars: DocCars,
) -> None:
    """A chunk whose place in its section's text was not found (its overlap joins lines
    that the text keeps apart) is about the document's car, when the document is about one:
    the Tiago manual's 243 chunks after its first such chunk were about no car."""
    if doc_cars.car is None or doc_cars.multi:
        return
    placed = {ci for found in spans for ci, _, _ in found}
    for chunk in chunks:
        if chunk.index not in placed:
            chunk_cars.setdefault(chunk.index, set()).add(doc_cars.car)


def chunk_spans(sections: list[Section], chunks: list[Chunk]) -> list[list[tuple[int, int, int]]]:
    """For each section, (chunk index, start, end) of the chunks cut from its text."""
    out: list[list[tuple[int, int, int]]] = []
    ci = 0
    for section in sections:
        found: list[tuple[int, int, int]] = []
        path = HEADER_SEPARATOR.join(section.heading_path)
        last = 0
        while ci < len(chunks):
            chunk = chunks[ci]
            if chunk.page != section.page or chunk.section != path:
                break
            body = chunk.text
            header = (section.table_header or "").strip("\n")
            if section.kind == "table" and header and body.startswith(header + "\n"):
                body = body[len(header) + 1 :]
            pos = section.text.find(body, last)
            if pos < 0:
                pos = section.text.find(body)
            span = (pos, pos + len(body)) if pos >= 0 else _squeezed_find(section.text, body, last)
            if span is None:
                break
            found.append((chunk.index, *span))
            last = span[0] + 1
            ci += 1
        out.append(found)
    return out


def _squeezed_find(text: str, body: str, after: int) -> tuple[int, int] | None:
    """Where a chunk whose whitespace the chunker changed lies in its section's text: an
    overlap chunk may join two paragraphs with no blank line ("吹爆！动力方面")."""
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in kept)
    wanted = "".join(body.split())
    if not wanted:
        return None
    pos = squeezed.find(wanted, bisect_left(kept, after))
    if pos < 0:
        return None
    return kept[pos], kept[pos + len(wanted) - 1] + 1
