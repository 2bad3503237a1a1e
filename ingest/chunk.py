"""Token-sized chunks that follow a document's structure.

Splitting goes from coarse to fine: sections (pages, headings, tables), then paragraphs,
lines, sentences (English `.?!`, Chinese `。！？；`), and token windows only as a last resort.
A table row or a `key: value` line is atomic: it is split only when it alone is over the
limit, and then every part still carries the table header. Chunk text stays verbatim (it is
what users read and quote); the title and section path go in a header used for embedding.

Guarantees, checked on the final text: no chunk's `embed_text` is over `max_tokens` in the
given tiktoken encoding, and none fails the embedding model's own window check (`fits`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tiktoken

from ingest.document import Chunk, ParsedDocument, Section

HEADER_SEPARATOR = " > "
MIN_BODY_TOKENS = 16
SHRINK = 0.8  # budget factor when a chunk fails the model's window check
WINDOW_CHARS_PER_TOKEN = 16  # prefix encoded per cut: 4x the usual English chars per token

_PARAGRAPH = re.compile(r"(?<=\n\n)(?!\n)")
_LINE = re.compile(r"(?<=\n)")
_SENTENCE = re.compile(r"(?<=[.?!])(?=\s)|(?<=[。！？；])")


@dataclass(frozen=True, slots=True)
class _Counter:
    encoding: tiktoken.Encoding

    def __call__(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))


def chunk_document(
    doc: ParsedDocument,
    *,
    max_tokens: int,
    overlap: int,
    encoding: tiktoken.Encoding,
    fits: Callable[[str], bool] | None = None,
) -> list[Chunk]:
    """Split every section of `doc` into chunks; chunk indexes run across the document."""
    count = _Counter(encoding)
    chunks: list[Chunk] = []
    for section in doc.sections:
        header = _header(doc.title, section, count, max_tokens)
        budget = max_tokens - count(header + "\n") if header else max_tokens
        for text in _section_texts(section, budget=budget, overlap=overlap, count=count):
            for piece in _fit_model(text, section, header, budget, max_tokens, count, fits):
                embed = f"{header}\n{piece}" if header else piece
                chunks.append(
                    Chunk(
                        index=len(chunks),
                        text=piece,
                        header=header,
                        page=section.page,
                        section=HEADER_SEPARATOR.join(section.heading_path),
                        tokens=count(embed),
                    )
                )
    return chunks


def _header(title: str, section: Section, count: _Counter, max_tokens: int) -> str:
    """`title > h1 > h2`, dropping outer headings until it leaves room for a body."""
    parts = [part for part in (title, *section.heading_path) if part.strip()]
    parts = list(dict.fromkeys(" ".join(part.split()) for part in parts))
    while parts and count(HEADER_SEPARATOR.join(parts) + "\n") > max_tokens // 4:
        del parts[0 if len(parts) > 1 else slice(None)]
    return HEADER_SEPARATOR.join(parts)


def _section_texts(
    section: Section, *, budget: int, overlap: int, count: _Counter
) -> Iterator[str]:
    text = section.text.strip("\n")
    if not text.strip():
        return
    if section.kind == "table":
        header = (section.table_header or "").strip("\n")
        rows = text[len(header) :] if header and text.startswith(header) else text
        prefix = header + "\n" if header else ""
        room = budget - count(prefix)
        if room < MIN_BODY_TOKENS:  # a header too large to repeat: treat rows alone
            prefix, room = "", budget
        for body in _pack(_units(rows.strip("\n"), room, count, (_LINE,)), room, 0, count):
            yield prefix + body
    elif section.kind == "record":
        yield from _pack(_units(text, budget, count, (_LINE,)), budget, 0, count)
    else:
        levels = (_PARAGRAPH, _LINE, _SENTENCE)
        yield from _pack(_units(text, budget, count, levels), budget, overlap, count)


def _units(
    text: str, budget: int, count: _Counter, levels: tuple[re.Pattern[str], ...]
) -> list[tuple[str, int]]:
    """Split `text` into (unit, tokens) pairs, each unit within `budget` tokens.

    Units keep their trailing separators, so joining consecutive units restores the text.
    """
    units: list[tuple[str, int]] = []
    for part in (p for p in levels[0].split(text) if p) if levels else [text]:
        tokens = count(part)
        if tokens <= budget:
            units.append((part, tokens))
        elif len(levels) > 1:
            units.extend(_units(part, budget, count, levels[1:]))
        else:
            units.extend((piece, count(piece)) for piece in _token_windows(part, budget, count))
    return units


def _token_windows(text: str, budget: int, count: _Counter) -> Iterator[str]:
    """Cut `text` into pieces of at most `budget` tokens, at character boundaries."""
    encoding = count.encoding
    while text:
        # Encode a prefix that spans more than `budget` tokens, not the whole remainder: that
        # made a long unbroken line quadratic (a 10 MB one-line file took hours to chunk).
        span = budget * WINDOW_CHARS_PER_TOKEN
        tokens = encoding.encode(text[:span], disallowed_special=())
        while len(tokens) <= budget and span < len(text):
            span *= 4
            tokens = encoding.encode(text[:span], disallowed_special=())
        if len(tokens) <= budget:
            yield text
            return
        # Characters wholly inside the first `budget` tokens. A token may end mid-character
        # (Chinese), so decode the bytes leniently: a partial character is left for the next
        # piece (tiktoken's decode_with_offsets raises on such a cut).
        head = encoding.decode_bytes(tokens[:budget]).decode("utf-8", errors="ignore")
        cut = max(len(head), 1)
        while cut > 1 and count(text[:cut]) > budget:
            cut -= 1
        yield text[:cut]
        text = text[cut:]


def _pack(
    units: list[tuple[str, int]], budget: int, overlap: int, count: _Counter
) -> Iterator[str]:
    """Greedily join units into chunks of at most `budget` tokens, with a unit-level overlap."""
    current: list[tuple[str, int]] = []
    total = 0
    fresh = 0  # units in `current` not already emitted as overlap
    for unit in units:
        if current and total + unit[1] > budget:
            yield from _emit(current, budget, count)
            current, total = _overlap_tail(current, overlap, budget - unit[1])
            fresh = 0
        current.append(unit)
        total += unit[1]
        fresh += 1
    if current and fresh:
        yield from _emit(current, budget, count)


def _overlap_tail(
    units: list[tuple[str, int]], overlap: int, room: int
) -> tuple[list[tuple[str, int]], int]:
    tail: list[tuple[str, int]] = []
    total = 0
    for unit in reversed(units):
        if not unit[0].strip():
            continue
        if total + unit[1] > min(overlap, room):
            break
        tail.insert(0, unit)
        total += unit[1]
    return tail, total


def _emit(units: list[tuple[str, int]], budget: int, count: _Counter) -> Iterator[str]:
    """Yield the joined text, re-checked exactly (token counts do not add up across joins)."""
    text = "".join(u for u, _ in units).strip()
    if not text:
        return
    if count(text) <= budget or len(units) == 1:
        yield from _token_windows(text, budget, count)
        return
    middle = len(units) // 2
    yield from _emit(units[:middle], budget, count)
    yield from _emit(units[middle:], budget, count)


def _fit_model(
    text: str,
    section: Section,
    header: str,
    budget: int,
    limit: int,
    count: _Counter,
    fits: Callable[[str], bool] | None,
) -> Iterator[str]:
    """Shrink a chunk until the embedding model takes it whole."""
    embed = f"{header}\n{text}" if header else text
    if count(embed) <= limit and (fits is None or fits(embed)):
        yield text
        return
    smaller = int(budget * SHRINK)
    if smaller < 1:
        raise ValueError(f"cannot fit text into the embedding model's window: {text[:60]!r}")
    piece = Section(
        text=text,
        heading_path=section.heading_path,
        page=section.page,
        kind=section.kind,
        table_header=section.table_header,
    )
    for part in _section_texts(piece, budget=smaller, overlap=0, count=count):
        yield from _fit_model(part, section, header, smaller, limit, count, fits)
