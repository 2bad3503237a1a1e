"""Plain text, CSV and JSON files: encoding detection, then light structure.

Decoding order: UTF-8 BOM, UTF-32/UTF-16 BOM, strict UTF-8, GB18030 when the result reads
as Chinese, charset-normalizer when it is confident about a non-Latin script, and finally
Windows-1252 over Latin-1. Line endings (CRLF, old-Mac CR) become LF. Nothing is NFKC'd:
full-width characters in Chinese text are content.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

from ingest.document import ParsedDocument, Section, SectionKind
from ingest.errors import ParseError

log = logging.getLogger(__name__)

NUL_LIMIT = 0.001  # NUL share of the raw bytes a text file may have (stray padding)
CONTROL_LIMIT = 0.05  # share of control characters after decoding
CHAOS_LIMIT = 0.1  # charset-normalizer "mess" ratio above which its guess is ignored
MIN_HIGH_BYTES = 8  # fewer non-ASCII bytes than this give charset-normalizer nothing to go on
SAMPLE_CHARS = 100_000  # the script checks look at this much text, not whole files
MIN_RECORD_RUN = 3  # consecutive `key: value` lines that make a record section

# Bytes 0x80-0x9F are C1 controls in Latin-1 but quotes, dashes and € in Windows-1252, which
# is what "Latin-1" files written on Windows contain; the five bytes cp1252 leaves undefined
# keep their Latin-1 meaning.
_CP1252_OVER_LATIN1 = {
    b: ord(bytes([b]).decode("cp1252"))
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MARKER = re.compile(r"^\s*\[(SECTION|PAGE):\s*(.*?)\s*\]\s*$", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_CJK_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}、\s*(\S.{0,30}?)\s*$")  # 二、动力与性能
_KEY_VALUE = re.compile(r"^\s*(?P<key>[^\s:：][^:：]{0,59})(?::\s+|：\s*)\S")
_LABEL_COLUMNS = (  # matched against lower-cased names with `_ . -` as spaces
    re.compile(r"(make|manufacturer|brand|mfr|mfg)( name)?"),
    re.compile(r"(model|carline|vehicle)( name)?|name"),
    re.compile(r"(model ?)?year|variant|trim|version"),
)


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes to str with LF line endings; refuse binary and empty data."""
    if not data.strip():
        raise ParseError("empty file")
    text = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    sample = text[:SAMPLE_CHARS]
    bad = sum(1 for c in sample if (c < " " and c not in "\t\n\f\v") or c == "\ufffd")
    if bad > CONTROL_LIMIT * len(sample):
        raise ParseError("binary data, not text")
    if not text.strip():
        raise ParseError("empty file")
    return text


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if data.count(0) > NUL_LIMIT * len(data):
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise ParseError("binary data, not text")
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _reads_as_chinese(text[:SAMPLE_CHARS]):
            return text
    best = from_bytes(data).best() if _high_bytes(data) >= MIN_HIGH_BYTES else None
    if best is not None and best.chaos <= CHAOS_LIMIT:
        text = str(best)
        if _mostly_non_latin(text[:SAMPLE_CHARS]):
            log.debug("decoded as %s (charset-normalizer)", best.encoding)
            return text
    return data.decode("latin-1").translate(_CP1252_OVER_LATIN1)


def _high_bytes(data: bytes) -> int:
    sample = data[:SAMPLE_CHARS]
    return len(sample) - len(sample.decode("ascii", errors="ignore"))


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _reads_as_chinese(text: str) -> bool:
    """GB18030 decodes most byte soups into hanzi: Latin-1 accents become rare (GB2312 level-2
    or GBK-extension) characters, Big5 and Shift-JIS land in the extension rows, and Korean
    EUC-KR becomes common hanzi with a space every few words. Real Chinese text is mostly
    common hanzi and CJK punctuation, with no spaces between words."""
    foreign = [c for c in text if c > "\x7f"]
    hanzi = [c for c in foreign if "\u4e00" <= c <= "\u9fff"]
    if len(hanzi) < 0.5 * len(foreign) or not hanzi:
        return False
    common = sum(1 for c in hanzi if 0xB0 <= _gb2312_row(c) <= 0xD7)  # level 1: 3755 hanzi
    spaced = len(re.findall(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text))
    return (
        sum(1 for c in foreign if _gb2312_row(c)) >= 0.9 * len(foreign)
        and common >= 0.8 * len(hanzi)
        and spaced <= 0.1 * len(hanzi)
    )


def _gb2312_row(char: str) -> int:
    """The GB2312 lead byte of a symbol (rows A1-A3) or hanzi (B0-F7) character, else 0."""
    code = char.encode("gb18030")
    if len(code) == 2 and code[1] >= 0xA1 and (0xA1 <= code[0] <= 0xA3 or 0xB0 <= code[0] <= 0xF7):
        return code[0]
    return 0


def _mostly_non_latin(text: str) -> bool:
    """charset-normalizer guesses among Western code pages are coin flips (cp1250 for French,
    mac_latin2 for English); it is trusted only for scripts Windows-1252 cannot hold."""
    letters = [c for c in text if c > "\x7f" and c.isalpha()]
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    return bool(letters) and latin < 0.5 * len(letters)


