"""sentence-transformers on torch: the reference encoder.

oneDNN's kernel cache grows with every input shape unless `ONEDNN_PRIMITIVE_CACHE_CAPACITY`
bounds it before torch first runs: the API and the CLI set it (`api/runtime.py`); a program
that embeds with this backend as a library sets it itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class TorchEncoder:
    """sentence-transformers on torch, fp32: the reference the other backends are checked on."""

    def __init__(self, model_dir: Path, device: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model: SentenceTransformer = SentenceTransformer(
            str(model_dir), device=device, local_files_only=True
        )
        self.dimension = int(self.model.get_embedding_dimension() or 0)

    def encode(
        self, texts: list[str], batch_size: int, *, query: bool = False
    ) -> NDArray[np.float32]:
        """`query` changes nothing: the sentence-transformers models used here are symmetric."""
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
