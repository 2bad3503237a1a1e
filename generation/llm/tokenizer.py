"""The embedded model's own tokenizer: loaded once per model folder (converting the GGUF
first if the install step has not), and the bytes each of its tokens stands for."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from generation.errors import LocalModelMissing
from generation.llm.setup import convert, default_model_dir, gguf_path, is_installed

log = logging.getLogger(__name__)


def ensure_converted(model_dir: Path) -> None:
    if is_installed(model_dir):
        return
    try:
        gguf_path()
    except FileNotFoundError as e:
        raise LocalModelMissing(
            f"the embedded model is not installed in {model_dir} and its GGUF is missing: {e}; "
            "run `make install`"
        ) from e
    log.warning(
        "embedded model not converted yet in %s; converting the GGUF now (once, ~30 s)", model_dir
    )
    convert(model_dir)


@cache
def load_tokenizer(model_dir: Path | None = None) -> Any:
    """The embedded model's own tokenizer (loaded once per directory)."""
    from transformers import AutoTokenizer

    directory = model_dir or default_model_dir()
    ensure_converted(directory)
    return AutoTokenizer.from_pretrained(directory, local_files_only=True)


@cache
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet, reversed: the printable stand-in character → its byte."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


def token_bytes(tokenizer: Any, token_id: int) -> bytes:
    """The bytes a byte-level BPE token stands for (special tokens: their UTF-8 text)."""
    piece: str = tokenizer.convert_ids_to_tokens(token_id)
    decoder = _byte_decoder()
    if token_id in set(tokenizer.all_special_ids) or any(ch not in decoder for ch in piece):
        return piece.encode("utf-8")
    return bytes(decoder[ch] for ch in piece)
