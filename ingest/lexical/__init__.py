"""The lexical (BM25) index that ingest derives from Chroma: its on-disk format and its writer."""
