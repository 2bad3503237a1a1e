"""BM25 search over the lexical index that ingest writes (see `ingest/lexical.py`).

The index is loaded once (score arrays memory-mapped) and reloaded only when CURRENT names
another generation; a search costs one `stat` to notice that. Filters become a 0/1 weight
mask over every chunk before the top k are taken, so a narrow filter still fills k.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ingest.analysis import TOKENIZER_VERSION, query_tokens
from ingest.lexical.format import (
    CAR_SEPARATOR,
    CURRENT,
    FORMAT_VERSION,
    INT_FIELDS,
    MANIFEST,
    TEXT_FIELDS,
    TEXTS,
    read_current,
)
from retrieval.errors import IndexUnavailable, InvalidFilter

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Snapshot:
    """One loaded generation. Never changed after loading; replaced whole."""

    generation: str | None
    ids: list[str] = field(default_factory=list)
    model: Any = None  # bm25s.BM25, or None when no chunk has a token
    lookup: dict[str, dict[str, int]] = field(default_factory=dict)  # field → value → code
    values: dict[str, list[str]] = field(default_factory=dict)  # field → code → value
    codes: dict[str, NDArray[np.int32]] = field(default_factory=dict)
    ints: dict[str, NDArray[np.int32]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # chunk id → row
    texts: bytes | NDArray[np.uint8] | None = None  # every text, UTF-8, end to end
    offsets: NDArray[np.int64] | None = None  # row i's text is texts[offsets[i]:offsets[i + 1]]
    car_rows: dict[str, NDArray[np.bool_]] = field(default_factory=dict)  # car id → its rows

    @property
    def count(self) -> int:
        return len(self.ids)


def _load(directory: Path, generation: str) -> _Snapshot:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)  # it sets DEBUG on import

    folder = directory / generation
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_VERSION:
        raise IndexUnavailable(
            f"lexical index {folder} was written by another version (format "
            f"{manifest.get('format')}, tokenizer {manifest.get('tokenizer')}); re-run ingest"
        )
    ids: list[str] = json.loads((folder / "ids.json").read_text("utf-8"))
    values: dict[str, list[str]] = manifest["values"]
    model = None
    if not manifest.get("empty") and ids:
        model = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
    texts, offsets = _texts(folder)
    return _Snapshot(
        generation=generation,
        texts=texts,
        offsets=offsets,
        ids=ids,
        model=model,
        values=values,
        lookup={f: {v: i for i, v in enumerate(values[f])} for f in TEXT_FIELDS},
        codes={f: np.load(folder / f"{f}.codes.npy", mmap_mode="r") for f in TEXT_FIELDS},
        ints={f: np.load(folder / f"{f}.npy", mmap_mode="r") for f in INT_FIELDS},
        position={chunk_id: i for i, chunk_id in enumerate(ids)},
    )


def _texts(folder: Path) -> tuple[bytes | NDArray[np.uint8] | None, NDArray[np.int64] | None]:
    """The generation's chunk texts, memory-mapped (None for generations written without)."""
    blob = folder / f"{TEXTS}.bin"
    if not blob.is_file():
        return None, None
    offsets = np.load(folder / f"{TEXTS}.offsets.npy", mmap_mode="r")
    # numpy cannot map an empty file; every text empty is rare but legal.
    texts = np.memmap(blob, dtype=np.uint8, mode="r") if blob.stat().st_size else b""
    return texts, offsets


class Concept(NamedTuple):
    """One idea the query names, in other words: BM25 adds `weight` times the score of the
    best of `terms` in each chunk. `per_token` scores a term by its mean token score, so a
    concept counts about as much as one query word however many tokens its terms have (a
    four-character Chinese term is three bigrams)."""

    weight: float
    terms: tuple[str, ...]
    per_token: bool = False


