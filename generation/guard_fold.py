"""The sensitive-word guard's matching form: a text folded to how its words read, not how they
are written, with every folded character remembering the original span it came from.

Text and list words go through the same fold, so each step only has to be consistent:
- markup: HTML tags and comments are invisible ("最<b></b>好"), entities read as their
  character ("&#26368;好"), the span of a hit still covers them;
- each character as `generation.guard_chars` reads it (width, case, accents, traditional
  Chinese, digit forms, confusable letters), separators dropped ("最 好", "f.i.r.s.t");
- leetspeak, only inside a Latin word: 0 o, 1 i, 3 e, 4 a, 5 s, 7 t, @ a, $ s, ! i, | i when the
  word has a letter before and after it, or begins with it and has two letters after, or ends
  with a symbol after two letters ("b3st", "0ne", "cla$$"; "120 PS", "X5", "No1" and "4x4" keep
  their digits); "1st" reads "first" and "#1" reads "no1".
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from generation.guard_chars import (
    HASH,
    LATIN,
    LEET,
    LEET_LETTERS,
    SEP,
    load_tables,
    read_char,
)

_ORDINALS = {"1st": "first"}
_MARKUP = re.compile(
    r"(?P<tag><!--[^<>]{0,2000}?-->|</?[A-Za-z][A-Za-z0-9:-]{0,40}(?:\s[^<>]{0,500})?/?>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)",
    re.DOTALL,
)  # bounded and stopped by the next < or >, so no input makes it slow
_Item = tuple[int, str, int, int]  # kind, value, original start, original end
# The fast path's one-character reading of a character: what it folds to, or these.
_DROP, _COMPLEX, _INVISIBLE = "\x00", "\x01", "\x02"
_CANDIDATE = re.compile(r"[013457@$!|#]")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$!|#" + _INVISIBLE)
_KEPT = re.compile("[^\x00\x02]+")
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # str.splitlines's
_LINE_END = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_COMPLEX_CHAR = re.compile(_COMPLEX)


@dataclass(frozen=True)
class Folded:
    """A text's matching form; character i of `text` came from `original[starts[i]:ends[i]]`."""

    text: str
    starts: list[int]
    ends: list[int]
    hidden: bytearray  # 1 for each original character inside a markup tag
    entities: dict[int, int]  # each character entity's start → its end


def _resolve_word(word: list[_Item]) -> list[_Item]:
    """The items of one Latin word (a run of ASCII letters, digits and leet candidates)."""
    raw = "".join(value for _, value, _, _ in word)
    if raw.lower() in _ORDINALS:
        start, end = word[0][2], word[-1][3]
        return [(LATIN, c, start, end) for c in _ORDINALS[raw.lower()]]
    letters = [i for i, item in enumerate(word) if item[0] == LATIN and item[1].isalpha()]
    out: list[_Item] = []
    for i, (kind, value, start, end) in enumerate(word):
        if kind == LATIN:
            out.append((kind, value, start, end))
        elif kind == HASH:
            if i + 1 < len(word) and word[i + 1][1].isdigit():
                out += [(LATIN, "n", start, end), (LATIN, "o", start, end)]
        elif letters and (
            letters[0] < i < letters[-1]
            or (i < letters[0] and len(letters) >= 2)  # "0ne"
            or (i > letters[-1] and len(letters) >= 2 and not value.isdigit())  # "cla$$", not "No1"
        ):
            out.append((LATIN, LEET_LETTERS[value], start, end))
        elif value.isdigit():
            out.append((LATIN, value, start, end))
    return out


def _resolve(items: list[_Item], pending: list[int]) -> list[_Item]:
    """The second pass: each Latin word holding a leet candidate decides it; separators go."""
    out: list[_Item] = []
    done = 0  # items before this index are in `out`
    for index in pending:
        if index < done:
            continue  # its word is resolved already
        first = index
        while first > 0 and items[first - 1][0] >= LATIN:
            first -= 1
        last = index + 1
        while last < len(items) and items[last][0] >= LATIN:
            last += 1
        out += items[done:first]
        out += _resolve_word(items[first:last])
        done = last
    out += items[done:]
    return out


