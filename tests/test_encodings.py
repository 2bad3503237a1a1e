"""Offline tiktoken encodings: built from the install-time cache, without the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tiktoken
from tiktoken_ext import openai_public

from ingest.encodings import ENCODING_URLS, EncodingUnavailable, cache_dir, get_encoding

TEXT = "Aurora X5: 1,498 cc, 130 kW @ 5,500 rpm; 轴距 2,850 mm.\r\n\n  It's <|endoftext|> 'LL"


@pytest.mark.parametrize("name", sorted(ENCODING_URLS))
def test_each_encoding_is_the_one_tiktoken_builds(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = get_encoding(name)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache_dir()))  # tiktoken's own way in
    theirs = tiktoken.Encoding(**openai_public.ENCODING_CONSTRUCTORS[name]())
    assert ours._pat_str == theirs._pat_str
    assert ours._special_tokens == theirs._special_tokens
    assert ours._mergeable_ranks == theirs._mergeable_ranks
    assert ours.n_vocab == theirs.n_vocab
    assert ours.encode(TEXT, allowed_special="all") == theirs.encode(TEXT, allowed_special="all")


def test_loading_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `get_encoding` set TIKTOKEN_CACHE_DIR for the whole process."""
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)  # the cache: <venv>/share/tiktoken
    get_encoding.cache_clear()
    try:
        assert get_encoding("r50k_base").encode("算法") == [163, 106, 245, 37345, 243]
        assert "TIKTOKEN_CACHE_DIR" not in os.environ
    finally:
        get_encoding.cache_clear()


def test_a_missing_encoding_names_the_cache_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    get_encoding.cache_clear()
    try:
        with pytest.raises(EncodingUnavailable, match=r"not in the offline cache .*make install"):
            get_encoding("cl100k_base")
    finally:
        get_encoding.cache_clear()