class LexicalReader:
    """Reads the BM25 index in `directory`; safe to share between threads.

    `dirty_marker` is the file the ingest pipeline creates before it touches Chroma and
    removes once this index is rebuilt (`Pipeline.mark_dirty`). While it is absent the index
    holds what Chroma holds (as of its last rebuild: a reader that checked the marker just
    before an ingest began sees the state before it), and `passages` serves chunk texts and
    citations from it;
    without a marker to check, `passages` serves nothing and callers read Chroma.
    """

    def __init__(self, directory: Path, *, dirty_marker: Path | None = None) -> None:
        self.directory = directory
        self.dirty_marker = dirty_marker
        self._snapshot = _Snapshot(generation=None)
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    @property
    def generation(self) -> str | None:
        return self._current().generation

    @property
    def count(self) -> int:
        """Chunks in the live index (0 before the first ingest)."""
        return self._current().count

    def _current(self) -> _Snapshot:
        """The loaded snapshot, reloaded first if CURRENT was replaced since."""
        try:
            info = os.stat(self.directory / CURRENT)
            stamp: tuple[int, int] | None = (info.st_ino, info.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return self._snapshot
        with self._lock:
            if stamp != self._stamp:
                self._snapshot = self._reload()
                self._stamp = stamp
            return self._snapshot

    def _reload(self) -> _Snapshot:
        for _ in range(3):  # a rebuild may prune the generation we just read the name of
            generation = read_current(self.directory)
            if generation is None:
                return _Snapshot(generation=None)
            if generation == self._snapshot.generation:
                return self._snapshot
            try:
                snapshot = _load(self.directory, generation)
            except FileNotFoundError:
                continue
            except IndexUnavailable:
                raise
            except (OSError, ValueError, KeyError) as e:
                raise IndexUnavailable(f"cannot read lexical index {generation}: {e}") from e
            log.info("loaded lexical index %s (%d chunks)", generation, snapshot.count)
            return snapshot
        raise IndexUnavailable(f"lexical index in {self.directory} keeps changing under the reader")

    def search(
        self,
        query: str,
        *,
        k: int,
        filters: Mapping[str, Sequence[str]] | None = None,
        expansions: Sequence[Concept] = (),
    ) -> list[tuple[str, float]]:
        """Up to `k` (chunk id, BM25 score) pairs, best first; only chunks sharing a term.

        Args:
            filters: field → accepted values (exact match), as `Filters.conditions()` gives.
            expansions: concepts the query names in other words (a glossary's synonyms and
                translations); each adds `weight` times its best-scoring alternative.
        """
        return self.search_cars(query, k=k, filters=filters, expansions=expansions)[0]

    def search_cars(
        self,
        query: str,
        *,
        k: int,
        filters: Mapping[str, Sequence[str]] | None = None,
        expansions: Sequence[Concept] = (),
        cars: Sequence[str] = (),
        boost: float = 0.0,
    ) -> list[list[tuple[str, float]]]:
        """`search`, once per car of `cars` preferring the chunks about that car (one list
        when `cars` is empty); the chunks are scored once.

        A preferred chunk ranks as if its score were divided by `1 - boost`; at `boost` 1
        every matching chunk about the car comes before every other (a filter that falls
        back to the rest). Scores returned are BM25's own.
        """
        snap = self._current()
        if snap.model is None or k <= 0:
            return [[] for _ in range(max(1, len(cars)))]
        scores = _scores(snap, query, filters, expansions)
        if scores is None:
            return [[] for _ in range(max(1, len(cars)))]
        if not cars:
            return [_top(snap, scores, scores, k)]
        ranked: list[list[tuple[str, float]]] = []
        for car in cars:
            about = _car_rows(snap, car)
            if boost >= 1.0:
                lift = float(scores.max()) + 1.0
                keyed = np.where(about & (scores > 0), scores + lift, scores)
            elif boost > 0:
                keyed = np.where(about, scores / (1.0 - boost), scores)
            else:
                keyed = scores
            ranked.append(_top(snap, scores, keyed, k))
        return ranked

    def passages(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of each of `ids` the index holds, while it is in step with Chroma.

        Empty while an ingest is writing (or one died before rebuilding this index), and for
        an index written before texts were stored: the caller then reads Chroma, the truth.
        """
        if self.dirty_marker is None or self.dirty_marker.exists():
            return {}
        try:
            snap = self._current()
        except IndexUnavailable:  # a vector search needs none of it: Chroma has the texts
            return {}
        if snap.texts is None or snap.offsets is None:
            return {}
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for chunk_id in ids:
            row = snap.position.get(chunk_id)
            if row is not None:
                start, end = int(snap.offsets[row]), int(snap.offsets[row + 1])
                text = bytes(snap.texts[start:end]).decode("utf-8")
                found[chunk_id] = (text, _row_metadata(snap, row))
        return found

    def cars_of(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The cars each of `ids` is about (none for an id the index does not hold)."""
        snap = self._current()
        values, codes = snap.values.get("cars"), snap.codes.get("cars")
        if values is None or codes is None:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        for chunk_id in ids:
            row = snap.position.get(chunk_id)
            joined = values[int(codes[row])] if row is not None else ""
            found[chunk_id] = tuple(joined.split(CAR_SEPARATOR)) if joined else ()
        return found

    def metadata(self, chunk_id: str) -> dict[str, Any] | None:
        """The filterable metadata stored for `chunk_id` (None if it is not indexed)."""
        snap = self._current()
        row = snap.position.get(chunk_id)
        return None if row is None else _row_metadata(snap, row)


def _row_metadata(snap: _Snapshot, row: int) -> dict[str, Any]:
    found: dict[str, Any] = {f: snap.values[f][int(snap.codes[f][row])] for f in TEXT_FIELDS}
    cars = found.pop("cars")
    if cars:  # as in Chroma: a list, and no key when the chunk is about no car
        found["cars"] = cars.split(CAR_SEPARATOR)
    for f in INT_FIELDS:
        value = int(snap.ints[f][row])
        found[f] = None if value < 0 else value
    return found


def _scores(
    snap: _Snapshot,
    query: str,
    filters: Mapping[str, Sequence[str]] | None,
    expansions: Sequence[Concept],
) -> NDArray[np.float32] | None:
    """BM25 scores of every chunk (0 outside `filters`), None when no term matched."""
    mask = _mask(snap, filters) if filters else None
    if mask is not None and not mask.any():
        return None
    weights = None if mask is None else mask.astype(np.float32)
    own = list(dict.fromkeys(query_tokens(query)))
    own_ids = snap.model.get_tokens_ids(own)
    scores: NDArray[np.float32] = (
        snap.model.get_scores_from_ids(own_ids, weight_mask=weights)
        if own_ids
        else np.zeros(snap.count, dtype=np.float32)
    )
    matched = bool(own_ids)
    for concept in expansions:
        best: NDArray[np.float32] | None = None
        for term in concept.terms:
            tokens = list(dict.fromkeys(query_tokens(term)))
            ids = snap.model.get_tokens_ids([t for t in tokens if t not in own])
            if not ids or concept.weight <= 0:
                continue
            part = snap.model.get_scores_from_ids(ids, weight_mask=weights)
            if concept.per_token:
                part = part / len(tokens)
            best = part if best is None else np.maximum(best, part)
        if best is not None:
            scores = scores + concept.weight * best
            matched = True
    return scores if matched else None


def _top(
    snap: _Snapshot, scores: NDArray[np.float32], keyed: NDArray[np.float32], k: int
) -> list[tuple[str, float]]:
    """The `k` chunks with the highest `keyed` among those that scored, with their `scores`."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        top = np.argpartition(-keyed[candidates], k - 1)[:k]
        candidates = candidates[top]
    # Best first; ties broken by index order, so results are reproducible.
    order = np.lexsort((candidates, -keyed[candidates]))
    return [(snap.ids[i], float(scores[i])) for i in candidates[order]]


def _car_rows(snap: _Snapshot, car: str) -> NDArray[np.bool_]:
    """The rows about `car`, computed once per generation and car."""
    rows = snap.car_rows.get(car)
    if rows is None:
        rows = _mask(snap, {"car": [car]})
        snap.car_rows[car] = rows  # a race only computes the same array twice
    return rows


def _mask(snap: _Snapshot, filters: Mapping[str, Sequence[str]]) -> NDArray[np.bool_]:
    mask = np.ones(snap.count, dtype=bool)
    for name, accepted in filters.items():
        if name == "car":  # a chunk matches when any of its cars is accepted
            field, chosen = "cars", set(accepted)
            wanted = [
                code
                for value, code in snap.lookup[field].items()
                if chosen.intersection(value.split(CAR_SEPARATOR))
            ]
        elif name in snap.lookup:
            field = name
            wanted = [snap.lookup[name][v] for v in accepted if v in snap.lookup[name]]
        else:
            raise InvalidFilter(f"unknown filter field {name!r}")
        mask &= np.isin(snap.codes[field], np.asarray(wanted, dtype=np.int32))
    return mask
