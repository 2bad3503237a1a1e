"""The BM25 tokenizer, writer (ingest/lexical.py) and reader (retrieval/lexical.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.services import Services
from ingest.analysis import query_tokens, tokenize
from ingest.lexical.format import CURRENT, FORMAT_VERSION
from ingest.lexical.writer import LexicalIndex
from ingest.pipeline import Pipeline
from ingest.pipeline.plan import ChunkOptions
from ingest.store import ChromaStore
from retrieval.errors import IndexUnavailable
from retrieval.lexical import LexicalReader

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


# --- tokenizer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("a 2.5L engine", "2.5l"),
        ("displacement 1,498 cc", "1,498"),
        ("the 1.5T turbo", "1.5t"),
        ("with a CVT gearbox", "cvt"),
        ("uses 5.8 L/100km combined", "l/100km"),
        ("0-100 km/h in 8.9 s", "0-100"),
        ("the U2 1.5 CRDi diesel", "u2"),
        ("小鹏G3i正式上市", "g3i"),
        ("a 12.3-inch screen", "12.3-inch"),
    ],
)
def test_spec_tokens_stay_whole_and_lowercase(text: str, whole: str) -> None:
    assert whole in tokenize(text)


def test_spec_tokens_also_give_the_parts_a_query_may_spell_apart() -> None:
    tokens = tokenize("2.5L, 1,498 cc, 5.8L/100km, 0-100")
    assert {"2.5", "l", "1498", "100km", "0", "100"} <= set(tokens)
    assert "2" not in tokens and "5l" not in tokens  # a decimal point never splits
    assert set(query_tokens("1.5 l CRDi")) & set(tokenize("U2 1.5l CRDi")) >= {"1.5", "l", "crdi"}


def test_chinese_becomes_character_bigrams_and_latin_inside_it_stays_whole() -> None:
    assert tokenize("全新日产奇骏KR15发动机") == [
        "全新", "新日", "日产", "产奇", "奇骏", "kr15", "发动", "动机",
    ]  # fmt: skip
    assert tokenize("省") == ["省"]


def test_full_width_forms_are_normalised_for_tokens_only() -> None:
    assert tokenize("０．２０８，这是") == tokenize("0.208，这是") == ["0.208", "这是"]
    assert tokenize("ＣＶＴ") == ["cvt"]


def test_plurals_fold_but_codes_and_units_do_not() -> None:
    assert tokenize("8 speakers, 6 airbags, batteries") == [
        "8",
        "speaker",
        "6",
        "airbag",
        "battery",
    ]
    assert tokenize("kms PS gas class Lexus G3is") == ["kms", "ps", "gas", "class", "lexus", "g3is"]


def test_stopwords_are_dropped_and_query_tokens_are_unique() -> None:
    assert tokenize("What is the torque of the engine") == ["torque", "engine"]
    assert query_tokens("torque torque TORQUE") == ["torque"]


# --- writer and reader on a store filled by hand -----------------------------------------


def _fill(store: ChromaStore, embedder, chunks: dict[str, tuple[str, dict[str, object]]]) -> None:  # type: ignore[no-untyped-def]
    ids = list(chunks)
    texts = [chunks[i][0] for i in ids]
    metadatas = []
    for chunk_id in ids:
        doc_id, index = chunk_id.rsplit(":", 1)
        base: dict[str, object] = {
            "source": f"/corpus/{doc_id}.md",
            "doc_id": doc_id,
            "file_type": "md",
            "title": doc_id.title(),
            "section": "Specs",
            "header": f"{doc_id.title()} > Specs",
            "chunk_index": int(index),
        }
        base.update(chunks[chunk_id][1])
        metadatas.append(base)
    store.upsert(ids, embedder.embed_documents(texts), texts, metadatas)  # type: ignore[arg-type]


@pytest.fixture
def filled(services: Services, embedder) -> tuple[ChromaStore, Path]:  # type: ignore[no-untyped-def]
    _fill(
        services.store,
        embedder,
        {
            "aurora:0": ("The 1.5T engine makes 270 Nm of torque through a CVT.", {}),
            "aurora:1": ("Torque torque torque: peak torque arrives at 1,500 rpm.", {}),
            "aurora:2": ("The boot holds 520 litres.", {"page": 3}),
            "lumen:0": ("Battery 66 kWh, torque 310 Nm.", {"file_type": "txt"}),
            "xpeng:0": ("G3i 520G搭载66kWh的三元锂电池，续航里程为520km。", {"title": "小鹏G3i"}),
        },
    )
    return services.store, services.settings.data_dir / "lexical"


def test_rebuild_indexes_text_and_header_and_keeps_metadata(filled) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    stats = LexicalIndex(directory).rebuild(store)
    assert (stats.chunks, stats.tokenized) == (5, 5)
    reader = LexicalReader(directory)
    assert [i for i, _ in reader.search("1.5T CVT", k=5)] == ["aurora:0"]
    assert [i for i, _ in reader.search("三元锂电池 续航", k=5)] == ["xpeng:0"]
    # "Lumen" appears only in the header (the title), not in any chunk text.
    assert [i for i, _ in reader.search("lumen", k=5)] == ["lumen:0"]
    assert reader.metadata("aurora:2") == {
        "source": "/corpus/aurora.md",
        "file_type": "md",
        "title": "Aurora",
        "section": "Specs",
        "doc_id": "aurora",
        "chunk_index": 2,
        "page": 3,
    }
    assert reader.metadata("nope:0") is None


def test_passages_serve_stored_texts_only_while_the_index_is_in_step(
    filled, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    LexicalIndex(directory).rebuild(store)
    marker = tmp_path / "specrag.dirty"
    reader = LexicalReader(directory, dirty_marker=marker)
    found = reader.passages(["xpeng:0", "aurora:2", "nope:0"])
    assert set(found) == {"xpeng:0", "aurora:2"}  # an id the index lacks is left to Chroma
    for hit in store.get(["xpeng:0", "aurora:2"]):
        text, metadata = found[hit.id]
        assert text == hit.text  # multi-byte UTF-8 sliced whole
        assert metadata == reader.metadata(hit.id)
    marker.touch()  # a writer is between Chroma and the rebuild
    assert reader.passages(["xpeng:0"]) == {}
    marker.unlink()
    assert LexicalReader(directory).passages(["xpeng:0"]) == {}  # no marker to check: never
    generation = directory / str(reader.generation)
    for name in ("texts.bin", "texts.offsets.npy"):  # a generation written before texts
        (generation / name).unlink()
    assert LexicalReader(directory, dirty_marker=marker).passages(["xpeng:0"]) == {}
    manifest = generation / "manifest.json"  # written by another version: BM25 cannot load it
    manifest.write_text(
        manifest.read_text().replace(f'"format": {FORMAT_VERSION}', '"format": 999')
    )
    unreadable = LexicalReader(directory, dirty_marker=marker)
    with pytest.raises(IndexUnavailable):
        unreadable.search("torque", k=5)
    assert unreadable.passages(["xpeng:0"]) == {}  # a vector search still gets Chroma's texts


def test_results_are_best_first_and_only_chunks_sharing_a_term(filled) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    LexicalIndex(directory).rebuild(store)
    hits = LexicalReader(directory).search("torque", k=10)
    assert [i for i, _ in hits] == ["aurora:1", "lumen:0", "aurora:0"]
    assert hits[0][1] > hits[1][1] > hits[2][1] > 0
    assert LexicalReader(directory).search("torque", k=1) == hits[:1]
    assert LexicalReader(directory).search("zeppelin", k=10) == []


def test_filters_apply_before_the_top_k_is_cut(filled) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    LexicalIndex(directory).rebuild(store)
    reader = LexicalReader(directory)
    # Unfiltered, lumen:0 is not the best "torque" chunk; with k=1 and a filter it must
    # still come back, which a filter applied after a top-1 cut would lose.
    assert [i for i, _ in reader.search("torque", k=1, filters={"file_type": ["txt"]})] == [
        "lumen:0"
    ]
    both = reader.search("torque", k=5, filters={"doc_id": ["aurora"], "section": ["Specs"]})
    assert [i for i, _ in both] == ["aurora:1", "aurora:0"]
    assert reader.search("torque", k=5, filters={"doc_id": ["aurora", "lumen"]})[-1][0] == (
        "aurora:0"
    )
    assert reader.search("torque", k=5, filters={"doc_id": ["unknown"]}) == []


def test_a_rebuild_retokenizes_only_changed_chunks(filled, embedder) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    index = LexicalIndex(directory)
    index.rebuild(store)
    assert index.rebuild(store).tokenized == 0
    _fill(store, embedder, {"aurora:2": ("The boot now holds 555 litres.", {})})
    store.delete(["lumen:0"])
    stats = index.rebuild(store)
    assert (stats.chunks, stats.tokenized) == (4, 1)
    reader = LexicalReader(directory)
    assert [i for i, _ in reader.search("555 litres", k=5)] == ["aurora:2"]
    assert reader.search("battery", k=5) == []


def test_reader_reloads_only_when_a_new_generation_goes_live(filled, embedder) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    index = LexicalIndex(directory)
    index.rebuild(store)
    reader = LexicalReader(directory)
    first = reader.generation
    snapshot = reader._current()
    assert reader._current() is snapshot  # no change on disk: nothing reloaded
    _fill(store, embedder, {"zeta:0": ("A zeppelin-shaped roof box.", {})})
    assert reader.search("zeppelin", k=3) == []  # not indexed until the rebuild
    index.rebuild(store)
    assert reader.generation != first
    assert [i for i, _ in reader.search("zeppelin", k=3)] == ["zeta:0"]


def test_generations_are_swapped_whole_and_old_ones_pruned(filled) -> None:  # type: ignore[no-untyped-def]
    store, directory = filled
    index = LexicalIndex(directory)
    names = [index.rebuild(store).generation for _ in range(4)]
    live = (directory / CURRENT).read_text().split()
    assert live[0] == names[-1]
    assert sorted(p.name for p in directory.glob("gen-*")) == names[-2:]
    assert not list(directory.glob(".build-*"))


def test_no_index_or_an_empty_store_finds_nothing(services: Services, tmp_path: Path) -> None:
    assert LexicalReader(tmp_path / "missing").search("torque", k=5) == []
    directory = tmp_path / "lexical"
    assert LexicalIndex(directory).rebuild(services.store).chunks == 0
    reader = LexicalReader(directory)
    assert reader.generation is not None and reader.count == 0
    assert reader.search("torque", k=5) == []
    assert reader.cars_of(["aurora:0"]) == {"aurora:0": ()}
    assert LexicalReader(tmp_path / "missing").cars_of(["aurora:0"]) == {}


# --- kept in step with ingest ------------------------------------------------------------


@pytest.mark.slow
def test_update_and_delete_reach_the_lexical_index_through_after_write(
    services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("aurora_x5.md", "lumen_e2.txt"):
        shutil.copy(SAMPLES / name, folder / name)
    directory = services.settings.data_dir / "lexical"
    index = LexicalIndex(directory)
    pipeline = Pipeline(
        store=services.store,
        ledger=services.ledger,
        embedder=services.embedder,
        chunking=ChunkOptions(),
        workers=0,
        lock_path=services.settings.data_dir / "test.lock",
        after_write=lambda: index.rebuild(services.store),
    )
    reader = LexicalReader(directory)

    pipeline.run([folder])
    assert reader.count == services.store.count() > 2
    assert reader.search("quokkamobile", k=3) == []

    lumen = folder / "lumen_e2.txt"
    lumen.write_text(lumen.read_text() + "\nThe Lumen E2 is also sold as the Quokkamobile.\n")
    pipeline.run([folder])
    hits = reader.search("quokkamobile", k=3)
    assert len(hits) == 1 and reader.metadata(hits[0][0])["source"] == str(lumen)  # type: ignore[index]
    assert reader.count == services.store.count()

    doc_id = reader.metadata(hits[0][0])["doc_id"]  # type: ignore[index]
    pipeline.delete(doc_id)
    assert reader.search("quokkamobile", k=3) == []
    assert reader.metadata(f"{doc_id}:0") is None
    assert reader.count == services.store.count()

    (folder / "aurora_x5.md").unlink()
    lumen.unlink()
    pipeline.run([folder], prune=True)
    assert reader.count == services.store.count() == 0
