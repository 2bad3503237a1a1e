"""The bad-input corpus: every kind of awkward file, generated into a folder, with the outcome
each must get from an ingest run.

`Kind.expect` is "error" (the run records a failure whose reason holds `words`), "ok" (the file
is indexed and its chunks hold `words`) or "skip" (not a type specrag reads: a note, no failure).
The PDFs that pypdf has had loops and memory blow-ups on are written byte by byte here, so the
exact fault (an xref chain that points at itself, a cyclic page tree, a decompression bomb…) is
what the parser meets.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from tests import bad_inputs as bad
from tests.reliability import long_or_short

BIG5_TEXT = "極光X5插電混動版車型介紹\n\n純電續航里程：80公里；最大功率110千瓦。\n"
NESTED_TEXT = "Aurora X5 turning circle 5.4 m"
LONG_LINE_WORDS = "Aurora X5 torque 250 Nm at 1500 rpm "
PDF_TEXT = b"Overall length 4330 mm"
HUGE_TEXT_BYTES = 100 * 10**6  # "100 MB": over the batch's limit, refused before reading
BATCH_LIMIT_MB = 64  # the batch's max file size; every other file is far under it


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    file: str  # name inside the batch folder
    make: Callable[[Path], object]
    expect: Literal["error", "ok", "skip"]
    words: str  # in the error reason, or in the stored chunks


# -- hand-written PDFs -------------------------------------------------------------------------


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_CONTENT = b"BT /F1 12 Tf 72 720 Td (" + PDF_TEXT + b") Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _objects(content: bytes = _CONTENT, pages: bytes | None = None) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        pages or b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(content),
        _FONT,
    ]


def _pdf(objects: list[bytes], *, trailer: bytes = b"", prev_self: bool = False) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    if prev_self:
        trailer += b"/Prev %d " % start
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def _write(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def make_xref_loop(path: Path) -> None:
    """The trailer's /Prev names its own xref section: a reader that follows it loops."""
    path.write_bytes(_pdf(_objects(), prev_self=True))


def make_xref_wrong_offsets(path: Path) -> None:
    """startxref and every xref entry point at the wrong bytes: the xref must be rebuilt."""
    data = _pdf(_objects())
    start = data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0]
    data = data.replace(b" 00000 n ", b" 00000 n ").replace(b"0000000009", b"0000000999")
    path.write_bytes(data.replace(b"startxref\n" + start, b"startxref\n999999"))


def make_page_tree_cycle(path: Path) -> None:
    """The page tree lists itself among its kids."""
    pages = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    path.write_bytes(_pdf(_objects(pages=pages)))


@cache
def _flate_bomb() -> bytes:
    """Compressed once per process: deflating 400 MB takes seconds."""
    return zlib.compress(b"0" * 400_000_000, 9)


def make_flate_bomb(path: Path) -> None:
    """A 400 KB content stream that inflates to 400 MB."""
    objects = _objects()
    objects[3] = _stream(_flate_bomb(), b"/Filter /FlateDecode ")
    path.write_bytes(_pdf(objects))


def make_huge_declared_length(path: Path) -> None:
    objects = _objects()
    objects[3] = b"<< /Length 99999999999 >>\nstream\n" + _CONTENT + b"\nendstream"
    path.write_bytes(_pdf(objects))


def make_deep_arrays(path: Path) -> None:
    """100,000 nested arrays in the page dictionary (recursion in the object parser)."""
    objects = _objects()
    objects[2] = objects[2].replace(
        b"/MediaBox", b"/Junk " + b"[" * 100_000 + b"]" * 100_000 + b" /MediaBox"
    )
    path.write_bytes(_pdf(objects))


def make_many_pages(path: Path, pages: int = 20_000) -> None:
    """20,000 pages and a /Count that says so, none with a text layer."""
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    path.write_bytes(_pdf(objects))


def make_count_lie(path: Path) -> None:
    """One page, and a /Count of a billion."""
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>"
    path.write_bytes(_pdf(_objects(pages=pages)))


def _objstm_pdf(objstm: bytes) -> bytes:
    """PDF 1.5: the font lives in object stream 6, found through an xref stream (object 7)."""
    objects = _objects()[:4]
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    for number, body in enumerate([*objects, None, objstm], 1):
        if body is None:
            continue  # object 5 (the font) is inside the object stream
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[7] = len(out)
    rows = [b"\x00\x00\x00\xff\xff"]
    for number in range(1, 8):
        if number == 5:
            rows.append(b"\x02\x00\x06\x00\x00")  # compressed: stream 6, index 0
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(2, "big") + b"\x00\x00")
    table = b"".join(rows)
    out += b"7 0 obj\n" + _stream(table, b"/Type /XRef /Size 8 /W [1 2 2] /Root 1 0 R ")
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[7]
    return bytes(out)


def make_objstm(path: Path) -> None:
    body = b"5 0 " + _FONT
    path.write_bytes(_objstm_pdf(_stream(body, b"/Type /ObjStm /N 1 /First 4 ")))


