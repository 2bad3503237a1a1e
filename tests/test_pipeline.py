"""The ingest run end to end: real parsing, the real model, a real Chroma in tmp_path."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.services import Services
from ingest.errors import ModelMismatch
from ingest.pipeline.commit import dirty_marker
from ingest.store import ChromaStore

pytestmark = pytest.mark.slow


def _stored(store: ChromaStore) -> dict[str, str]:
    return {chunk_id: text for chunk_id, text, _ in store.iter_chunks()}


LIBRARY = (
    "clutch-sidecar-articles/tesla-model-3.md",
    "clutch-sidecar-articles/toyota-rav4.md",
    "drivewise-metadata-rag/hyundai_creta.txt",
    "cars93-rendered/mazda_rx_7.txt",
    "itversity-toyota-specs/Toyota_Camry_Specifications.pdf",
    "rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md",
)


def _fill(folder: Path, corpus: Path) -> Path:
    """`folder`, holding exactly the library's files (anything a test changed is undone)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in LIBRARY:
        shutil.copy(corpus / name, folder / Path(name).name)
    return folder


@pytest.fixture
def library(tmp_path: Path, corpus: Path) -> Path:
    """A small folder of real documents: md, txt, pdf, csv-free."""
    return _fill(tmp_path / "library", corpus)


@pytest.fixture(scope="module")
def library_index(
    tmp_path_factory: pytest.TempPathFactory, corpus: Path, embedder: Any
) -> tuple[Path, Path]:
    """(library, data dir): the library at a path of the module's, and a data dir (embedded
    Chroma, the default collection) that one run over it built, once for the module."""
    from api.settings import Settings

    root = tmp_path_factory.mktemp("indexed")
    library = _fill(root / "library", corpus)
    built = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    report = built.pipeline.run([library])
    assert (report.ok, report.failed) == (len(LIBRARY), 0), report.errors
    built.close()
    return library, root / "index"


@pytest.fixture
def indexed(services: Services, library_index: tuple[Path, Path], corpus: Path) -> Path:
    """The library, already ingested into `services`: a copy of the module's index (one run
    over these files at this path), so a test about the next run does not redo the first.
    Returns the library, its files as they were."""
    library, built = library_index
    _fill(library, corpus)
    settings = services.settings
    if not settings.chroma_url:
        shutil.copytree(built, settings.data_dir)
        return library
    # A server collection of the test's own: the rows through Chroma's API, and the files
    # the data dir keeps per collection under the test's collection name.
    source = ChromaStore(
        collection="specrag", model_name=services.embedder.name, path=built / "chroma"
    )
    rows = source.collection().get(include=["embeddings", "documents", "metadatas"])
    services.store.upsert(
        rows["ids"],
        np.asarray(rows["embeddings"], dtype=np.float32),
        rows["documents"],
        rows["metadatas"],
    )
    settings.data_dir.mkdir(parents=True)
    for entry in built.iterdir():
        if entry.name.startswith("specrag."):
            target = settings.data_dir / f"{settings.collection}.{entry.name.split('.', 1)[1]}"
            (shutil.copytree if entry.is_dir() else shutil.copy)(entry, target)
    return library


def test_first_run_indexes_every_file_with_citable_metadata(
    services: Services, library: Path
) -> None:
    report = services.pipeline.run([library])
    assert (report.ok, report.failed, report.skipped) == (6, 0, 0)
    assert report.embedded == report.added > 6
    stored = _stored(services.store)
    assert len(stored) == report.added
    records = services.ledger.all()
    assert sorted(len(r.chunk_ids) for r in records) == sorted(
        sum(1 for i in stored if i.startswith(r.doc_id + ":")) for r in records
    )
    pdf = next(r for r in records if r.file_type == "pdf")
    first = services.store.get([pdf.chunk_ids[0]])[0]
    assert first.metadata["source"] == str(library / "Toyota_Camry_Specifications.pdf")
    assert first.metadata["page"] == 1
    assert first.metadata["doc_id"] == pdf.doc_id and first.metadata["chunk_index"] == 0
    assert first.metadata["sha256"] == pdf.sha256
    assert first.metadata["tokens"] <= 256


def test_rerun_skips_unchanged_edit_reembeds_one_touch_reembeds_none(
    services: Services, indexed: Path
) -> None:
    library = indexed
    again = services.pipeline.run([library])
    assert (again.skipped, again.embedded, again.ok) == (6, 0, 0)

    creta = library / "hyundai_creta.txt"
    os.utime(creta, (1_000_000_000, 1_000_000_000))  # new mtime, same bytes
    assert services.pipeline.run([library]).embedded == 0

    before = _stored(services.store)
    creta.write_text(creta.read_text() + "\nThe 2026 Creta adds a 360-degree camera.\n")
    edited = services.pipeline.run([library])
    assert (edited.ok, edited.skipped) == (1, 5)
    doc_id = next(r.doc_id for r in services.ledger.all() if r.source == str(creta))
    after = _stored(services.store)
    assert edited.embedded == edited.updated == sum(1 for i in after if i.startswith(doc_id + ":"))
    assert {i: t for i, t in after.items() if not i.startswith(doc_id)} == {
        i: t for i, t in before.items() if not i.startswith(doc_id)
    }
    assert any("360-degree camera" in t for i, t in after.items() if i.startswith(doc_id))


