"""A chunk stating a known car's version is about that car too.

A brochure about the "Aurora X5" gives its Hybrid's figures under the version "Hybrid"; a
document about the "Aurora X5 Hybrid" alone makes `aurora-x5-hybrid` a car of its own. The
spec registry and the facts side read such a version's facts as that car's
(`ingest.specs.variant_cars`); the chunks holding them are about it too when retrieval asks
which chunks a car has: each side's preference for the query's car, the penalty for chunks
about other cars, and which cars the corpus writes about in one language only
(`retrieval.second`: with only its Chinese document counted, an English question about the
Aurora X5 Hybrid was answered from the Chinese page alone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

Versions = Mapping[str, tuple[str, ...]]  # chunk id → the known cars whose version it states


def about(found: Mapping[str, tuple[str, ...]], versions: Versions) -> dict[str, tuple[str, ...]]:
    """Each chunk's cars (`found`, its metadata's) with the cars whose version it states."""
    return {
        chunk_id: (*cars, *(c for c in versions.get(chunk_id, ()) if c not in cars))
        for chunk_id, cars in found.items()
    }


def counted(
    counts: Counter[str], versions: Versions, cars_of: Mapping[str, tuple[str, ...]]
) -> Counter[str]:
    """`counts` (chunks per car) with each chunk stating a version counted for its car too,
    unless its metadata already names that car (`cars_of`)."""
    more = Counter(
        car
        for chunk_id, cars in versions.items()
        for car in cars
        if car not in cars_of.get(chunk_id, (car,))
    )
    return counts + more if more else counts


def rows(
    position: Mapping[str, int], count: int, car: Sequence[str], versions: Versions
) -> NDArray[np.bool_]:
    """The index rows of the chunks stating a version of one of the ids of `car`."""
    wanted = set(car)
    found = np.zeros(count, dtype=bool)
    held = [position.get(i) for i, cars in versions.items() if wanted.intersection(cars)]
    found[[row for row in held if row is not None]] = True
    return found