def make_objstm_broken(path: Path) -> None:
    """An object stream that claims 100 million objects and whose offsets are garbage."""
    body = b"5 x9 7 -3 " + random.Random(5).randbytes(64)
    extra = b"/Type /ObjStm /N 100000000 /First 999999 "
    path.write_bytes(_objstm_pdf(_stream(body, extra)))


# -- text --------------------------------------------------------------------------------------


def make_big5(path: Path) -> None:
    path.write_bytes(BIG5_TEXT.encode("big5"))


def make_utf16_no_bom(path: Path) -> None:
    path.write_bytes("Kia Seltos\nPower: 103 kW\nTorque: 179 Nm\n".encode("utf-16-le"))


def make_huge_text(path: Path) -> None:
    line = b"Length: 4330 mm; width 1790 mm; height 1635 mm; wheelbase 2610 mm.\n"
    with open(path, "wb") as out:
        block = line * (2**20 // len(line))
        written = 0
        while written < HUGE_TEXT_BYTES:
            out.write(block[: HUGE_TEXT_BYTES - written])
            written += min(len(block), HUGE_TEXT_BYTES - written)


def make_wide_table(path: Path, columns: int = 10_000) -> None:
    header = "| " + " | ".join(f"spec {i}" for i in range(columns)) + " |"
    rule = "|" + "---|" * columns
    row = "| " + " | ".join(f"{i} mm" for i in range(columns)) + " |"
    path.write_text(f"# Every dimension\n\n{header}\n{rule}\n{row}\n", encoding="utf-8")


def make_nested_markdown(path: Path, depth: int = long_or_short(2_000, 500)) -> None:
    """Blockquotes, lists, emphasis, links and HTML nested `depth` deep, then plain text."""
    parts = [
        "# Deep",
        "> " * depth + NESTED_TEXT,
        "- " * depth + "item",
        "*" * depth + "stars" + "*" * depth,
        "[" * depth + "link" + "](x)" * depth,
        "<div>" * depth + "html" + "</div>" * depth,
        "",
        NESTED_TEXT,
    ]
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def make_nul_padded(path: Path) -> None:
    """A text file whose writer padded it with a few NUL bytes: ingested, NULs dropped."""
    text = b"Model: Venue\nPower: 83 PS\nTorque: 114 Nm\n" * 200
    path.write_bytes(text[:4000] + b"\x00" + text[4000:] + b"\x00\x00")


def make_nul_heavy(path: Path) -> None:
    """NUL bytes between words all through the file: binary, refused."""
    path.write_bytes(b"Power\x00\x00: 83 PS\x00\n" * 200)


def make_long_line(path: Path, size: int = long_or_short(1_000_000, 50_000)) -> None:
    """One line, no break, no sentence end."""
    path.write_text(LONG_LINE_WORDS * (size // len(LONG_LINE_WORDS)) + "\n", encoding="utf-8")


def make_long_word(path: Path, size: int = long_or_short(100_000, 20_000)) -> None:
    """One 'word' of `size` letters: a single tokenizer pre-token."""
    path.write_text("Aurora " + "x" * size + "\n", encoding="utf-8")


def make_deep_json(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def make_header_only_csv(path: Path) -> None:
    path.write_text("make,model,power_kw\n", encoding="utf-8")


def make_named(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text, encoding="utf-8")


KINDS: list[Kind] = [
    # PDFs
    Kind("zero-byte PDF", "zero.pdf", bad.make_zero_byte_file, "error", "empty"),
    Kind("corrupt PDF (random bytes)", "corrupt.pdf", bad.make_corrupt_pdf, "error", "not a PDF"),
    Kind("truncated PDF", "truncated.pdf", bad.make_truncated_pdf, "error", "truncated"),
    Kind("encrypted PDF (password)", "encrypted.pdf", bad.make_encrypted_pdf, "error", "password"),
    Kind(
        "encrypted PDF (owner password only)",
        "owner-only.pdf",
        lambda p: bad.make_encrypted_pdf(p, user_password=""),
        "ok",
        "Overall length (mm)",
    ),
    Kind("image-only PDF", "scanned.pdf", bad.make_image_only_pdf, "error", "no text layer"),
    Kind(
        "PDF with one garbled page",
        "garbled.pdf",
        bad.make_pdf_with_garbled_page,
        "ok",
        "Third page",
    ),
    Kind(
        "PDF with 20,000 pages, no text",
        "many-pages.pdf",
        make_many_pages,
        "error",
        "no text layer on any of 20000 pages",
    ),
    Kind(
        "PDF page /Count of a billion", "count-lie.pdf", make_count_lie, "ok", "Overall length 4330"
    ),
    Kind("PDF xref /Prev loop", "xref-loop.pdf", make_xref_loop, "ok", "Overall length 4330"),
    Kind(
        "PDF xref with wrong offsets",
        "xref-offsets.pdf",
        make_xref_wrong_offsets,
        "ok",
        "Overall length 4330",
    ),
    Kind("PDF cyclic page tree", "page-cycle.pdf", make_page_tree_cycle, "error", "cyclic"),
    Kind("PDF deflate bomb (400 MB)", "bomb.pdf", make_flate_bomb, "error", "limit reached"),
    Kind(
        "PDF stream /Length of 100 GB",
        "huge-length.pdf",
        make_huge_declared_length,
        "error",
        "exceeds maximum",
    ),
    Kind(
        "PDF with 100,000 nested arrays", "deep-arrays.pdf", make_deep_arrays, "error", "page tree"
    ),
    Kind("PDF with an object stream", "objstm.pdf", make_objstm, "ok", "Overall length 4330"),
    Kind(
        "PDF with a broken object stream (its font)",
        "objstm-broken.pdf",
        make_objstm_broken,
        "error",
        "text could not be decoded (broken or missing font)",
    ),
    # empty, binary, structure
    Kind("zero-byte text", "empty.txt", bad.make_zero_byte_file, "error", "empty"),
    Kind("whitespace-only Markdown", "blank.md", bad.make_whitespace_only, "error", "empty"),
    Kind("binary named .txt (PNG)", "photo.txt", bad.make_binary_file, "error", "binary"),
    Kind(
        "binary named .md (ELF)",
        "program.md",
        _write(b"\x7fELF\x02\x01\x01" + random.Random(3).randbytes(8192)),
        "error",
        "binary",
    ),
    Kind("NUL bytes all through", "nul-heavy.txt", make_nul_heavy, "error", "binary"),
    Kind("a few NUL bytes (padding)", "nul-padded.txt", make_nul_padded, "ok", "Torque: 114 Nm"),
    Kind("invalid JSON", "broken.json", bad.make_invalid_json, "error", "invalid JSON"),
    Kind("JSON nested 100,000 deep", "deep.json", make_deep_json, "error", "nested too deeply"),
    Kind(
        "CSV with a header only", "header-only.csv", make_header_only_csv, "error", "no data rows"
    ),
    Kind("unsupported type (.docx)", "notes.docx", bad.make_unsupported, "skip", "unsupported"),
    # encodings
    Kind("GBK text", "gbk.txt", bad.make_gbk_txt, "ok", "纯电续航里程：80公里"),
    Kind("Big5 text", "big5.txt", make_big5, "ok", "純電續航里程：80公里"),
    Kind("UTF-16 with BOM, CRLF", "utf16.txt", bad.make_utf16_txt, "ok", "Škoda Octavia"),
    Kind("UTF-16 without BOM", "utf16-nobom.txt", make_utf16_no_bom, "ok", "Torque: 179 Nm"),
    Kind("Latin-1 text", "latin1.txt", bad.make_latin1_txt, "ok", "Citroën C4 Picasso"),
    Kind(
        "Windows-1252 text",
        "cp1252.txt",
        bad.make_cp1252_txt,
        "ok",
        "“Citroën” C5 Aircross – 24 500 €",
    ),
    Kind(
        "old-Mac CR line endings",
        "oldmac.txt",
        bad.make_old_mac_txt,
        "ok",
        "Length: 4641 mm\nWidth",
    ),
    # size and shape
    Kind("100 MB text", "huge.txt", make_huge_text, "error", "over the limit"),
    Kind("10,000-column Markdown table", "wide-table.md", make_wide_table, "ok", "| 9999 mm |"),
    Kind(
        f"Markdown nested {long_or_short(2_000, 500):,} deep",
        "nested.md",
        make_nested_markdown,
        "ok",
        NESTED_TEXT,
    ),
    Kind(
        f"one {long_or_short(1000, 50)} KB line",
        "long-line.txt",
        make_long_line,
        "ok",
        "torque 250 Nm at 1500 rpm",
    ),
    Kind(
        f"one {long_or_short(100_000, 20_000):,}-letter word",
        "long-word.txt",
        make_long_word,
        "ok",
        "xxxxxxxx",
    ),
    # names
    Kind(
        "file name with spaces",
        "spec sheet 2024.md",
        make_named("# Venue\n\nBoot: 350 l\n"),
        "ok",
        "Boot: 350 l",
    ),
    Kind(
        "unicode file name",
        "极光 X5 – fiche é.txt",
        make_named("Aurora X5 boot 480 l\n"),
        "ok",
        "Aurora X5 boot 480 l",
    ),
    Kind(
        "newline in the file name",
        "two\nlines.txt",
        make_named("Seltos tank 50 l\n"),
        "ok",
        "Seltos tank 50 l",
    ),
    Kind(
        "leading dash and quotes in the name",
        "-rf 'x' \"y\".txt",
        make_named("Creta tyres 215/60 R17\n"),
        "ok",
        "Creta tyres 215/60 R17",
    ),
]
