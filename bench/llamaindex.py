"""specrag against a plain LlamaIndex pipeline, side by side in one run on the same corpus.

    python -m bench.llamaindex --corpus ../shared/corpus --qa ../shared/eval/dev-qa.jsonl \\
        --out BENCHMARKS.md
    python -m bench.llamaindex --corpus ../shared/corpus --qa ../shared/eval/dev-qa.jsonl \\
        --also bench/questions/test.jsonl --out BENCHMARKS.md     # and the test half beside it
    python -m bench.llamaindex --corpus ../shared/corpus --limit 4 --out /tmp/b.md   # a smoke run

LlamaIndex, as its documentation builds it: `SimpleDirectoryReader(recursive=True)` over the
same file types specrag reads (`--exts`), `SentenceSplitter`, `HuggingFaceEmbedding` on the
same packaged all-MiniLM-L6-v2 folder (its default batch of 10), `ChromaVectorStore` on a
`PersistentClient` in a temporary folder, `VectorStoreIndex.from_documents`, and
`index.as_retriever(similarity_top_k=...)`. Every component is passed explicitly; the global
`Settings` is not touched. `--splitters` lists the splitter settings to run: `default`
(SentenceSplitter(): 1,024 tokens, overlap 200) and `N/M` (chunk_size N, chunk_overlap M;
`256/32` matches specrag's chunk size and overlap).

specrag: `specrag ingest --json` with its default settings.

Each cold ingest runs in a fresh process into an empty folder, specrag's first (so any disk
cache it warms helps LlamaIndex, not us). In-run time is from the first file read to the
last vector written, model load included, interpreter start-up and imports excluded; the
whole-process time is shown beside it. Then, in this process, both indexes answer every dev
question at depth 10 and are judged by the same rule, `retrieval.evaluate.judge` (LlamaIndex's
nodes are adapted into `Result`s: text, and `file_path` as the citation's source), and query
latency is timed over `--queries` calls at k=5 after a warm-up. Each `--also` question set
(the retrieval dev set's test half, say) is judged the same way on the same indexes, in a
table of its own (recall, MRR, recall@5 by language, comparison pairs found@5).

Needs the LlamaIndex integration packages, which specrag itself does not: see `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.ingest import machine, run_cli, write_section
from bench.query import (
    CORPUS_EXTS,
    DEV_QA,
    REPO,
    answerable,
    corpus_subset,
    fmt_ms,
    load_note,
    offline_env,
    percentiles,
)
from retrieval.evaluate import Question, judge, load_questions, report_mode
from retrieval.search import Citation, Result, Scores

SECTION = "## LlamaIndex baseline"
COLLECTION = "llamaindex"
MODEL = "all-MiniLM-L6-v2"
DEPTH = 10  # what the evaluation reads: recall@10 and MRR need the top 10


# -- LlamaIndex ------------------------------------------------------------------------------


def parse_splitter(spec: str) -> dict[str, int]:
    """`default` → SentenceSplitter's own defaults; `N/M` → chunk_size N, chunk_overlap M."""
    if spec == "default":
        return {}
    size, _, overlap = spec.partition("/")
    return {"chunk_size": int(size), "chunk_overlap": int(overlap or 0)}


def splitter_label(spec: str) -> str:
    if spec == "default":
        return "LlamaIndex, default splitter (1024/200)"
    options = parse_splitter(spec)
    return f"LlamaIndex, splitter {options['chunk_size']}/{options['chunk_overlap']}"


def embed_model() -> Any:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from ingest.embedding.model import resolve_model_path

    return HuggingFaceEmbedding(model_name=str(resolve_model_path(MODEL)), device="cpu")