def parse_text(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Sections at `[SECTION: …]` / `[PAGE: n]` markers and `#` headings; `key: value` runs
    become record sections."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    page: int | None = None
    block: list[str] = []
    previous_blank = True
    for line in text.split("\n"):
        marker = _MARKER.match(line)
        heading = _heading(line) if previous_blank else None
        if marker or heading:
            sections.extend(_split_records(block, tuple(h for _, h in path), page))
            block = []
            if marker and marker.group(1).upper() == "SECTION":
                path = [(0, marker.group(2))] if marker.group(2) else []
            elif marker:
                page = int(marker.group(2)) if marker.group(2).isdigit() else page
            elif heading:
                level, name = heading
                path = [(lv, h) for lv, h in path if lv < level] + [(level, name)]
            previous_blank = True
            continue
        block.append(line)
        previous_blank = not line.strip()
    sections.extend(_split_records(block, tuple(h for _, h in path), page))
    title = _text_title(text.split("\n", 60)[:60]) or fallback_title
    return ParsedDocument(source=source, file_type="txt", title=title, sections=sections)


def _heading(line: str) -> tuple[int, str] | None:
    """A Markdown-style `## Heading` or a Chinese numbered one (`二、动力与性能`, as level 2)."""
    atx = _ATX_HEADING.match(line)
    if atx:
        return len(atx.group(1)), atx.group(2)
    cjk = _CJK_HEADING.match(line)
    return (2, cjk.group(1)) if cjk else None


def _split_records(lines: list[str], path: tuple[str, ...], page: int | None) -> list[Section]:
    """Cut a block into text and record sections; a record is ≥3 consecutive `key: value` lines."""
    runs: list[tuple[bool, list[str]]] = []
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and _KEY_VALUE.match(lines[end]):
            end += 1
        if end - start >= MIN_RECORD_RUN:
            runs.append((True, lines[start:end]))
            start = end
        else:
            end = max(end, start + 1)
            if runs and not runs[-1][0]:
                runs[-1][1].extend(lines[start:end])
            else:
                runs.append((False, lines[start:end]))
            start = end
    sections = []
    for is_record, run in runs:
        body = "\n".join(run).strip("\n")
        if body.strip():
            kind: SectionKind = "record" if is_record else "text"
            sections.append(Section(text=body, heading_path=path, page=page, kind=kind))
    return sections


def _text_title(lines: list[str]) -> str | None:
    """A BRAND/MODEL header at the top of the file, else the first short line with words."""
    header: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        match = _KEY_VALUE.match(line)
        if not match:
            break
        key, _, value = re.split(r"([:：])", line, maxsplit=1)
        header[key.strip().lower()] = value.strip()
    if "model" in header:
        brand = header.get("brand") or header.get("make") or header.get("manufacturer") or ""
        model = header["model"]
        return model if model.lower().startswith(brand.lower()) else f"{brand} {model}"
    for line in lines:
        candidate = line.strip().lstrip("#").strip()
        letters = sum(1 for c in candidate if c.isalpha())
        if letters >= 3 and len(candidate) <= 120 and not _MARKER.match(candidate):
            return candidate
    return None


def parse_csv(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """One record section per row: `column: value` lines, labelled by make/model columns."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:SAMPLE_CHARS], delimiters=",;\t|"
        )
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as e:
        raise ParseError(f"malformed CSV: {e}") from e
    if len(rows) < 2:
        raise ParseError("no data rows in CSV (header only)")
    header = [name.strip() or f"column {i + 1}" for i, name in enumerate(rows[0])]
    label_columns = _label_columns(header, rows[1])
    sections = []
    for number, row in enumerate(rows[1:], start=1):
        names = header + [f"column {i + 1}" for i in range(len(header), len(row))]
        # one line per value, so a multi-line quoted field cannot break the record apart
        pairs = [
            (name, " ".join(value.split()))
            for name, value in zip(names, row, strict=False)
            if value.strip()
        ]
        if not pairs:
            continue
        label = _row_label([row[i] for i in label_columns if i < len(row)]) or f"row {number}"
        body = "\n".join(f"{name}: {value}" for name, value in pairs)
        sections.append(Section(text=body, heading_path=(label,), kind="record"))
    return ParsedDocument(source=source, file_type="csv", title=fallback_title, sections=sections)


def _label_columns(header: list[str], first_row: list[str]) -> list[int]:
    """Up to three identifying columns (make, model, year…), else the first text column."""
    names = [" ".join(re.sub(r"[_.\-]", " ", name.lower()).split()) for name in header]
    found = [
        i for pattern in _LABEL_COLUMNS for i, name in enumerate(names) if pattern.fullmatch(name)
    ]
    chosen = sorted(dict.fromkeys(found))[:3]
    if chosen:
        return chosen
    for i, value in enumerate(first_row):
        if value.strip() and not re.fullmatch(r"[\d.,\s+-]+", value):
            return [i]
    return []


def _row_label(values: list[str]) -> str:
    """Join label values, skipping one already contained (`Mazda`, `RX-7`, `Mazda RX-7`)."""
    label = ""
    for value in (v.strip() for v in values):
        if value and value.lower() not in label.lower():
            label = f"{label} {value}".strip()
    return label


def parse_json(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """The pretty-printed source as one text section, after checking that it is JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"invalid JSON: {e}") from e
    except RecursionError as e:
        raise ParseError("invalid JSON: nested too deeply") from e
    section = Section(text=text.strip("\n"))
    return ParsedDocument(source=source, file_type="json", title=fallback_title, sections=[section])
