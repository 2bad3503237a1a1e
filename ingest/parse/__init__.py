"""Reading a file into a ParsedDocument: the entry point that dispatches on the extension.

PDF (`parse_pdf`), Markdown (`parse_markdown`, with `parse_html` for HTML inside it), and
plain text, CSV and JSON (`parse_text`, which also owns encoding detection). Every failure
is an `UnsupportedFile` or a `ParseError` whose message gives the reason; the caller adds
the path.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.document import FILE_TYPES as _FILE_TYPES
from ingest.document import SUPPORTED_EXTENSIONS, ParsedDocument
from ingest.errors import ParseError, UnsupportedFile
from ingest.parse.markdown import parse_markdown
from ingest.parse.pdf import parse_pdf
from ingest.parse.text import decode_text, parse_csv, parse_json, parse_text

log = logging.getLogger(__name__)

__all__ = ["SUPPORTED_EXTENSIONS", "parse_bytes", "parse_file", "title_from_stem"]
_TEXT_PARSERS = {"md": parse_markdown, "txt": parse_text, "csv": parse_csv, "json": parse_json}


def parse_file(path: Path) -> ParsedDocument:
    """Read `path` into sections. Raises UnsupportedFile or ParseError."""
    extension = path.suffix.lower()
    file_type = _FILE_TYPES.get(extension)
    if file_type is None:
        raise UnsupportedFile(f"unsupported file type '{extension}'")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror or e}") from e
    return parse_bytes(data, path)


def parse_bytes(data: bytes, path: Path) -> ParsedDocument:
    """Parse `data`, the bytes of `path` as read once by the caller (who hashes the same
    bytes); `path` gives the type, the source and the fallback title. Raises UnsupportedFile
    or ParseError."""
    extension = path.suffix.lower()
    file_type = _FILE_TYPES.get(extension)
    if file_type is None:
        raise UnsupportedFile(f"unsupported file type '{extension}'")
    source = str(path.resolve())
    fallback_title = title_from_stem(path.stem)
    if file_type == "pdf":
        doc = parse_pdf(data, source=source, fallback_title=fallback_title)
    else:
        text = decode_text(data)
        doc = _TEXT_PARSERS[file_type](text, source=source, fallback_title=fallback_title)
    log.debug("parsed %s: %d sections, %d warnings", source, len(doc.sections), len(doc.warnings))
    return doc


def title_from_stem(stem: str) -> str:
    """`maruti_baleno` → `Maruti Baleno`; words already cased (`bZ4X`, `APP`) stay as they are."""
    words = re.sub(r"[_\-\s]+", " ", stem).split()
    camel = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", stem).split()
    if len(words) == 1 and len(camel) >= 3:  # GreenVehicleGuideDocumentation, not McLaren
        words = camel
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words) or stem