def test_shrinking_file_drops_stale_chunks(services: Services, indexed: Path) -> None:
    library = indexed
    article = library / "toyota-rav4.md"
    doc_id = next(r.doc_id for r in services.ledger.all() if r.source == str(article))
    assert len(services.store.ids_for(doc_id)) > 1
    article.write_text("# Toyota RAV4\n\nThe RAV4 is a compact SUV.\n")
    report = services.pipeline.run([library])
    assert services.store.ids_for(doc_id) == {f"{doc_id}:0"}
    assert report.deleted > 0 and report.updated == 1


def test_prune_removes_exactly_the_deleted_files_chunks(services: Services, indexed: Path) -> None:
    library = indexed
    before = _stored(services.store)
    gone = library / "mazda_rx_7.txt"
    doc_id = next(r.doc_id for r in services.ledger.all() if r.source == str(gone))
    gone.unlink()
    kept = services.pipeline.run([library])  # without --prune nothing is deleted
    assert kept.deleted == 0 and _stored(services.store) == before
    pruned = services.pipeline.run([library], prune=True)
    assert pruned.documents_deleted == 1
    assert _stored(services.store) == {i: t for i, t in before.items() if not i.startswith(doc_id)}
    assert pruned.deleted == len(before) - len(_stored(services.store))
    assert services.ledger.get(doc_id) is None


def test_dry_run_plans_and_changes_nothing(services: Services, indexed: Path) -> None:
    library = indexed
    (library / "hyundai_creta.txt").write_text("BRAND: Hyundai\nMODEL: Creta\nNew text.\n")
    (library / "mazda_rx_7.txt").unlink()
    shutil.copy(library / "toyota-rav4.md", library / "rav4-copy.md")
    before = _stored(services.store)
    plan = services.pipeline.plan([library], prune=True)
    assert plan.summary() == {"add": 1, "update": 1, "delete": 1, "skip": 4}
    assert _stored(services.store) == before


