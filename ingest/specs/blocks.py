"""Blocks of `key: value` lines a name line heads, and later lines that name a block again.

An owner's handbook or data sheet gives each engine or version a block: its name alone on a
line, then its lines indented under it ("Hybrid 136 e-DCS6" / "  Maximum power: 100 kW"). The
indentation, not the words of the name, says the name heads those lines: every figure of the
block is that version's. Later lines name a block again, often shortened:

- after the label, behind a comma ("Kerb weight, Hybrid 136: 1574 kg");
- in brackets in a heading over lines of their own ("CHARGING (ELECTRIC 210)").

A name a later line gives is a block's when it is that block's name or its first words, and
the first words of no other block's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.document import Section
from ingest.specs.shapes import Found

_NAME_LINE = re.compile(r"^(?P<name>[A-Za-z][\w.+/-]*(?: [\w.+/-]+){0,5})$")
_INDENTED = re.compile(r"^[ \t]+\S[^:\n]*:[ \t]*\S", re.MULTILINE)
_BRACKET = re.compile(r"\(([^()\n]{2,40})\)\s*$")
_KV_LINE = re.compile(r"^[ \t]*[A-Za-z][^:\n]{0,60}:[ \t]*\S")
_LABEL_QUALIFIER = re.compile(r"[ \t]*[^:,\n]{2,60},[ \t]*(?P<name>[^:,\n]{2,40}?)[ \t]*:")


@dataclass(slots=True)
class Blocks:
    """The block names a document declared so far, and the blocks of the current section."""

    names: list[str] = field(default_factory=list)
    current: str | None = None  # the block a whole record section is in
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # blocks inside a section
    _pending: str | None = None  # the name line that ended the last section

    def enter(self, section: Section) -> None:
        """Moves to `section`: an indented record under a name line is that name's block; a
        heading naming a block in brackets makes the lines under it that block's; inside a
        text section, the same read line by line."""
        text = section.text
        self.spans = []
        if section.kind == "record":
            indented = _INDENTED.match(text) is not None
            self.current = self._pending if indented else self.current
            if self.current and indented and self.current not in self.names:
                self.names.append(self.current)
            self._pending = None
            return
        self.current = None
        self._inside(text)
        last = text.rstrip().rsplit("\n", 1)[-1]
        m = _NAME_LINE.match(last)
        self._pending = m.group("name") if m and _has_designation(m.group("name")) else None
        bracket = _BRACKET.search(last)
        if bracket is not None:
            self.current = self.named(bracket.group(1))

    def _inside(self, text: str) -> None:
        """The blocks of one section's lines: indented `key: value` lines under a name line,
        or lines under a heading that names a block in brackets, up to a line of neither."""
        name: str | None = None
        start = pos = 0
        indented_only = True
        for line in text.split("\n"):
            kv = _KV_LINE.match(line) is not None
            ends = line.strip() and (not kv or indented_only and not line[:1].isspace())
            if name is not None and ends:
                self._close(text, start, pos, name)
                name = None
            if name is None and line.strip() and not kv:
                m = _NAME_LINE.match(line)
                bracket = _BRACKET.search(line)
                if m and _has_designation(m.group("name")):
                    name, indented_only = m.group("name"), True
                elif bracket is not None and (named := self.named(bracket.group(1))):
                    name, indented_only = named, False
                start = pos
            pos += len(line) + 1
        if name is not None:  # the text's end closes the last block
            self._close(text, start, pos, name)

    def _close(self, text: str, start: int, end: int, name: str) -> None:
        """A block that holds `key: value` lines under its name line; its name is declared."""
        if any(_KV_LINE.match(line) for line in text[start:end].split("\n")[1:]):
            self.spans.append((start, end, name))
            if name not in self.names:
                self.names.append(name)

    def named(self, written: str) -> str | None:
        """The block whose name `written` is, whole or its first words, in any case."""
        words = written.casefold().split()
        if not words:
            return None
        found = [n for n in self.names if n.casefold().split()[: len(words)] == words]
        return found[0] if len(found) == 1 else None

    def variant(self, text: str, found: Found) -> Found:
        """`found` of no variant in a block, or on a line whose label names a block after a
        comma, as that block's."""
        if found.variant is not None:
            return found
        line_start = text.rfind("\n", 0, found.start) + 1
        m = _LABEL_QUALIFIER.match(text, line_start)
        name = self.named(m.group("name")) if m else None
        inside = [n for a, b, n in self.spans if a <= found.start < b]
        name = name or (inside[0] if inside else self.current)
        return replace(found, variant=name) if name else found


def _has_designation(name: str) -> bool:
    """A name line names a version when it holds a figure of its designation ("Hybrid 136",
    "Electric 210", "2.0 TDI"): a plain heading ("Dimensions") names a topic."""
    return any(c.isdigit() for c in name) and not re.match(r"\d+(?:\.\d+)*\s", name)
