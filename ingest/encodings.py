"""Offline tiktoken encodings.

Stock tiktoken downloads its BPE files on first use, which fails on a machine without
internet. `make install` runs `python -m ingest.encodings` once, which copies the encodings
that ship inside installed wheels into a cache directory (``TIKTOKEN_CACHE_DIR``, else
`<venv>/share/tiktoken`); `get_encoding` builds each encoding from its file there, as
tiktoken's own constructor would from the download, and refuses clearly when one is missing.
Nothing here writes the environment: tiktoken itself only finds a cache through it.

Sources: llama-index-core ships cl100k_base and o200k_base in `_static/tiktoken_cache`
(already named by tiktoken's cache key: the sha1 of the download URL). r50k_base (GPT-3's
encoding) ships in no installed wheel; it is byte-identical to `whisper/assets/gpt2.tiktoken`
in the PyPI sdist of `openai-whisper`, so `python -m ingest.encodings` fetches that sdist once
with pip (`--no-deps`: none of its heavy dependencies), takes the one file out, checks the
sha256 tiktoken expects, and stores it under tiktoken's cache key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from functools import cache
from pathlib import Path

import tiktoken
from tiktoken_ext.openai_public import (
    ENDOFPROMPT,
    ENDOFTEXT,
    FIM_MIDDLE,
    FIM_PREFIX,
    FIM_SUFFIX,
    r50k_pat_str,
)

from ingest.errors import EncodingUnavailable

ENCODING_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "r50k_base": "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
}


# The sha256 tiktoken checks each file against (tiktoken_ext/openai_public.py).
EXPECTED_SHA256 = {
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
}
# tiktoken's own constructors (tiktoken_ext/openai_public.py, tiktoken 0.14) read each file
# from its URL or from a cache they find through the environment only; `get_encoding` builds
# the same encodings from the files in our cache with their other arguments, copied here
# (tests/test_encodings.py checks that both give the same encoding).
PATTERNS = {
    "r50k_base": r50k_pat_str,
    "cl100k_base": (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"""
        r"""| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
    ),
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"""
            r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"""
            r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}
SPECIAL_TOKENS = {
    "r50k_base": {ENDOFTEXT: 50256},
    "cl100k_base": {
        ENDOFTEXT: 100257,
        FIM_PREFIX: 100258,
        FIM_MIDDLE: 100259,
        FIM_SUFFIX: 100260,
        ENDOFPROMPT: 100276,
    },
    "o200k_base": {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
}
N_VOCAB = {"r50k_base": 50257}
WHISPER_SDIST = "openai-whisper==20250625"
WHISPER_MEMBER = "whisper/assets/gpt2.tiktoken"


def default_cache_dir() -> Path:
    return Path(sys.prefix) / "share" / "tiktoken"


def cache_dir() -> Path:
    return Path(os.environ.get("TIKTOKEN_CACHE_DIR") or default_cache_dir())


def cache_key(name: str) -> str:
    return hashlib.sha1(ENCODING_URLS[name].encode()).hexdigest()


@cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding `name`, loaded from the offline cache only."""
    if name not in ENCODING_URLS:
        raise EncodingUnavailable(
            f"unknown encoding {name!r}; available: {', '.join(sorted(ENCODING_URLS))}"
        )
    directory = cache_dir()
    if not (directory / cache_key(name)).is_file():
        raise EncodingUnavailable(
            f"tiktoken encoding {name!r} is not in the offline cache {directory}; "
            "run `make install` (or `python -m ingest.encodings`) to fill it"
        )
    return tiktoken.Encoding(
        name,
        pat_str=PATTERNS[name],
        mergeable_ranks=read_ranks(directory / cache_key(name)),
        special_tokens=SPECIAL_TOKENS[name],
        explicit_n_vocab=N_VOCAB.get(name),
    )


def read_ranks(path: Path) -> dict[bytes, int]:
    """A `.tiktoken` BPE file: one base64 token and its rank a line."""
    ranks: dict[bytes, int] = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _bundled_files() -> dict[str, Path]:
    """Encoding name → a BPE file shipped inside an installed wheel."""
    found: dict[str, Path] = {}
    try:
        import llama_index.core

        static = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
        for name in ("cl100k_base", "o200k_base"):
            if (static / cache_key(name)).is_file():
                found[name] = static / cache_key(name)
    except ImportError:
        pass
    return found


def fetch_r50k(target: Path) -> Path:
    """r50k_base from the `openai-whisper` sdist (pip, no dependencies) into the cache `target`."""
    dest = target / cache_key("r50k_base")
    with tempfile.TemporaryDirectory(prefix="specrag-r50k-") as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--dest",
                tmp,
                WHISPER_SDIST,
            ],
            check=True,
        )
        sdist = next(Path(tmp).glob("openai_whisper-*.tar.gz"))
        with tarfile.open(sdist) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith(WHISPER_MEMBER))
            extracted = archive.extractfile(member)
            if extracted is None:
                raise EncodingUnavailable(f"{WHISPER_MEMBER} in {sdist.name} is not a file")
            data = extracted.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != EXPECTED_SHA256["r50k_base"]:
        raise EncodingUnavailable(
            f"{WHISPER_SDIST}:{WHISPER_MEMBER} has sha256 {digest}, "
            f"not the r50k_base tiktoken expects ({EXPECTED_SHA256['r50k_base']})"
        )
    partial = dest.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(dest)
    return dest


def install_cache(target: Path | None = None) -> list[str]:
    """Copy every bundled encoding into the cache; return the names now available."""
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name, source in _bundled_files().items():
        dest = target / cache_key(name)
        if not dest.is_file():
            shutil.copyfile(source, dest)
    return [name for name in ENCODING_URLS if (target / cache_key(name)).is_file()]


if __name__ == "__main__":
    if not (cache_dir() / cache_key("r50k_base")).is_file():
        cache_dir().mkdir(parents=True, exist_ok=True)
        fetch_r50k(cache_dir())
    names = install_cache()
    sys.stdout.write(f"tiktoken cache {cache_dir()}: {', '.join(names)}\n")
