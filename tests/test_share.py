"""Duplicates across documents (issue 13, point 8): a text another document already stores
is stored once; every document lists the record; deleting or rewriting the owner hands the
record on to a sharer, and nothing is missing or orphaned at any step. Real model, real
Chroma."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.services import Services
from ingest.discover import doc_id_for
from ingest.integrity import Audit, audit, self_probe
from ingest.pipeline.dedup import dedup_key
from tests.reliability import record

pytestmark = pytest.mark.slow

FOOTER = "THE END. Reprints must name the source. Editor on duty: the news desk."


def _article(folder: Path, name: str, body: str, footer: str = FOOTER) -> Path:
    path = folder / name
    path.write_text(f"# {name}\n\n## Report\n\n{body}\n\n## Notice\n\n{footer}\n", "utf-8")
    return path


def _clean(services: Services) -> Audit:
    found = audit(services.store, services.ledger.all())
    assert (found.missing, found.orphans) == ({}, []), (found.missing, found.orphans)
    return found


def _holding(services: Services, text: str) -> list[str]:
    """The ids of the records whose text is `text`."""
    key = dedup_key(text)
    return [i for i, t, _ in services.store.iter_chunks() if dedup_key(t) == key]


@pytest.fixture
def services(make_settings: Any, embedder: Any) -> Any:
    services = Services(make_settings(), embedder=embedder)
    yield services
    services.close()


def test_a_text_in_several_documents_is_stored_once_and_handed_on(
    services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    a = _article(folder, "a.md", "The Alpha has a 2,700 mm wheelbase and a 50 litre tank.")
    b = _article(folder, "b.md", "The Bravo's boot holds 420 litres with the seats up.")
    copy = folder / "a-copy.md"
    copy.write_bytes(a.read_bytes())  # the same file under another name
    report = services.pipeline.run([folder])
    assert (report.ok, report.failed) == (3, 0), report.errors
    ids = {p.name: doc_id_for(str(p)) for p in (a, b, copy)}

    # The footer is stored once; the copy stores nothing of its own.
    [footer] = _holding(services, FOOTER)
    listed = {name: services.ledger.get(i).chunk_ids for name, i in ids.items()}  # type: ignore[union-attr]
    assert all(footer in chunk_ids for chunk_ids in listed.values())
    owner = footer.rsplit(":", 1)[0]
    sharers = sorted(set(ids.values()) - {owner})
    assert {s.doc_id for s in services.ledger.shares_of([footer])} == set(sharers)
    assert report.shared >= 2 + 1  # the footer twice, the copy's report text once
    assert len(_holding(services, "The Alpha has a 2,700 mm wheelbase and a 50 litre tank.")) == 1
    _clean(services)
    assert services.pipeline.run([folder]).skipped == 3  # nothing missing: nothing redone

    # The owner goes: its shared records are stored again as a sharer's, nothing is lost.
    services.pipeline.delete(owner)
    [heir_record] = _holding(services, FOOTER)
    heir = heir_record.rsplit(":", 1)[0]
    assert heir in sharers
    [hit] = services.store.get([heir_record])
    assert hit.metadata["doc_id"] == heir
    assert hit.metadata["source"] == services.ledger.get(heir).source  # type: ignore[union-attr]
    for doc_id in sharers:
        assert heir_record in services.ledger.get(doc_id).chunk_ids  # type: ignore[union-attr]
    _clean(services)
    found = services.searcher.search(FOOTER, k=3, mode="hybrid", filters={"doc_id": heir})
    assert found and dedup_key(found[0].text) == dedup_key(FOOTER)

    # A sharer rewritten with another footer stores that one itself; the rest stay whole.
    rewritten = b if ids["b.md"] in sharers else a
    _article(folder, rewritten.name, "A new report.", footer="Another footer, all its own.")
    rerun = services.pipeline.run([folder], prune=True)
    assert rerun.failed == 0, rerun.errors
    assert len(_holding(services, FOOTER)) == 1
    assert len(_holding(services, "Another footer, all its own.")) == 1
    _clean(services)
    record("integrity_handed_on", {"held": True, "documents": 3, "missing": 0, "orphans": 0})


def test_a_flood_of_copies_across_documents_leaves_every_other_chunk_reachable(
    services: Services, tmp_path: Path
) -> None:
    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    assert services.pipeline.run([samples]).failed == 0
    flood = tmp_path / "flood"
    flood.mkdir()
    for n in range(60):
        _article(flood, f"bulletin-{n:02}.md", "See the dealer for each trim's figures.")
    report = services.pipeline.run([flood])
    assert report.ok == 60 and report.embedded == 2  # two distinct texts, stored once
    held = services.store.all_ids()
    probe = self_probe(services.store, held, sample=len(held))
    assert probe.tried == len(held) and probe.lost == [], probe.lost
    _clean(services)
    record(
        "integrity_shared",
        {
            "held": True,
            "files": 60,
            "embedded": report.embedded,
            "chunks probed": probe.tried,
            "unreachable": len(probe.lost),
        },
    )


def test_a_crash_while_handing_on_leaves_nothing_inconsistent(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    _article(folder, "one.md", "First report body.")
    _article(folder, "two.md", "Second report body.")
    assert services.pipeline.run([folder]).ok == 2
    [footer] = _holding(services, FOOTER)
    owner = footer.rsplit(":", 1)[0]

    def crash(*_: Any) -> str:
        raise RuntimeError("killed between the copy and the ledger")

    monkeypatch.setattr(services.ledger, "hand_on", crash)
    with pytest.raises(RuntimeError):
        services.pipeline.delete(owner)
    monkeypatch.undo()
    assert len(_holding(services, FOOTER)) == 2  # the copy, not yet listed by anyone
    report = services.pipeline.run([folder])  # the next run removes it, then goes on
    assert report.orphans_removed == 1
    assert len(_holding(services, FOOTER)) == 1
    _clean(services)
    record("integrity_share_crash", {"held": True, "orphans removed": report.orphans_removed})
