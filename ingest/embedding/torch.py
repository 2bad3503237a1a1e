"""sentence-transformers on torch: the reference encoder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class TorchEncoder:
    """sentence-transformers on torch, fp32: the reference the other backends are checked on."""

    def __init__(self, model_dir: Path, device: str) -> None:
        # oneDNN caches a compiled kernel, with its scratch memory, for every input shape it
        # meets (1,024 by default); chunk batches come in many lengths, so the cache alone
        # grew a cold ingest by ~130 MB. A few entries keep the speed and drop the growth.
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "4")
        from sentence_transformers import SentenceTransformer

        self.model: SentenceTransformer = SentenceTransformer(str(model_dir), device=device)
        self.dimension = int(self.model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str], batch_size: int) -> NDArray[np.float32]:
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