def _visible_text(flat: str) -> str:
    return flat.replace(_DROP, "").replace(_INVISIBLE, "")


_LETTER = re.compile("[a-z]")
_HASH_DIGIT = re.compile("#\x02*[0-9]")
_UNREAD_SYMBOLS = str.maketrans(dict.fromkeys("@$!|#", _DROP))


def _fast_word(flat: str, first: int, last: int) -> str | list[_Item]:
    """A Latin word of the fast path resolved: in place (a string of the same length) or, when
    it changes length ("#1" → "no1", "1st" → "first"), as items."""
    text = flat[first:last]
    if _LETTER.search(text) is None and _HASH_DIGIT.search(text) is None:  # a number
        return text.translate(_UNREAD_SYMBOLS)
    word: list[_Item] = []
    for i, c in enumerate(text, first):
        if c != _INVISIBLE:
            kind = HASH if c == "#" else LEET if c in LEET_LETTERS else LATIN
            word.append((kind, c, i, i + 1))
    resolved = _resolve_word(word)
    values = {start: value for _, value, start, _ in resolved}
    if len(values) != len(resolved):
        return resolved
    return "".join(
        c if c == _INVISIBLE else values.get(i, _DROP) for i, c in enumerate(text, first)
    )


class _Table(dict[int, str]):
    """`str.translate`'s table: a character's code → its one-character fold, built on demand."""

    def __init__(self, items: Callable[[str], tuple[tuple[int, str], ...]]) -> None:
        super().__init__()
        self._items = items

    def __missing__(self, code: int) -> str:
        found = self._items(chr(code))
        if not found:
            value = _INVISIBLE
        elif all(kind == SEP for kind, _ in found):
            value = _DROP  # "…" is three separators: the same as one
        elif len(found) > 1:
            value = _COMPLEX
        elif found[0][0] == SEP:
            value = _DROP
        else:
            kind, value = found[0]
            # The fast path reads a kind from the character: it must be this one.
            read = HASH if value == "#" else LEET if value in LEET_LETTERS else kind
            if read != kind or len(value) != 1:
                value = _COMPLEX
        self[code] = value
        return value