def chroma_collection(data_dir: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return client.get_or_create_collection(COLLECTION)


def llamaindex_ingest(corpus: Path, data_dir: Path, spec: str, exts: Sequence[str]) -> dict:
    """The plain LlamaIndex cold ingest; run in a fresh process (`--ingest-llamaindex`)."""
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    started = time.perf_counter()
    reader = SimpleDirectoryReader(str(corpus), recursive=True, required_exts=list(exts))
    documents = reader.load_data()
    read = time.perf_counter() - started
    vector_store = ChromaVectorStore(chroma_collection=chroma_collection(data_dir))
    VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=vector_store),
        embed_model=embed_model(),
        transformations=[SentenceSplitter(**parse_splitter(spec))],
    )
    seconds = time.perf_counter() - started
    return {
        "files": len(reader.input_files),
        "documents": len(documents),
        "chunks": vector_store._collection.count(),
        "seconds": seconds,
        "read_seconds": read,
    }


class LlamaSearcher:
    """A LlamaIndex retriever over the persisted index, answering with our `Result`s."""

    def __init__(self, data_dir: Path, embed: Any) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        store = ChromaVectorStore(chroma_collection=chroma_collection(data_dir))
        self.index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
        self.retrievers: dict[int, Any] = {}

    def search(self, query: str, *, k: int) -> list[Result]:
        if k not in self.retrievers:
            self.retrievers[k] = self.index.as_retriever(similarity_top_k=k)
        return [adapt(found) for found in self.retrievers[k].retrieve(query)]


def adapt(found: Any) -> Result:
    """A LlamaIndex `NodeWithScore` as our `Result`: what `judge` reads is text and source."""
    node = found.node
    metadata = node.metadata or {}
    page = metadata.get("page_label")
    return Result(
        chunk_id=node.node_id,
        text=node.get_content(),
        score=float(found.score or 0.0),
        scores=Scores(vector=found.score),
        citation=Citation(
            source=str(Path(metadata.get("file_path", "")).resolve()),
            page=int(page) if str(page).isdigit() else None,
        ),
    )


# -- both ------------------------------------------------------------------------------------


def run_child(args: list[str]) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.llamaindex", *args], capture_output=True, text=True, cwd=REPO
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"LlamaIndex ingest failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), seconds


def quality(search: Callable[[str], list[Result]], questions: Sequence[Question]) -> dict:
    return report_mode([judge(q, search(q.question)) for q in questions])


