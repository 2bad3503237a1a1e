"""Chunking: token limits, structure, and never splitting a table row or spec line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.chunk import chunk_document
from ingest.document import ParsedDocument, Section
from ingest.embedding.model import WindowCheck, resolve_model_path
from ingest.encodings import get_encoding
from ingest.parse import SUPPORTED_EXTENSIONS

ENCODING = get_encoding("cl100k_base")


@pytest.fixture(scope="module")
def window() -> WindowCheck:
    return WindowCheck(resolve_model_path("all-MiniLM-L6-v2"))


def _chunks(doc: ParsedDocument, max_tokens: int = 256, overlap: int = 32, fits=None):  # type: ignore[no-untyped-def]
    return chunk_document(doc, max_tokens=max_tokens, overlap=overlap, encoding=ENCODING, fits=fits)


def _doc(*sections: Section, title: str = "Aurora X5") -> ParsedDocument:
    return ParsedDocument(
        source="/x/aurora.md", file_type="md", title=title, sections=list(sections)
    )


def test_small_section_is_one_chunk_with_title_and_path_header() -> None:
    doc = _doc(Section("Power: 130 kW (177 PS)", heading_path=("Specs", "Engine")))
    [chunk] = _chunks(doc)
    assert chunk.text == "Power: 130 kW (177 PS)"
    assert chunk.header == "Aurora X5 > Specs > Engine"
    assert chunk.embed_text == "Aurora X5 > Specs > Engine\nPower: 130 kW (177 PS)"
    assert chunk.section == "Specs > Engine"
    assert chunk.tokens == len(ENCODING.encode(chunk.embed_text))


def test_long_text_splits_at_sentences_within_limit_and_overlaps() -> None:
    sentences = [
        f"Sentence number {i} talks about the 1.5T engine and its {i * 10} Nm." for i in range(60)
    ]
    doc = _doc(Section(" ".join(sentences), heading_path=("Engine",)))
    chunks = _chunks(doc, max_tokens=64, overlap=24)  # a sentence is ~18 tokens
    assert len(chunks) > 5
    assert all(c.tokens <= 64 for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:  # every chunk starts and ends at a sentence boundary
        assert chunk.text.startswith("Sentence number") and chunk.text.endswith("Nm.")
    # consecutive chunks share their boundary sentence (overlap), and nothing is lost
    assert chunks[0].text.split(". ")[-1] in chunks[1].text
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)


def test_chinese_sentences_split_at_chinese_punctuation() -> None:
    text = "".join(f"第{i}句说明百公里油耗为{i}.5升。" for i in range(80))
    chunks = _chunks(_doc(Section(text)), max_tokens=48, overlap=0)
    assert len(chunks) > 3
    assert all(c.tokens <= 48 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    assert "".join(c.text for c in chunks) == text


def test_table_rows_are_never_split_and_every_chunk_repeats_the_header() -> None:
    header = "| Engine | Power | Torque |\n|---|---|---|"
    rows = [f"| 1.{i}T | {100 + i} kW | {200 + i} Nm |" for i in range(120)]
    table = Section(
        header + "\n" + "\n".join(rows), ("Powertrain",), kind="table", table_header=header
    )
    chunks = _chunks(_doc(table), max_tokens=80, overlap=16)
    assert len(chunks) > 3
    seen: list[str] = []
    for chunk in chunks:
        assert chunk.tokens <= 80
        assert chunk.text.startswith(header + "\n")
        body = chunk.text[len(header) + 1 :].split("\n")
        assert all(line in rows for line in body)
        seen.extend(body)
    assert seen == rows  # in order, none lost, no overlap duplicates for tables


def test_oversized_single_row_is_split_and_each_part_keeps_the_header() -> None:
    header = "| Feature | Detail |\n|---|---|"
    huge = "| Notes | " + " ".join(f"item{i}" for i in range(300)) + " |"
    table = Section(header + "\n" + huge, kind="table", table_header=header)
    chunks = _chunks(_doc(table), max_tokens=64)
    assert len(chunks) > 2
    assert all(c.tokens <= 64 and c.text.startswith(header + "\n") for c in chunks)
    assert "".join(c.text[len(header) + 1 :] for c in chunks) == huge


def test_record_lines_stay_whole() -> None:
    lines = [f"Spec field {i}: value {i * 7} mm" for i in range(100)]
    record = Section("\n".join(lines), kind="record")
    chunks = _chunks(_doc(record), max_tokens=40)
    for chunk in chunks:
        assert all(line in lines for line in chunk.text.split("\n"))


def test_model_window_check_shrinks_chunks_that_would_be_truncated(window: WindowCheck) -> None:
    # Digits and symbols are cheap in cl100k but expensive in wordpieces: 256 cl100k tokens
    # of this overflow MiniLM's 256-wordpiece window.
    text = " ".join(f"ø{i}/µ{i * 3}±ß{i}" for i in range(400))
    doc = _doc(Section(text))
    unchecked = _chunks(doc, overlap=0)
    assert any(not window(c.embed_text) for c in unchecked), "fixture should overflow the model"
    checked = _chunks(doc, overlap=0, fits=window)
    assert all(window(c.embed_text) and c.tokens <= 256 for c in checked)
    assert "".join("".join(c.text for c in checked).split()) == "".join(text.split())


def test_model_tokens_are_counted_unpadded(window: WindowCheck) -> None:
    """The packaged tokenizer.json pads to 128; a count is the text's own wordpieces plus
    [CLS] and [SEP] (the embeddings route reports it as usage)."""
    assert window.count("Aurora X5 boot space") == 7
    assert window.count("轴距") == 4


@pytest.mark.slow
def test_whole_corpus_chunks_fit_limits_and_keep_table_rows(
    corpus: Path, parsed_corpus: Callable[[str], ParsedDocument], window: WindowCheck
) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in SUPPORTED_EXTENSIONS)
    assert len(files) > 100
    total = 0
    for path in files:
        doc = parsed_corpus(str(path.relative_to(corpus)))
        chunks = _chunks(doc, fits=window)
        total += len(chunks)
        assert chunks, f"{path.name}: no chunks"
        for chunk in chunks:
            assert chunk.tokens <= 256, f"{path.name} chunk {chunk.index}: {chunk.tokens} tokens"
            assert window(chunk.embed_text), f"{path.name} chunk {chunk.index} overflows the model"
        if doc.file_type == "md":
            texts = [c.text for c in chunks]
            for section in doc.sections:
                if section.kind != "table":
                    continue
                for row in section.text.split("\n"):
                    if row.strip():
                        assert any(row in t.split("\n") for t in texts), (
                            f"{path.name}: row split: {row[:80]}"
                        )
    assert total > 1000


def test_token_windows_cut_between_characters_not_inside_one() -> None:
    """Regression: a last-resort token window that ended inside a multi-byte character made
    tiktoken's decode_with_offsets raise UnicodeDecodeError (long unbroken Chinese text)."""
    text = "极光混动版纯电续航里程八十公里综合续航一千一百九十公里" * 40  # no punctuation at all
    for max_tokens in (33, 64, 128):
        chunks = _chunks(_doc(Section(text)), max_tokens=max_tokens, overlap=0)
        assert all(c.tokens <= max_tokens for c in chunks)
        assert "".join(c.text for c in chunks) == text
