"""Duplicates before HNSW (issue 13, point 8): a file of 1,536 chunks with 16 distinct texts,
ingested next to data/samples, is embedded and stored as 16 records that name every place
their text occurs; every stored chunk of every document stays reachable by its own vector
with its doc-id filter, a search never shows one text twice, and deleting the flood leaves
the index consistent. Real model, real Chroma."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.integrity import check
from ingest.discover import doc_id_for
from ingest.document import Chunk
from ingest.integrity import audit, self_probe
from ingest.pipeline.dedup import collapse, dedup_key, occurrence_metadata, repoint_specs
from ingest.specs.model import DocumentSpecs, Fact
from tests.reliability import record
from tests.samples import Samples

pytestmark = pytest.mark.slow
TOPICS = [
    "engine power and torque",
    "fuel consumption per 100 km",
    "battery capacity and range",
    "wheelbase and length",
    "boot volume in litres",
    "top speed and acceleration",
    "warranty years",
    "charging time",
    "tyre size",
    "kerb weight",
    "seating capacity",
    "ground clearance",
    "turning circle",
    "price in yuan",
    "safety rating",
    "infotainment screen",
]
REPEATS = 96


def _flood(folder: Path) -> Path:
    """A markdown file of 16 × 96 one-paragraph sections: 1,536 chunks, 16 distinct texts."""
    notes = [
        f"Specification sheet: {t}. See the dealer for the figures of each trim." for t in TOPICS
    ]
    sections = [f"## Bulletin\n\n{note}\n" for _ in range(REPEATS) for note in notes]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "flood.md"
    path.write_text("# Dealer bulletin\n\n" + "\n".join(sections), encoding="utf-8")
    return path


def test_repeated_texts_are_stored_once_and_every_document_stays_reachable(
    make_settings: Any, samples: Samples, tmp_path: Path
) -> None:
    settings = make_settings()
    with samples.services(settings) as services:  # data/samples, indexed
        flood = _flood(tmp_path / "flood")
        report = services.pipeline.run([flood])
        assert (report.ok, report.failed) == (1, 0), report.errors
        doc_id = doc_id_for(str(flood))
        row = services.ledger.get(doc_id)
        assert row is not None and row.status == "ok"
        stored = services.store.get(sorted(services.store.ids_for(doc_id)))
        assert len(stored) == len(TOPICS) == len(row.chunk_ids)
        assert report.embedded == len(TOPICS)
        # Every one of the 1,536 places is named once: the record's own index or `also_chunks`.
        places = [int(h.metadata["chunk_index"]) for h in stored]
        places += [int(i) for h in stored for i in h.metadata.get("also_chunks", [])]
        assert sorted(places) == list(range(len(TOPICS) * REPEATS))

        held = services.store.all_ids()
        probe = self_probe(services.store, held, sample=len(held))
        assert probe.tried == len(held) and probe.lost == [], probe.lost

        results = services.searcher.search(
            "Specification sheet: warranty years. See the dealer", k=10, mode="hybrid"
        )
        texts = [dedup_key(r.text) for r in results]
        assert len(texts) == len(set(texts)), texts
        top = next(r for r in results if r.citation.doc_id == doc_id)
        assert len(top.citation.also_chunks) == REPEATS - 1

        assert services.pipeline.run([flood]).skipped == 1  # unchanged: nothing re-embedded
        assert check(services, sample=len(held))["ok"]
        services.pipeline.delete(doc_id)
        after = audit(services.store, services.ledger.all())
        assert (after.missing, after.orphans) == ({}, [])
        assert not services.store.ids_for(doc_id)
        record(
            "integrity_flood",
            {
                "held": True,
                "chunks": len(places),
                "stored": len(stored),
                "chunks probed": probe.tried,
                "unreachable": len(probe.lost),
            },
        )


def test_collapse_keeps_first_occurrences_and_names_the_others() -> None:
    texts = ["a  b", "c", "a b", "c\n", "d"]
    chunks = [Chunk(i, t, "", i + 1, "", 1) for i, t in enumerate(texts)]
    kept, copies = collapse(chunks)
    assert [c.index for c in kept] == [0, 1, 4]
    assert {k: [c.index for c in v] for k, v in copies.items()} == {0: [2], 1: [3]}


def test_facts_and_cars_of_a_later_occurrence_move_to_the_stored_chunk() -> None:
    chunks = [Chunk(i, t, "", i + 1, "", 1) for i, t in enumerate(["x", "y", "x"])]
    kept, copies = collapse(chunks)
    specs = DocumentSpecs(
        facts=[Fact("car-a", "power", "100 kW", chunk_index=2, page=3)],
        chunk_cars={0: ("car-b",), 2: ("car-a",)},
    )
    moved = repoint_specs(specs, copies)
    assert [(f.chunk_index, f.page) for f in moved.facts] == [(0, 3)]  # cites the record
    assert moved.chunk_cars == {0: ("car-a", "car-b")}
    assert occurrence_metadata(kept[0], copies) == {"also_chunks": [2], "also_pages": [3]}
    assert occurrence_metadata(kept[1], copies) == {}