def latencies(
    searches: dict[str, Callable[[str], object]], queries: Sequence[str], n: int
) -> dict[str, dict[str, float]]:
    """p50/p95 of each search over `n` queries; the searches take turns query by query, so
    a burst of load elsewhere on the machine hits them all alike."""
    for query in queries[: min(10, len(queries))]:  # warm-up
        for search in searches.values():
            search(query)
    samples: dict[str, list[float]] = {name: [] for name in searches}
    for i in range(n):
        for name, search in searches.items():
            started = time.perf_counter()
            search(queries[i % len(queries)])
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: percentiles(found) for name, found in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--qa", type=Path, default=DEV_QA)
    parser.add_argument(
        "--also", type=Path, action="append", default=[], help="another question set (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--limit", type=int, default=0, help="only N corpus files (0: all)")
    parser.add_argument(
        "--splitters", default="default,256/32", help="comma-separated: default and/or N/M"
    )
    parser.add_argument("--exts", default=",".join(CORPUS_EXTS), help="LlamaIndex's required_exts")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per pipeline")
    parser.add_argument("--ingest-llamaindex", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    offline_env()
    exts = [e if e.startswith(".") else f".{e}" for e in args.exts.split(",") if e]
    splitters = [s.strip() for s in args.splitters.split(",") if s.strip()]

    if args.ingest_llamaindex:  # the child process
        result = llamaindex_ingest(args.corpus, args.ingest_llamaindex, splitters[0], exts)
        sys.stdout.write(json.dumps(result) + "\n")
        return

    from api.services import Services
    from api.settings import Settings

    load_before = os.getloadavg()[0]
    questions = load_questions(args.qa)
    also = {path: load_questions(path) for path in args.also}
    corpus = args.corpus.resolve()
    with tempfile.TemporaryDirectory(prefix="specrag-bench-llamaindex-") as tmp:
        work = Path(tmp)
        if args.limit:
            corpus = corpus_subset(corpus, args.limit, questions, work / "corpus")
        questions = answerable(questions, corpus)
        also = {path: answerable(found, corpus) for path, found in also.items()}
        queries = [q.question for q in questions]

        # cold ingests, each in a fresh process; ours first
        print("specrag: cold ingest", file=sys.stderr)
        ours_dir = work / "specrag"
        env = dict(os.environ, SPECRAG_DATA_DIR=str(ours_dir))
        ours_report, ours_wall = run_cli(["ingest", "--json", str(corpus)], env)
        ingests: dict[str, dict] = {
            "specrag": {
                "files": ours_report["files"]["ok"],
                "chunks": ours_report["chunks"]["embedded"],
                "seconds": ours_report["seconds"],
                "wall": ours_wall,
            }
        }
        llama_dirs: dict[str, Path] = {}
        for number, spec in enumerate(splitters, 1):
            print(f"{splitter_label(spec)}: cold ingest", file=sys.stderr)
            llama_dirs[spec] = work / f"llamaindex-{number}"
            child = [
                "--corpus", str(corpus), "--splitters", spec, "--exts", ",".join(exts),
                "--ingest-llamaindex", str(llama_dirs[spec]),
            ]  # fmt: skip
            report, wall = run_child(child)
            ingests[spec] = {**report, "wall": wall}

        # quality and latency, in this process
        print("evaluating", file=sys.stderr)
        services = Services(Settings(data_dir=ours_dir))
        searcher = services.searcher
        embed = embed_model()
        columns: dict[str, dict[str, Any]] = {}
        top5: dict[str, Callable[[str], object]] = {}
        deep: dict[str, Callable[[str], list[Result]]] = {}
        for spec in splitters:
            llama = LlamaSearcher(llama_dirs[spec], embed)
            name = splitter_label(spec)
            deep[name] = lambda q, s=llama: s.search(q, k=DEPTH)
            columns[name] = {"ingest": ingests[spec]}
            top5[name] = lambda q, s=llama: s.search(q, k=5)
        for mode in ("hybrid", "vector"):
            name = f"specrag, {mode}"
            deep[name] = lambda q, m=mode: searcher.search(q, k=DEPTH, mode=m)
            columns[name] = {"ingest": ingests["specrag"] if mode == "hybrid" else None}
            top5[name] = lambda q, m=mode: searcher.search(q, k=5, mode=m)
        for name, search in deep.items():
            columns[name]["quality"] = quality(search, questions)
            columns[name]["also"] = {path: quality(search, found) for path, found in also.items()}
        for name, stats in latencies(top5, queries, args.queries).items():
            columns[name]["latency"] = stats
        backend = getattr(services.embedder, "backend", "torch")
        batch = services.embedder.batch_size
        services.close()

    table = render(columns, questions)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subset = f", first {args.limit} files (gold documents first)" if args.limit else ""
    langs = sorted({q.lang for q in questions})
    lines = [
        SECTION,
        "",
        f"Measured {stamp} on {machine()}; {load_note(load_before)}.",
        f"Command: `python -m bench.llamaindex --corpus {args.corpus} --qa {args.qa}"
        + (f" --limit {args.limit}" if args.limit else "")
        + "".join(f" --also {path}" for path in args.also)
        + f"`; corpus `{args.corpus}`{subset}; {len(questions)} dev questions "
        f"({', '.join(f'{sum(q.lang == lang for q in questions)} {lang}' for lang in langs)}).",
        "",
        f"LlamaIndex: `SimpleDirectoryReader(recursive=True, required_exts={exts})` (the file "
        "types specrag reads; PDFs through llama-index-readers-file's PDFReader on pypdf "
        "7.1.0), `SentenceSplitter` as in the column, `HuggingFaceEmbedding` on the packaged "
        f"{MODEL} folder (fp32 torch, its default batch of 10), `ChromaVectorStore` on a "
        "`PersistentClient`, `VectorStoreIndex.from_documents`, "
        "`as_retriever(similarity_top_k=...)`. specrag: `specrag ingest` with default settings "
        f"(256 tokens, overlap 32, batch {batch}, {MODEL} on {backend}); hybrid is our default "
        "search. "
        "Cold ingests run each in a fresh process (specrag's first); in-run time includes model "
        "load. Recall and MRR: top 10 of each, judged by the same rule "
        "(`retrieval.evaluate.judge`). Latency: in-process, k=5, "
        f"{args.queries} queries each after a warm-up, the pipelines taking turns query by query.",
        "",
        *table,
        "",
    ]
    for path, found in also.items():
        lines += [*render_also(columns, path, found), ""]
    write_section(args.out, SECTION, "\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")


def render(columns: dict[str, dict[str, Any]], questions: Sequence[Question]) -> list[str]:
    names = list(columns)
    ours = columns["specrag, hybrid"]
    theirs = [n for n in names if n.startswith("LlamaIndex")]

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> str:
        return f"| {label} | " + " | ".join(cell(columns[n]) for n in names) + " |"

    def ingest(key: Callable[[dict], str]) -> Callable[[dict[str, Any]], str]:
        return lambda c: key(c["ingest"]) if c["ingest"] else "(same index)"

    def recall(cut: int, lang: str | None = None) -> Callable[[dict[str, Any]], str]:
        def cell(c: dict[str, Any]) -> str:
            part = c["quality"] if lang is None else c["quality"]["by_lang"].get(lang)
            return f"{part[f'recall@{cut}']:.3f}" if part else "—"

        return cell

    lines = [
        "| measure | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        row("files read", ingest(lambda i: f"{i['files']}")),
        row("chunks", ingest(lambda i: f"{i['chunks']}")),
        row("cold ingest, in-run", ingest(lambda i: f"{i['seconds']:.1f} s")),
        row("cold ingest, whole process", ingest(lambda i: f"{i['wall']:.1f} s")),
        row(
            "cold ingest throughput", ingest(lambda i: f"{i['chunks'] / i['seconds']:.1f} chunks/s")
        ),
        row("recall@1", recall(1)),
        row("recall@5", recall(5)),
        row("recall@10", recall(10)),
        row("MRR (top 10)", lambda c: f"{c['quality']['mrr']:.3f}"),
    ]
    for lang in sorted({q.lang for q in questions}):
        n = sum(q.lang == lang for q in questions)
        lines.append(row(f"recall@5, {lang} ({n} questions)", recall(5, lang)))
    lines.append(row("query latency p50 / p95 (k=5)", lambda c: fmt_ms(c["latency"])))
    rate = ours["ingest"]["chunks"] / ours["ingest"]["seconds"]
    lines.append("")
    for name in theirs:
        theirs_rate = columns[name]["ingest"]["chunks"] / columns[name]["ingest"]["seconds"]
        gain = (ours["quality"]["recall@5"] - columns[name]["quality"]["recall@5"]) * 100
        lines.append(
            f"- against {name}: specrag ingests {rate / theirs_rate:.2f}× its chunks/s "
            f"(target ≥ 2×), the whole corpus in {ours['ingest']['seconds']:.1f} s against "
            f"{columns[name]['ingest']['seconds']:.1f} s; hybrid recall@5 {gain:+.1f} points "
            "(target ≥ +10)."
        )
    return lines


def render_also(
    columns: dict[str, dict[str, Any]], path: Path, questions: Sequence[Question]
) -> list[str]:
    """One `--also` question set: quality only, each pipeline a row."""
    langs = sorted({q.lang for q in questions})
    head = ["r@1", "r@5", "r@10", "MRR", *(f"r@5 {lang}" for lang in langs), "pairs found@5"]
    lines = [
        f"On `{path}` ({len(questions)} questions, "
        + ", ".join(f"{sum(q.lang == lang for q in questions)} {lang}" for lang in langs)
        + "), same indexes, same rule:",
        "",
        "| pipeline | " + " | ".join(head) + " |",
        "|---|" + "---|" * len(head),
    ]
    for name, column in columns.items():
        report = column["also"][path]
        cells = [f"{report[f'recall@{cut}']:.3f}" for cut in (1, 5, 10)]
        cells.append(f"{report['mrr']:.3f}")
        cells += [f"{report['by_lang'][lang]['recall@5']:.3f}" for lang in langs]
        pairs = report["pairs"]
        cells.append(f"{pairs['found@5']}/{pairs['pairs']}" if pairs["questions"] else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    main()
