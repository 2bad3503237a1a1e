"""PDF files: one section per page, text from pypdf's default (plain) extraction.

The plain mode's spacing is kept as it comes (`Overall length (mm)  4 330`, with two spaces,
is how quotes from these brochures read); only line endings, NUL bytes and NFKC forms
(ligatures such as "ﬁ", full-width letters) are normalised.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from ingest.document import ParsedDocument, Section
from ingest.errors import ParseError

log = logging.getLogger(__name__)

HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first KiB
UNDECODABLE_SHARE = 0.5  # share of U+FFFD in a page's text above which the page is unreadable
_PLACEHOLDER_TITLE = re.compile(
    r"^(untitled.*|document\d*|microsoft (word|powerpoint|excel)\b.*|slide \d+|title)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def parse_pdf(data: bytes, *, source: str, fallback_title: str) -> ParsedDocument:
    """Pages with text become sections; pages without a text layer become warnings."""
    if not data:
        raise ParseError("empty file")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise ParseError("not a PDF: no %PDF- header (corrupt, or another format renamed .pdf)")
    reader = _open(data)
    try:
        count = len(reader.pages)
    except Exception as e:  # pypdf raises many types on a broken page tree
        raise ParseError(f"{_damaged(data)}: cannot read its page tree ({e})") from e
    if count == 0:
        raise ParseError("PDF has no pages (truncated or corrupt?)")
    sections: list[Section] = []
    warnings: list[str] = []
    failures = 0
    for number in range(1, count + 1):
        try:
            raw = reader.pages[number - 1].extract_text()
        except Exception as e:  # one broken page must not lose the rest of a manual
            log.warning("%s: page %d: text extraction failed: %r", source, number, e)
            warnings.append(f"page {number} could not be read ({type(e).__name__}: {e})")
            failures += 1
            continue
        text = unicodedata.normalize("NFKC", raw.replace("\x00", ""))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            warnings.append(f"page {number} has no text layer")
            continue
        if _undecodable(text):
            warnings.append(f"page {number} text could not be decoded (broken or missing font)")
            failures += 1
            continue
        sections.append(Section(text=text, page=number))
    if not sections:
        if failures == count:
            raise ParseError(f"corrupt PDF: no page could be read; {warnings[0]}")
        raise ParseError(f"no text layer on any of {count} pages (scanned or image-only PDF?)")
    title = _title(reader) or fallback_title
    return ParsedDocument(
        source=source, file_type="pdf", title=title, sections=sections, warnings=warnings
    )


def _open(data: bytes) -> PdfReader:
    # strict=False: real brochures carry small syntax faults that every viewer forgives;
    # a file pypdf still cannot make sense of fails below with pypdf's own reason.
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as e:
        raise ParseError(f"{_damaged(data)}: {e}") from e
    if not encrypted:
        return reader
    try:
        result = reader.decrypt("")  # owner-password-only PDFs open with an empty password
    except DependencyError as e:
        raise ParseError("encrypted PDF: decrypting it needs the 'cryptography' package") from e
    except Exception as e:
        raise ParseError(f"encrypted PDF that cannot be decrypted: {e}") from e
    if result == PasswordType.NOT_DECRYPTED:
        raise ParseError("encrypted PDF: a password is needed to open it")
    return reader


def _undecodable(text: str) -> bool:
    """Mostly U+FFFD: the page's font is broken or missing, and its "text" is junk to index."""
    visible = [c for c in text if not c.isspace()]
    return bool(visible) and visible.count("\ufffd") > UNDECODABLE_SHARE * len(visible)


def _damaged(data: bytes) -> str:
    if b"%%EOF" not in data[-HEADER_WINDOW:]:
        return "truncated PDF (no %%EOF marker at the end)"
    return "corrupt PDF"


def _title(reader: PdfReader) -> str | None:
    """The metadata title, unless it is a file name or a placeholder."""
    try:
        raw = reader.metadata.title if reader.metadata else None
    except Exception:  # a broken Info dictionary is no reason to fail the file
        return None
    if not isinstance(raw, str):
        return None
    title = " ".join(unicodedata.normalize("NFKC", raw).split())
    letters = sum(1 for c in title if c.isalpha())
    if letters < 3 or "_" in title or _FILE_NAME.search(title) or _PLACEHOLDER_TITLE.match(title):
        return None
    return title
