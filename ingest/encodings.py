"""Offline tiktoken encodings.

Stock tiktoken downloads its BPE files on first use, which fails on a machine without
internet. `make install` runs `python -m ingest.encodings` once, which copies the encodings
that ship inside installed wheels into a cache directory; `get_encoding` points tiktoken at
that cache (``TIKTOKEN_CACHE_DIR``) and refuses clearly when an encoding is missing.

Sources: llama-index-core ships cl100k_base and o200k_base in `_static/tiktoken_cache`
(already named by tiktoken's cache key: the sha1 of the download URL). r50k_base (GPT-3's
encoding) ships in no installed wheel; it is byte-identical to `whisper/assets/gpt2.tiktoken`
in the PyPI sdist of `openai-whisper`, so `python -m ingest.encodings` fetches that sdist once
with pip (`--no-deps`: none of its heavy dependencies), takes the one file out, checks the
sha256 tiktoken expects, and stores it under tiktoken's cache key.
"""

from __future__ import annotations

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
    os.environ["TIKTOKEN_CACHE_DIR"] = str(directory)
    return tiktoken.get_encoding(name)


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