class Folder:
    """Folds texts to their matching form. Build once; `fold` is safe from many threads."""

    def __init__(self) -> None:
        load_tables()
        self._cache: dict[str, tuple[tuple[int, str], ...]] = {}
        self._table = _Table(self.items)

    def items(self, char: str) -> tuple[tuple[int, str], ...]:
        found = self._cache.get(char)
        if found is None:
            found = self._cache[char] = read_char(char)
        return found

    def fold(self, text: str) -> Folded:
        """The matching form of `text`."""
        markup = list(_MARKUP.finditer(text)) if "<" in text or "&" in text else []
        if not markup:
            folded = self._fold_fast(text)
            if folded is not None:
                return folded
        if any(_LINE_BREAK.search(m.group()) for m in markup):
            return self._fold_items(text)  # a tag over two lines: the text is one piece
        # In pieces: a line break is a separator, so no word and no markup spans two lines.
        # The lines holding markup or a character that folds to several ("№", "ﬁ") go item
        # by item, the runs of lines between them through the fast path.
        breaks = [0, *(m.end() for m in _LINE_END.finditer(text)), len(text)]
        slow = {m.start() for m in markup}
        slow.update(m.start() for m in _COMPLEX_CHAR.finditer(text.translate(self._table)))
        pieces: list[tuple[int, int, bool]] = []  # start, end, item by item
        position = 0
        for line in sorted({bisect.bisect_right(breaks, i) - 1 for i in slow}):
            first, last = breaks[line], breaks[line + 1]
            if position < first:
                pieces.append((position, first, False))
            pieces.append((first, last, True))
            position = last
        if position < len(text):
            pieces.append((position, len(text), False))
        return self._joined(text, pieces)

    def _joined(self, text: str, pieces: list[tuple[int, int, bool]]) -> Folded:
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        hidden = bytearray()
        entities: dict[int, int] = {}
        for first, last, slow in pieces:
            piece = text[first:last]
            part = (None if slow else self._fold_fast(piece)) or self._fold_items(piece)
            chars.append(part.text)
            starts += [i + first for i in part.starts]
            ends += [i + first for i in part.ends]
            hidden += part.hidden
            entities.update({start + first: end + first for start, end in part.entities.items()})
        return Folded("".join(chars), starts, ends, hidden, entities)

    def _fold_fast(self, text: str) -> Folded | None:
        """`_fold_items`'s result through `str.translate`, for a text without markup whose
        characters each fold to at most one character (or only separators); else None."""
        flat = text.translate(self._table)
        if _COMPLEX in flat:
            return None
        pieces: list[str] = []
        patches: list[tuple[int, list[_Item]]] = []  # words that change length ("1st")
        done = 0
        for match in _CANDIDATE.finditer(flat):
            first = match.start()
            if first < done:
                continue  # in a word resolved already
            while first > 0 and flat[first - 1] in _WORD_CHARS:
                first -= 1
            last = match.end()
            while last < len(flat) and flat[last] in _WORD_CHARS:
                last += 1
            word = _fast_word(flat, first, last)
            if isinstance(word, str):
                pieces += [flat[done:first], word]
            else:
                pieces += [flat[done:first], _COMPLEX * (last - first)]
                patches.append((first, word))
            done = last
        if pieces:
            flat = "".join([*pieces, flat[done:]])
        if not patches:
            starts = [i for run in _KEPT.finditer(flat) for i in range(*run.span())]
            ends = [i + 1 for i in starts]
            return Folded(_visible_text(flat), starts, ends, bytearray(len(text)), {})
        chars: list[str] = []
        starts, ends = [], []
        position = 0
        for first, items in [*patches, (len(flat), [])]:
            plain = [i for run in _KEPT.finditer(flat, position, first) for i in range(*run.span())]
            chars.append(_visible_text(flat[position:first]))
            starts += plain
            ends += [i + 1 for i in plain]
            chars += [value for _, value, _, _ in items]
            starts += [start for _, _, start, _ in items]
            ends += [end for _, _, _, end in items]
            position = first
            while position < len(flat) and flat[position] == _COMPLEX:
                position += 1
        return Folded("".join(chars), starts, ends, bytearray(len(text)), {})

    def _fold_items(self, text: str) -> Folded:
        """The reference fold: item by item, markup and expanding characters included."""
        hidden = bytearray(len(text))
        entities: dict[int, int] = {}
        items: list[_Item] = []
        position = 0
        for match in _MARKUP.finditer(text):
            self._plain(text, position, match.start(), items)
            start, end = match.span()
            decoded = html.unescape(match.group()) if match.lastgroup == "entity" else ""
            if match.lastgroup == "tag":
                hidden[start:end] = b"\x01" * (end - start)
            elif decoded == match.group():  # an unknown entity name: plain text after all
                self._plain(text, start, end, items)
            else:
                entities[start] = end
                items += [(k, v, start, end) for c in decoded for k, v in self.items(c)]
            position = end
        self._plain(text, position, len(text), items)
        pending = [i for i, item in enumerate(items) if item[0] >= LEET]
        if pending:
            items = _resolve(items, pending)
        kept = [item for item in items if item[0] != SEP]
        return Folded(
            "".join([item[1] for item in kept]),
            [item[2] for item in kept],
            [item[3] for item in kept],
            hidden,
            entities,
        )

    def _plain(self, text: str, first: int, last: int, items: list[_Item]) -> None:
        cache, append = self._cache, items.append
        for index in range(first, last):
            char = text[index]
            found = cache.get(char)
            if found is None:
                found = self.items(char)
            for kind, value in found:
                append((kind, value, index, index + 1))

    def is_word_char(self, char: str) -> bool:
        """Whether `char` continues a Latin word or a number (for word boundaries)."""
        return any(
            kind in (LATIN, LEET) and value.isascii() and value.isalnum()
            for kind, value in self.items(char)
        ) or (unicodedata.numeric(char, None) is not None)

    @staticmethod
    def invisible(text: str, index: int, hidden: bytearray) -> bool:
        """A character that shows nothing: inside a tag, a combining mark or a format char."""
        return bool(hidden[index]) or unicodedata.category(text[index]) in ("Mn", "Me", "Cf")
