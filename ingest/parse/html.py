"""HTML inside Markdown reduced to text: tags out, entities decoded, tables kept as rows.

Only real HTML element names count as tags: `<Engine Fault Diagnosis>` (a screen name in a
service manual) or `<model>` stay as written, the way a reader would want them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

HTML_TAGS = frozenset(
    "a abbr address area article aside audio b base bdi bdo big blockquote body br button "
    "canvas caption center cite code col colgroup data dd del details dfn dialog div dl dt em "
    "embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i "
    "iframe img input ins kbd label legend li link main map mark meta nav nobr noscript object "
    "ol optgroup option output p param picture pre q rp rt ruby s samp script section select "
    "small source span strike strong style sub summary sup svg table tbody td template textarea "
    "tfoot th thead time title tr track tt u ul var video wbr".split()
)
PARAGRAPH_TAGS = frozenset(
    "address article aside blockquote center details dialog div dl fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section table ul".split()
)
LINE_TAGS = frozenset("br li dt dd tr caption".split())
DROPPED_TAGS = frozenset("script style template svg".split())  # their content is not text

_TAG = re.compile(r"<!--.*?-->|</?([A-Za-z][A-Za-z0-9-]*)\b[^<>]*>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace; a no-break space is content


@dataclass(frozen=True, slots=True)
class HtmlBlock:
    """A run of text, or a table as Markdown-style rows (`table_header`: header + `|---|`)."""

    text: str
    is_table: bool = False
    table_header: str | None = None


def unescape_entities(text: str, *, masked: str | None = None) -> str:
    """Decode `&amp;`, `&#233;`… Only terminated entities: `?a=1&not=2` in a URL stays.

    `masked` is `text` with the spans to leave alone (Markdown code) blanked out.
    """
    haystack = text if masked is None else masked
    out: list[str] = []
    cursor = 0
    for match in _ENTITY.finditer(haystack):
        out += [text[cursor : match.start()], html.unescape(match.group(0))]
        cursor = match.end()
    return "".join(out) + text[cursor:]


def reduce_html(source: str) -> list[HtmlBlock]:
    """A top-level HTML block to text blocks and table blocks, in document order."""
    parser = _Reducer()
    parser.feed(source)
    parser.close()
    parser.flush_text()
    if parser.table_depth:
        parser.flush_table()
    return parser.blocks


def strip_tags(
    source: str, tags: list[str], *, in_table: bool = False, masked: str | None = None
) -> str:
    """Cut the given raw tags (as Markdown's parser found them, in order) out of `source`.

    Block-level tags become line breaks (a space inside a table row, whose line must stay
    whole); text inside `<script>`/`<style>` goes too. Tags are looked for in `masked`
    (`source` with code spans blanked out) so that a `<b>` quoted as code stays.
    """
    haystack = source if masked is None else masked
    out: list[str] = []
    cursor, dropping = 0, 0
    for tag in tags:
        at = haystack.find(tag, cursor)
        if at < 0:
            continue
        if not dropping:
            out.append(source[cursor:at])
        cursor = at + len(tag)
        match = _TAG.fullmatch(tag.strip())
        name = (match.group(1) or "").lower() if match else ""
        if match and match.group(1) and name not in HTML_TAGS:
            out.append(tag if not dropping else "")  # not HTML: keep it as text
        elif name in DROPPED_TAGS:
            dropping = max(0, dropping + (-1 if tag.startswith("</") else 1))
        elif not dropping and name in PARAGRAPH_TAGS | LINE_TAGS:
            out.append(" " if in_table else "\n")
    if not dropping:
        out.append(source[cursor:])
    return "".join(out)


def tags_in(source: str) -> list[str]:
    """Raw tags and comments in an HTML fragment, in order."""
    return [m.group(0) for m in _TAG.finditer(source)]


class _Reducer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[HtmlBlock] = []
        self.table_depth = 0
        self._text: list[str] = []
        self._dropping = 0
        self._rows: list[tuple[bool, list[str]]] = []  # (all cells are <th>, cells)
        self._row: list[str] | None = None
        self._row_is_header = True
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.handle_data(self.get_starttag_text() or "")
        elif tag in DROPPED_TAGS:
            self._dropping += 1
        elif tag == "table":
            self.table_depth += 1
            if self.table_depth == 1:
                self.flush_text()
                self._rows = []
        elif self.table_depth == 1 and tag == "tr":
            self._end_row()
            self._row, self._row_is_header = [], True
        elif self.table_depth == 1 and tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row, self._row_is_header = [], True
            self._cell = []
            self._row_is_header &= tag == "th"
        else:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in HTML_TAGS:
            self.handle_data(f"</{tag}>")
        elif tag in DROPPED_TAGS:
            self._dropping = max(0, self._dropping - 1)
        elif tag == "table" and self.table_depth:
            if self.table_depth == 1:
                self.flush_table()
            self.table_depth -= 1
        elif self.table_depth == 1 and tag == "tr":
            self._end_row()
        elif self.table_depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif tag != "br":  # `</br>` is not a second break
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        data = _SPACE.sub(" ", data)
        if self._cell is not None:
            self._cell.append(data)
        elif self.table_depth:
            if data.strip():  # stray text between cells: a cell of its own
                self._row = self._row if self._row is not None else []
                self._row.append(data.strip())
        else:
            self._text.append(data)

    def _break(self, tag: str) -> None:
        if self.table_depth:  # inside a row (or a nested table): keep the row on one line
            if tag in PARAGRAPH_TAGS or tag in LINE_TAGS or tag in ("td", "th"):
                self.handle_data(" ")
        elif tag in PARAGRAPH_TAGS:
            self._text.append("\n\n")
        elif tag in LINE_TAGS:
            self._text.append("\n")

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and any(self._row):
            self._rows.append((self._row_is_header, self._row))
        self._row = None

    def flush_text(self) -> None:
        lines = [line.strip(" ") for line in "".join(self._text).split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        if text:
            self.blocks.append(HtmlBlock(text))
        self._text = []

    def flush_table(self) -> None:
        self._end_row()
        rows = self._rows
        heads = 0
        while heads < len(rows) and rows[heads][0]:
            heads += 1
        if heads == len(rows):  # a table of <th> only: the rows are its content
            heads = 0
        lines = [
            "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for _, cells in rows
        ]
        header = None
        if heads:
            separator = "|" + "---|" * max(len(cells) for _, cells in rows[:heads])
            lines.insert(heads, separator)
            header = "\n".join(lines[: heads + 1])
        if lines:
            self.blocks.append(HtmlBlock("\n".join(lines), is_table=True, table_header=header))
        self._rows = []
