"""Awkward and broken input files, generated into a test's tmp_path (no binaries in git).

Each `make_*` writes one file at `path` and returns the path; the `*_TEXT` constants are
what a correct parser must read back from the text files.
"""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

PDF_PAGE_TEXT = "Overall length (mm)  4 330"
GBK_TEXT = (
    "极光X5插电混动版车型介绍\n\n"
    "发动机最大功率为110千瓦（150马力），最大扭矩250牛·米，百公里加速7.4秒。\n"
    "纯电续航里程：80公里；综合续航里程：约1190公里。\n"
)
LATIN1_TEXT = (
    "Citroën C4 Picasso: fiche technique\n"
    "Longueur: 4 428 mm; réservoir: 57 l; équipée d'un moteur 1.6 HDi de 110 ch.\n"
)
CP1252_TEXT = "“Citroën” C5 Aircross – 24 500 €\n"
OLD_MAC_LINES = ["Peugeot 5008", "", "Length: 4641 mm", "Width: 1844 mm", "Height: 1646 mm"]
UTF16_TEXT = "Škoda Octavia – 长安 CS55PLUS\nPower: 110 kW\n"


def _pdf(pages: list[str | None]) -> bytes:
    """A PDF with one page per entry: text, or (None) only a filled rectangle."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text is None:
            pdf.rect(20, 20, 120, 80, style="F")  # a picture, no text layer
        else:
            pdf.multi_cell(0, 8, text=text)
    return bytes(pdf.output())


def make_pdf(path: Path, pages: list[str | None]) -> Path:
    path.write_bytes(_pdf(pages))
    return path


def make_image_only_pdf(path: Path) -> Path:
    return make_pdf(path, [None, None])


def make_encrypted_pdf(path: Path, *, user_password: str = "secret") -> Path:
    """AES-256; with `user_password=""` it opens without a password (owner password only)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf([PDF_PAGE_TEXT]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


def make_truncated_pdf(path: Path) -> Path:
    """A real PDF cut in half, as an interrupted download leaves it."""
    data = _pdf([PDF_PAGE_TEXT, "second page", "third page"])
    path.write_bytes(data[: len(data) // 2])
    return path


def make_pdf_with_garbled_page(path: Path) -> Path:
    """Three pages; the deflate data of page 2's content stream is overwritten."""
    data = bytearray(_pdf(["First page", "Second page", "Third page"]))
    stream = re.search(rb"6 0 obj\n<<[^>]*/Length (\d+)[^>]*>>\nstream\n", data)
    assert stream, "fpdf2 changed its object layout"
    body = stream.end()
    data[body + 2 : body + int(stream.group(1))] = b"\xff" * (int(stream.group(1)) - 2)
    path.write_bytes(bytes(data))
    return path


def make_zero_byte_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """Random bytes under a .pdf name."""
    path.write_bytes(random.Random(1).randbytes(8192))
    return path


def make_binary_file(path: Path) -> Path:
    """A PNG signature and random bytes under a text extension."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(4096))
    return path


def make_gbk_txt(path: Path) -> Path:
    path.write_bytes(GBK_TEXT.encode("gbk"))
    return path


def make_latin1_txt(path: Path) -> Path:
    path.write_bytes(LATIN1_TEXT.encode("latin-1"))
    return path


def make_cp1252_txt(path: Path) -> Path:
    path.write_bytes(CP1252_TEXT.encode("cp1252"))
    return path


def make_old_mac_txt(path: Path) -> Path:
    """Classic Mac OS line endings: a lone CR."""
    path.write_bytes("\r".join(OLD_MAC_LINES).encode("ascii") + b"\r")
    return path


def make_utf16_txt(path: Path) -> Path:
    """UTF-16 with a BOM and CRLF line endings, as Windows Notepad saves "Unicode"."""
    path.write_bytes(UTF16_TEXT.replace("\n", "\r\n").encode("utf-16"))
    return path


def make_whitespace_only(path: Path) -> Path:
    path.write_bytes(b" \n\t\r\n   \n")
    return path


def make_invalid_json(path: Path) -> Path:
    path.write_text('{"Fiat": [{"model": "500e", "years": [2023,]}]}\n', encoding="utf-8")
    return path


def make_unsupported(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 a word document")
    return path
