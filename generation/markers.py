"""The [n] citation markers generated text carries, and the text without them (a Weibo post's
published text, a length counted without markers, the copy a polish rewrites)."""

from __future__ import annotations

import re

_MARKS = re.compile(r"\s?(?:\[\d+\])+")


def uncited(text: str) -> str:
    """`text` without its [n] markers (and the space before them): "220 Nm [1]." → "220 Nm."."""
    return _MARKS.sub("", text)
