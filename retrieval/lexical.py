"""BM25 search over the lexical index that ingest writes (see `ingest/lexical.py`).

The index is loaded once (score arrays memory-mapped) and reloaded only when CURRENT names
another generation; a search costs one `stat` to notice that. Filters become a 0/1 weight
mask over every chunk before the top k are taken, so a narrow filter still fills k.

Every file is checked against its checksum as it loads. A generation that fails (an edited
file, a garbled CURRENT, another format) is never used: the reader reports its `problem`,
calls `on_problem` once (the server rebuilds the index from Chroma), and hybrid search
answers from vectors until a new generation goes live.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ingest.analysis import TOKENIZER_VERSION, query_tokens
from ingest.errors import LexicalIndexCorrupt
from ingest.lexical.format import (
    CAR_SEPARATOR,
    CURRENT,
    FILES,
    INT_FIELDS,
    PLACE_FIELDS,
    TEXT_FIELDS,
    TEXTS,
    read_checked,
    read_current,
    read_manifest,
)
from retrieval import versions as stated
from retrieval.bm25 import Postings, top
from retrieval.errors import IndexUnavailable, InvalidFilter
from retrieval.versions import Versions

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Snapshot:
    """One loaded generation. Never changed after loading; replaced whole."""

    generation: str | None
    ids: list[str] = field(default_factory=list)
    postings: Postings | None = None  # None when no chunk has a token
    lookup: dict[str, dict[str, int]] = field(default_factory=dict)  # field → value → code
    values: dict[str, list[str]] = field(default_factory=dict)  # field → code → value
    codes: dict[str, NDArray[np.int32]] = field(default_factory=dict)
    ints: dict[str, NDArray[np.int32]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # chunk id → row
    texts: bytes = b""  # every text, UTF-8, end to end
    offsets: NDArray[np.int64] | None = None  # row i's text is texts[offsets[i]:offsets[i + 1]]
    car_rows: dict[tuple[str, ...], NDArray[np.bool_]] = field(
        default_factory=dict
    )  # car ids → rows
    car_lists: list[tuple[str, ...]] | None = None  # "cars" code → its car ids, once split
    problem: str | None = None  # why the generation CURRENT names could not be used

    @property
    def count(self) -> int:
        return len(self.ids)


def _load(directory: Path, generation: str, manifest_digest: str) -> _Snapshot:
    """The generation, from files checked against its manifest (see `ingest.lexical.format`).
    Texts and columns are kept as the bytes that were checked; the BM25 arrays, which only
    rank, are checked and then memory-mapped."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)  # it sets DEBUG on import

    folder = directory / generation
    manifest = read_manifest(folder, manifest_digest)
    if manifest.get("tokenizer") != TOKENIZER_VERSION:
        raise LexicalIndexCorrupt(
            f"{folder} was tokenized by {manifest.get('tokenizer')}, not {TOKENIZER_VERSION}"
        )
    blobs = {name: read_checked(folder, manifest, name) for name in manifest[FILES]}

    def array(name: str) -> NDArray[Any]:
        loaded: NDArray[Any] = np.load(io.BytesIO(blobs[name]), allow_pickle=False)
        return loaded

    ids: list[str] = json.loads(blobs["ids.json"])
    values: dict[str, list[str]] = manifest["values"]
    postings = None
    if not manifest.get("empty") and ids:
        model = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        postings = Postings.of(model)
        if postings.count != len(ids):
            raise LexicalIndexCorrupt(
                f"{folder}: BM25 holds {postings.count} chunks, not {len(ids)}"
            )
    offsets = array(f"{TEXTS}.offsets.npy")
    if len(offsets) != len(ids) + 1 or int(offsets[-1]) != len(blobs[f"{TEXTS}.bin"]):
        raise LexicalIndexCorrupt(f"{folder}: the text offsets do not fit the texts")
    return _Snapshot(
        generation=generation,
        texts=blobs[f"{TEXTS}.bin"],
        offsets=offsets,
        ids=ids,
        postings=postings,
        values=values,
        lookup={f: {v: i for i, v in enumerate(values[f])} for f in TEXT_FIELDS},
        codes={f: array(f"{f}.codes.npy") for f in TEXT_FIELDS},
        ints={f: array(f"{f}.npy") for f in INT_FIELDS},
        position={chunk_id: i for i, chunk_id in enumerate(ids)},
    )


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

    def __init__(
        self,
        directory: Path,
        *,
        dirty_marker: Path | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = directory
        self.dirty_marker = dirty_marker
        self.on_problem = on_problem
        self._snapshot = _Snapshot(generation=None)
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.versions: Callable[[], Versions] | None = None  # `retrieval.versions`

    @property
    def generation(self) -> str | None:
        return self._current().generation

    @property
    def count(self) -> int:
        """Chunks in the live index (0 before the first ingest)."""
        return self._current().count

    @property
    def problem(self) -> str | None:
        """Why the index on disk cannot be used (None when it can, or was never built)."""
        return self._current().problem

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
            try:
                current = read_current(self.directory)
            except (LexicalIndexCorrupt, OSError) as e:
                return self._broken(str(e))
            if current is None:
                return _Snapshot(generation=None)
            generation = current[0]
            if generation == self._snapshot.generation and self._snapshot.problem is None:
                return self._snapshot
            try:
                snapshot = _load(self.directory, generation, current[1])
            except (LexicalIndexCorrupt, OSError, ValueError, KeyError, TypeError) as e:
                if self._moved(current):
                    continue
                return self._broken(f"lexical index {generation} is unusable: {e}")
            log.info("loaded lexical index %s (%d chunks)", generation, snapshot.count)
            return snapshot
        return self._broken(f"lexical index in {self.directory} keeps changing under the reader")

    def _moved(self, current: tuple[str, str]) -> bool:
        """Whether CURRENT names another generation than `current` now (a rebuild went live)."""
        try:
            return read_current(self.directory) != current
        except (LexicalIndexCorrupt, OSError):
            return False

    def _broken(self, problem: str) -> _Snapshot:
        log.error("%s; hybrid search answers from vectors until it is rebuilt", problem)
        if self.on_problem is not None:
            try:
                self.on_problem(problem)
            except Exception:  # the repair is best effort; the problem is reported either way
                log.exception("cannot start the lexical index repair")
        return _Snapshot(generation=None, problem=problem)

    def search(
        self,
        query: str,
        *,
        k: int,
        filters: Mapping[str, Sequence[str]] | None = None,
        expansions: Sequence[Concept] = (),
    ) -> list[tuple[str, float]]:
        """Up to `k` (chunk id, BM25 score) pairs, best first; only chunks sharing a term.
        `filters`: field → accepted values (exact match, `Filters.conditions()`);
        `expansions`: concepts the query names in other words (`Concept`)."""
        return self.search_cars(query, k=k, filters=filters, expansions=expansions)[0]

    def search_cars(
        self,
        query: str,
        *,
        k: int,
        filters: Mapping[str, Sequence[str]] | None = None,
        expansions: Sequence[Concept] = (),
        cars: Sequence[Sequence[str]] = (),
        boost: float = 0.0,
    ) -> list[list[tuple[str, float]]]:
        """`search`, once per car of `cars` preferring the chunks about that car (one list
        when `cars` is empty); the chunks are scored once. A car is given as the ids that
        count as it (a variant and its base model, `Mention.family`).

        A preferred chunk ranks as if its score were divided by `1 - boost`; at `boost` 1
        every matching chunk about the car comes before every other (a filter that falls
        back to the rest). Scores returned are BM25's own.
        """
        snap = self._current()
        if snap.problem is not None:
            raise IndexUnavailable(
                f"{snap.problem}; it is being rebuilt from Chroma: search in vector or hybrid "
                "mode meanwhile, or run `specrag ingest` if this persists"
            )
        if snap.postings is None or k <= 0:
            return [[] for _ in range(max(1, len(cars)))]
        scores = _scores(snap, query, filters, expansions)
        if scores is None:
            return [[] for _ in range(max(1, len(cars)))]
        if not cars:
            return [_top(snap, scores, scores, k)]
        ranked: list[list[tuple[str, float]]] = []
        for car in cars:
            about = _car_rows(snap, car, self.versions() if self.versions else {})
            if boost >= 1.0:
                lift = float(scores.max()) + 1.0
                keyed = np.where(about & (scores > 0), scores + lift, scores)
            elif boost > 0:  # scores / (1 - boost) where about, in float32 as np.where had it
                keyed = scores.copy()
                np.divide(scores, 1.0 - boost, out=keyed, where=about)
            else:
                keyed = scores
            ranked.append(_top(snap, scores, keyed, k))
        return ranked

    def passages(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of each of `ids` the index holds, while it is in step with Chroma.

        Empty while an ingest is writing (or one died before rebuilding this index), and while
        the index fails its checks: the caller then reads Chroma, the truth.
        """
        if self.dirty_marker is None or self.dirty_marker.exists():
            return {}
        snap = self._current()
        if snap.problem is not None or snap.offsets is None:
            return {}
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for chunk_id in ids:
            row = snap.position.get(chunk_id)
            if row is not None:
                start, end = int(snap.offsets[row]), int(snap.offsets[row + 1])
                text = bytes(snap.texts[start:end]).decode("utf-8")
                found[chunk_id] = (text, _row_metadata(snap, row))
        return found

    def cars_of(self, ids: Sequence[str], *, versions: bool = True) -> dict[str, tuple[str, ...]]:
        """The cars each of `ids` is about (none for an id the index does not hold), with
        the cars whose version it states unless `versions` is off (`retrieval.versions`)."""
        snap = self._current()
        codes = snap.codes.get("cars")
        if codes is None or "cars" not in snap.values:
            return {}
        if not len(codes):  # an index of no chunks
            return dict.fromkeys(ids, ())
        lists = _car_lists(snap)
        position = snap.position
        rows = [position.get(chunk_id, -1) for chunk_id in ids]
        held = codes[np.asarray(rows, dtype=np.intp)].tolist() if rows else []
        found = {
            chunk_id: lists[code] if row >= 0 else ()
            for chunk_id, row, code in zip(ids, rows, held, strict=True)
        }
        return stated.about(found, self.versions()) if self.versions and versions else found

    def car_counts(self) -> Counter[str]:
        """How many chunks are about each car (read once per generation by its callers)."""
        snap = self._current()
        codes = snap.codes.get("cars")
        if codes is None or "cars" not in snap.values or not len(codes):
            return Counter()
        lists = _car_lists(snap)
        counts: Counter[str] = Counter()
        for code, n in enumerate(np.bincount(codes, minlength=len(lists)).tolist()):
            counts.update(dict.fromkeys(lists[code], n))
        more = self.versions() if self.versions else {}
        return stated.counted(counts, more, self.cars_of(list(more), versions=False))

    def metadata(self, chunk_id: str) -> dict[str, Any] | None:
        """The filterable metadata stored for `chunk_id` (None if it is not indexed)."""
        snap = self._current()
        row = snap.position.get(chunk_id)
        return None if row is None or snap.problem else _row_metadata(snap, row)


def _car_lists(snap: _Snapshot) -> list[tuple[str, ...]]:
    """Each "cars" code's car ids, split once per generation."""
    lists = snap.car_lists
    if lists is None:
        lists = [tuple(v.split(CAR_SEPARATOR)) if v else () for v in snap.values["cars"]]
        snap.car_lists = lists  # a race only splits the same values twice
    return lists


def _row_metadata(snap: _Snapshot, row: int) -> dict[str, Any]:
    found: dict[str, Any] = {f: snap.values[f][int(snap.codes[f][row])] for f in TEXT_FIELDS}
    cars = found.pop("cars")
    if cars:  # as in Chroma: a list, and no key when the chunk is about no car
        found["cars"] = cars.split(CAR_SEPARATOR)
    for f in PLACE_FIELDS:  # likewise, lists of ints in their order
        joined = found.pop(f)
        if joined:
            found[f] = sorted(int(v) for v in joined.split(CAR_SEPARATOR))
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
    postings = snap.postings
    assert postings is not None
    own = _tokens(query)
    own_ids = postings.ids(own)
    scores = postings.scores(own_ids, weights)
    matched = bool(own_ids)
    # In place, in float32, with the operands in the order `scores + w * max(part / n, ...)`
    # had them: the same sums to the bit, without an array allocated per step.
    for concept in expansions:
        best: NDArray[np.float32] | None = None
        for term in concept.terms:
            tokens = _tokens(term)
            ids = postings.ids([t for t in tokens if t not in own])
            if not ids or concept.weight <= 0:
                continue
            part = postings.scores(ids, weights)
            if concept.per_token:
                part /= len(tokens)
            best = part if best is None else np.maximum(best, part, out=best)
        if best is not None:
            best *= concept.weight
            scores += best
            matched = True
    return scores if matched else None


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """A query's (or a glossary term's) tokens, each once; the glossary's terms recur."""
    return tuple(query_tokens(text))


def _top(
    snap: _Snapshot, scores: NDArray[np.float32], keyed: NDArray[np.float32], k: int
) -> list[tuple[str, float]]:
    """The `k` chunks with the highest `keyed` among those that scored, with their `scores`;
    ties broken by index order, so results are reproducible."""
    rows = top(scores, keyed, k)
    ids = snap.ids
    return [(ids[i], s) for i, s in zip(rows.tolist(), scores[rows].tolist(), strict=True)]


def _car_rows(snap: _Snapshot, car: Sequence[str], versions: Versions) -> NDArray[np.bool_]:
    """The rows about any of the ids of `car` (or stating its version), once per generation
    and car."""
    key = tuple(car)
    found = snap.car_rows.get(key)
    if found is None:
        found = _mask(snap, {"car": list(key)})
        found |= stated.rows(snap.position, snap.count, key, versions)
        snap.car_rows[key] = found  # a race only computes the same array twice
    return found


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
