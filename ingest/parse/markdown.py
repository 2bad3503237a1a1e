"""Markdown files: sections cut from the source lines along the heading tree.

markdown-it-py finds the block structure (its `map` gives each block's source lines); the
text stored is the original Markdown of those lines, so quotes such as
`**3,500 kg (7,716 pounds)** braked towing capacity` or a whole table row stay findable.
HTML is reduced to text, YAML front matter is dropped and its `title` kept.
"""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.document import ParsedDocument, Section
from ingest.errors import ParseError
from ingest.parse.html import (
    HTML_TAGS,
    reduce_html,
    strip_tags,
    tags_in,
    unescape_entities,
)

_MD = MarkdownIt("commonmark").enable("table")
_FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]{0,40}):\s*(?P<value>.*?)\s*$")
_PAGE_TITLE = re.compile(r"\{\{\s*page\.title\s*\}\}")  # Jekyll's template for the title
_CODE_BLOCKS = frozenset({"fence", "code_block"})
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def parse_markdown(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Sections per heading (`heading_path` from H1 down), tables apart, HTML reduced."""
    lines = text.split("\n")
    front, body_start = _front_matter(lines)
    front_title = front.get("title")
    lines = [""] * body_start + lines[body_start:]  # blank, so token maps still index `lines`
    if not any(line.strip() for line in lines):
        raise ParseError("empty file" if not body_start else "nothing after the front matter")
    builder = _Builder(lines, page_title=front_title or fallback_title)
    builder.walk(_MD.parse("\n".join(lines)))
    if not builder.sections:
        raise ParseError("no text in the Markdown (only headings, images or markup)")
    title = front_title or builder.first_h1 or fallback_title
    return ParsedDocument(
        source=source, file_type="md", title=title, sections=builder.sections, metadata=front
    )


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """(its scalar `key: value` pairs, index of the first body line) for a `---` … `---`
    block at the top; lists and nested values are left out."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or lines[start].rstrip() != "---":
        return {}, 0
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            found: dict[str, str] = {}
            for line in lines[start + 1 : end]:
                match = _FRONT_MATTER_LINE.match(line)
                value = _yaml_scalar(match.group("value")) if match else ""
                if match and value:
                    found.setdefault(match.group("key").lower(), value)
            return found, end + 1
    return {}, 0


def _yaml_scalar(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return str(json.loads(value)).strip()  # YAML's double-quoted escapes are JSON's
        except ValueError:
            return value[1:-1].strip()
    return re.sub(r"\s+#.*$", "", value).strip()


class _Builder:
    """Walks the top-level blocks, collecting text runs between headings and tables."""

    def __init__(self, lines: list[str], *, page_title: str) -> None:
        self.lines = lines
        self.page_title = page_title
        self.sections: list[Section] = []
        self.first_h1: str | None = None
        self._path: list[tuple[int, str]] = []
        self._run: list[tuple[int, int, str]] = []  # (first line, end line, text) per block

    def walk(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = i
            if token.nesting == 1:  # a container: its tokens run to the matching close
                while tokens[end].level != token.level or tokens[end].nesting != -1:
                    end += 1
            if token.level == 0 and token.map is not None:
                self._block(tokens[i : end + 1])
            i = end + 1
        self._flush()

    def _block(self, tokens: list[Token]) -> None:
        first = tokens[0]
        assert first.map is not None
        start, end = first.map
        while end > start + 1 and not self.lines[end - 1].strip():
            end -= 1  # a list's map takes in the blank line after it: that line parts blocks
        if first.type == "heading_open":
            self._flush()
            self._heading(int(first.tag[1:]), tokens[1])
        elif first.type == "table_open":
            self._flush()
            self._table(self._source(start, end, tokens, in_table=True))
        elif first.type == "html_block":
            for block in reduce_html(first.content):
                if block.is_table:
                    self._flush()
                    self._table(block.text, header=block.table_header)
                else:
                    self._run.append((start, end, block.text))
        elif first.type == "hr" or (first.type == "paragraph_open" and _only_images(tokens[1])):
            return  # a rule or a picture with no text: nothing to read
        else:
            self._run.append((start, end, self._source(start, end, tokens)))

    def _source(self, start: int, end: int, tokens: list[Token], *, in_table: bool = False) -> str:
        """The block's own lines, with any HTML in it reduced."""
        text = "\n".join(self.lines[start:end]).rstrip()
        if tokens[0].type in _CODE_BLOCKS:
            return text
        tags = []
        for token in tokens:
            if token.type == "html_block":
                tags.extend(tags_in(token.content))
            tags.extend(c.content for c in token.children or [] if c.type == "html_inline")
        if tags:
            text = strip_tags(text, tags, in_table=in_table, masked=_mask_code(text))
        return unescape_entities(text, masked=_mask_code(text))

    def _heading(self, level: int, inline: Token) -> None:
        text = _PAGE_TITLE.sub(lambda _: self.page_title, _inline_text(inline)).strip()
        self._path = [(lv, h) for lv, h in self._path if lv < level]
        if text:
            self._path.append((level, text))
            if level == 1 and self.first_h1 is None:
                self.first_h1 = text

    def _table(self, text: str, *, header: str | None = None) -> None:
        rows = [row for row in text.split("\n") if row.strip()]
        if header is None and len(rows) >= 2:
            header = "\n".join(rows[:2])  # the header row and its `|---|` line
        path = tuple(h for _, h in self._path)
        self.sections.append(Section("\n".join(rows), path, kind="table", table_header=header))

    def _flush(self) -> None:
        parts: list[str] = []
        previous_end: int | None = None
        for start, end, text in self._run:
            if previous_end is not None:
                parts.append("\n" if start == previous_end else "\n\n")
            parts.append(text)
            previous_end = end
        self._run = []
        body = "".join(parts).strip("\n")
        if body.strip():
            self.sections.append(Section(body, tuple(h for _, h in self._path)))


def _inline_text(inline: Token) -> str:
    """A heading's plain text: markup, links and images out, code and entities in."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            name = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)", child.content)
            if not name or name.group(1).lower() not in HTML_TAGS:
                parts.append(child.content)
    return " ".join("".join(parts).split())


def _mask_code(text: str) -> str:
    """`text` with its code spans blanked (same length), so HTML and entities in them stay."""
    return _CODE_SPAN.sub(lambda m: "\x00" * len(m.group(0)), text)


def _only_images(inline: Token) -> bool:
    children = inline.children or []
    has_image = any(c.type == "image" for c in children)
    rest = (c for c in children if c.type not in ("image", "link_open", "link_close", "softbreak"))
    return has_image and all(c.type == "text" and not c.content.strip() for c in rest)
