"""The environment a specrag process gives the libraries it runs: set by the entry points only.

`create_app` and the CLI group call `configure_environment` before anything loads a model;
nothing below `api/` writes the environment. Each variable is set only when unset, so the
caller's environment wins. A program that uses the lower layers as a library sets what it
needs itself: the code passes the same intent where a library takes it as an argument
(`local_files_only=True`, Chroma's `anonymized_telemetry=False`).
"""

from __future__ import annotations

import os

from ingest.embedding.model import Backend

OFFLINE = {
    # Models are packaged or in the local cache: no model hub at run time.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    # chromadb's product telemetry.
    "ANONYMIZED_TELEMETRY": "False",
    # The tokenizers' thread pool and the forked parse workers do not mix.
    "TOKENIZERS_PARALLELISM": "false",
}

# oneDNN caches a compiled kernel, with its scratch memory, for every input shape it meets
# (1,024 by default); chunk batches come in many lengths, so the cache alone grew a cold
# ingest on the torch backend by ~130 MB. A few entries keep the speed and drop the growth.
# Read when torch first runs oneDNN, so it is set before the model loads.
TORCH = {"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "4"}


def configure_environment(embed_backend: Backend) -> None:
    """Set, where unset, what this process's libraries read from the environment."""
    wanted = {**OFFLINE, **(TORCH if embed_backend == "torch" else {})}
    for name, value in wanted.items():
        os.environ.setdefault(name, value)
