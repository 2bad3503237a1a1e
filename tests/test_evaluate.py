"""The retrieval evaluation: the hit rule, the report's shape, and a run on a real index."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services import Services
from ingest.lexical.writer import LexicalIndex
from ingest.pipeline import Pipeline
from ingest.pipeline.plan import ChunkOptions
from retrieval.errors import InvalidQuestions
from retrieval.evaluate import (
    evaluate,
    evaluate_file,
    format_table,
    load_questions,
    same_document,
)
from retrieval.lexical import LexicalReader
from retrieval.search import Result, Searcher

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

# Verbatim in the sources, but across a line break: the chunk holds "without\na large".
AURORA = "built for families who want a roomy cabin without a large footprint"
LUMEN = "Motor torque: 220 Nm"
MERIDIAN = "子午线S的车身长度为4850毫米，轴距达到2830毫米"


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


QUESTIONS = [
    # whitespace differs from the chunk: still a hit
    _line(id="ws", question="roomy cabin without a large footprint Aurora X5", lang="en",
          type="paraphrase", doc="cars/aurora_x5.md", evidence=AURORA.replace(" a ", "   a\n ")),
    # the gold file is not indexed; its alt_docs entry is
    _line(id="alt", question="Lumen E2 motor torque Nm", lang="en", type="lookup",
          doc="cars/not_indexed.md", evidence=LUMEN,
          alt_docs=[{"doc": "cars/lumen_e2.txt", "evidence": LUMEN}]),
    # two documents: only the second pair can be found
    _line(id="pair", question="子午线S 车身长度 轴距", lang="zh", type="comparison",
          doc=["cars/aurora_x5.md", "zh/meridian_s_zh.md"],
          evidence=["this sentence is in no document", MERIDIAN]),
    # the evidence is real but the gold document is another one: never a hit
    _line(id="wrongdoc", question="Lumen E2 motor torque Nm", lang="en", type="lookup",
          doc="cars/aurora_x5.md", evidence=LUMEN),
]  # fmt: skip


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[Searcher, Path]]:  # type: ignore[no-untyped-def]
    """Three sample files in a corpus-like tree, ingested, and the mini QA file."""
    from api.settings import Settings

    root = tmp_path_factory.mktemp("eval")
    corpus = root / "corpus"
    for relative in ("cars/aurora_x5.md", "cars/lumen_e2.txt", "zh/meridian_s_zh.md"):
        (corpus / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / Path(relative).name, corpus / relative)
    services = Services(Settings(data_dir=root / "index", workers=0), embedder=embedder)
    index = LexicalIndex(services.settings.data_dir / "lexical")
    Pipeline(
        store=services.store,
        ledger=services.ledger,
        embedder=embedder,
        chunking=ChunkOptions(),
        workers=0,
        after_write=lambda: index.rebuild(services.store),
    ).run([corpus])
    qa = root / "qa.jsonl"
    qa.write_text("\n".join(QUESTIONS) + "\n\n", encoding="utf-8")
    searcher = Searcher(
        store=services.store, embedder=embedder, lexical=LexicalReader(index.directory)
    )
    yield searcher, qa
    services.close()


class Scripted:
    """Returns the same real results for every question: isolates the hit rule from ranking."""

    def __init__(self, results: list[Result]) -> None:
        self.results = results

    def search(self, query: str, *, k: int, mode: str) -> list[Result]:
        return self.results[:k]


def _chunk_holding(searcher: Searcher, fragment: str) -> Result:
    for result in searcher.search(fragment, k=20, mode="lexical"):
        if " ".join(fragment.split()) in " ".join(result.text.split()):
            return result
    raise AssertionError(f"no chunk holds {fragment!r}")


@pytest.mark.slow
def test_hit_rule_collapses_whitespace_accepts_alt_docs_and_counts_pairs(mini) -> None:  # type: ignore[no-untyped-def]
    searcher, qa = mini
    aurora, lumen, meridian = (_chunk_holding(searcher, f) for f in (AURORA, LUMEN, MERIDIAN))
    assert AURORA not in aurora.text  # only equal once whitespace is collapsed
    questions = load_questions(qa)
    filler = [
        r
        for r in searcher.search("Aurora X5", k=20, filters={"source": aurora.citation.path})
        if " ".join(AURORA.split()) not in " ".join(r.text.split())
    ]
    assert len(filler) >= 4
    ranked = [*filler[:2], aurora, lumen, *filler[2:4], meridian]  # ranks 3, 4 and 7
    report = evaluate(Scripted(ranked), questions, modes=["lexical"])["lexical"]  # type: ignore[arg-type]
    # ws: first hit at 3; alt: at 4; pair: at 7 (second pair only); wrongdoc: never.
    assert report["n"] == 4
    assert (report["recall@1"], report["recall@5"], report["recall@10"]) == (0.0, 0.5, 0.75)
    assert report["mrr"] == pytest.approx(round((1 / 3 + 1 / 4 + 1 / 7) / 4, 4))
    assert report["pairs"] == {
        "questions": 1, "pairs": 2, "found@1": 0, "found@5": 0, "found@10": 1,
    }  # fmt: skip
    assert report["by_lang"]["zh"] == {
        "n": 1, "recall@1": 0.0, "recall@5": 0.0, "recall@10": 1.0, "mrr": round(1 / 7, 4),
    }  # fmt: skip
    assert report["by_type"]["lookup"]["n"] == 2 and report["by_type"]["lookup"]["recall@5"] == 0.5
    assert report["missed@5"] == ["pair", "wrongdoc"]


@pytest.mark.slow
def test_evaluate_file_reports_every_mode_and_formats_a_table(mini) -> None:  # type: ignore[no-untyped-def]
    searcher, qa = mini
    report = evaluate_file(searcher, qa)
    assert list(report) == ["vector", "lexical", "hybrid"]
    for mode in report.values():
        assert set(mode) >= {"n", "recall@1", "recall@5", "recall@10", "mrr", "by_lang", "by_type"}
        assert mode["n"] == 4 and set(mode["by_lang"]) == {"en", "zh"}
        assert "wrongdoc" in mode["missed@5"]
    # Each question names its chunk's rare terms: lexical finds three of four at rank 1.
    assert report["lexical"]["recall@1"] == 0.75
    assert report["hybrid"]["recall@10"] == 0.75
    json.dumps(report)  # the --json output
    table = format_table(report)
    lines = table.splitlines()
    assert "vector" in lines[0] and "lexical" in lines[0] and "hybrid" in lines[0]
    assert any(line.startswith("all") and " 4 " in line for line in lines)
    assert any(line.startswith("lang=zh") for line in lines)
    assert any(line.startswith("type=comparison") for line in lines)
    assert "two-document questions: 1" in table


def test_document_match_is_by_whole_path_suffix() -> None:
    assert same_document("/data/corpus/cars/aurora_x5.md", "cars/aurora_x5.md")
    assert same_document("/data/corpus/cars/aurora_x5.md", "aurora_x5.md")
    assert not same_document("/data/corpus/cars/aurora_x5.md", "x5.md")
    assert not same_document("/data/corpus/trucks/aurora_x5.md", "cars/aurora_x5.md")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "q1", "question": "x"}\n', "qa.jsonl:1: not a question line"),
        ('\n{"id": "q1"', "qa.jsonl:2"),
        ('{"id": "q", "question": "x", "doc": ["a", "b"], "evidence": ["e"]}', "aligned"),
        ("\n\n", "holds no questions"),
    ],
)
def test_malformed_question_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidQuestions, match=message):
        load_questions(path)


def test_the_dev_questions_load(tmp_path: Path) -> None:
    dev = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-qa.jsonl"
    if not dev.is_file():
        pytest.skip("shared dev questions not found")
    questions = load_questions(dev)
    assert len(questions) >= 40
    assert {q.lang for q in questions} == {"en", "zh"}
    assert any(len(q.pairs) == 2 for q in questions)
    assert any(q.alternatives for q in questions)