def test_deletions_come_from_a_listing_and_match_the_prune_plan(
    services: Services, indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What queue mode prunes before its tasks: the documents gone from the folder, found
    without reading or hashing any file that is still there."""
    library = indexed
    (library / "mazda_rx_7.txt").unlink()
    (library / "hyundai_creta.txt").write_text("BRAND: Hyundai\nMODEL: Creta\nNew text.\n")
    planned = [i.doc_id for i in services.pipeline.plan([library], prune=True).of("delete")]
    import ingest.pipeline.plan as plan_module

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path} was hashed")

    monkeypatch.setattr(plan_module, "sha256_of", no_hashing)
    listed = services.pipeline.deletions([library])
    assert [i.doc_id for i in listed] == planned and len(planned) == 1
    assert listed[0].path.endswith("mazda_rx_7.txt") and listed[0].action == "delete"


def test_failed_file_is_reported_and_the_rest_of_the_batch_goes_on(
    services: Services, library: Path
) -> None:
    (library / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not a pdf at all")
    (library / "empty.txt").write_bytes(b"")
    (library / "notes.docx").write_bytes(b"PK\x03\x04")
    report = services.pipeline.run([library])
    assert report.ok == 6 and report.failed == 2
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert set(reasons) == {"broken.pdf", "empty.txt"}
    assert "empty" in reasons["empty.txt"]
    assert any(
        Path(n.path).name == "notes.docx" and "unsupported" in n.reason for n in report.notes
    )
    failed = {Path(r.source).name: r for r in services.ledger.all() if r.status == "failed"}
    assert failed["broken.pdf"].error == reasons["broken.pdf"]


def test_the_ledger_records_each_files_parse_and_embed_time(
    make_settings: Any, embedder: Any, library: Path
) -> None:
    """Regression: `embed_seconds` was always 0; each file's share of the encoder's time was
    added to its `parse_seconds` instead."""
    (library / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not a pdf at all")
    built = Services(make_settings(), embedder=embedder)
    built.pipeline.run([library])
    records = {Path(r.source).name: r for r in built.ledger.all()}
    ok = [r for r in records.values() if r.status == "ok"]
    assert len(ok) == 6
    assert all(r.parse_seconds > 0 and r.embed_seconds > 0 for r in ok)
    assert records["broken.pdf"].parse_seconds > 0 and records["broken.pdf"].embed_seconds == 0
    built.close()


def test_a_good_file_turned_bad_keeps_its_old_chunks(services: Services, indexed: Path) -> None:
    library = indexed
    before = _stored(services.store)
    (library / "hyundai_creta.txt").write_bytes(b"\x00\x01\x02\x03" * 500)
    report = services.pipeline.run([library])
    assert report.failed == 1 and "binary" in report.errors[0].reason
    assert _stored(services.store) == before


def test_paths_outside_roots_and_symlinks_out_are_refused(
    make_settings, embedder, tmp_path: Path, library: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret: value\n")
    (library / "link.txt").symlink_to(outside / "secret.txt")
    (library / "loop").symlink_to(library)
    built = Services(make_settings(roots=[library]), embedder=embedder)
    report = built.pipeline.run([library, outside])
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert "outside the allowed ingest roots" in reasons["outside"]
    assert "outside" in reasons["link.txt"]
    assert "loop" in reasons["loop"]
    assert report.ok == 6
    assert all("secret" not in r.source for r in built.ledger.all())
    built.close()


def test_file_over_size_limit_is_refused_by_name(make_settings, embedder, library: Path) -> None:
    big = library / "big.txt"
    big.write_text("Spec: value\n" * 200_000)
    built = Services(make_settings(max_file_mb=1), embedder=embedder)
    report = built.pipeline.run([library])
    [error] = [e for e in report.errors if e.path.endswith("big.txt")]
    assert "over the limit of 1.0 MB" in error.reason
    built.close()


def test_collection_built_with_another_model_is_refused(services: Services, indexed: Path) -> None:
    settings = services.settings
    where = (
        {"url": settings.chroma_url}
        if settings.chroma_url
        else {"path": settings.data_dir / "chroma"}
    )
    other = ChromaStore(collection=settings.collection, model_name="some-other-model", **where)
    with pytest.raises(ModelMismatch, match="all-MiniLM-L6-v2"):
        other.count()


def test_parallel_workers_build_the_same_index_as_inline(
    make_settings, embedder, library: Path, tmp_path: Path
) -> None:
    results = []
    for workers in (0, 2):
        built = Services(
            make_settings(workers=workers, data_dir=tmp_path / f"w{workers}"), embedder=embedder
        )
        built.pipeline.run([library])
        results.append(_stored(built.store))
        built.close()
    assert results[0] == results[1] and results[0]


def test_concurrent_encoder_calls_build_the_same_index_as_one_at_a_time(
    make_settings, embedder, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more than one encoder call in flight (OpenVINO's throughput streams), batches may
    finish out of order: each chunk must still get its own vector, and every file be stored."""
    monkeypatch.setattr(embedder, "batch_size", 4)  # many batches, many in flight
    results = []
    for calls in (1, 3):
        # Parsed inline, so both runs form the same batches (padding moves vectors slightly).
        built = Services(
            make_settings(workers=0, store_batch=8, data_dir=tmp_path / f"c{calls}"),
            embedder=embedder,
        )
        pipeline = built.pipeline
        pipeline.encoder_calls = calls
        report = pipeline.run([library])
        assert (report.ok, report.failed) == (6, 0)
        assert report.embedded == built.store.count() > 3 * embedder.batch_size
        got = built.store.collection().get(include=["documents", "embeddings"])
        rows = zip(got["ids"], got["documents"], got["embeddings"], strict=True)
        results.append({i: (d, np.asarray(e)) for i, d, e in rows})
        built.close()
    one, many = results
    assert one.keys() == many.keys()
    ids = sorted(one)
    assert [many[i][0] for i in ids] == [one[i][0] for i in ids]
    similarity = np.stack([many[i][1] for i in ids]) @ np.stack([one[i][1] for i in ids]).T
    # Each chunk's vector is its own: the same as in the other run, nearer than any other.
    assert np.diag(similarity).min() > 0.9999
    assert (similarity.argmax(axis=1) == np.arange(len(ids))).all()


def test_an_encoder_failure_mid_run_stores_no_partial_file_and_a_rerun_converges(
    make_settings, embedder, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedder, "batch_size", 4)
    built = Services(
        make_settings(workers=0, store_batch=4, data_dir=tmp_path / "broken"), embedder=embedder
    )
    pipeline = built.pipeline
    pipeline.encoder_calls = 2  # two batches in flight when one fails
    real = embedder.embed_documents
    calls = itertools.count()

    def flaky(texts: list[str]) -> Any:
        if next(calls) == 6:
            raise RuntimeError("the encoder fell over")
        return real(texts)

    monkeypatch.setattr(embedder, "embed_documents", flaky)
    with pytest.raises(RuntimeError, match="fell over"):
        pipeline.run([library])
    marker = dirty_marker(built.lock_path)
    assert marker.exists()  # the next run rebuilds the lexical index whatever it finds
    stored = set(built.store.collection().get(include=[])["ids"])
    complete = [r for r in built.ledger.all() if r.status == "ok"]
    assert complete and len(complete) < 6
    for record in complete:  # a file in the ledger has every chunk in Chroma
        assert set(record.chunk_ids) <= stored

    monkeypatch.setattr(embedder, "embed_documents", real)
    report = pipeline.run([library])
    assert (report.ok, report.failed, report.skipped) == (6 - len(complete), 0, len(complete))
    assert not marker.exists()
    clean = Services(make_settings(workers=0, data_dir=tmp_path / "clean"), embedder=embedder)
    clean.pipeline.run([library])
    assert _stored(built.store) == _stored(clean.store)
    built.close()
    clean.close()
