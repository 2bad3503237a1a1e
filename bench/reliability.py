"""The reliability and security proof: run every reliability test in its long form, then write
RELIABILITY.md from the figures the tests recorded.

    python -m bench.reliability --out RELIABILITY.md

The tests are the proof (each asserts what it measures); this script only sets
SPECRAG_RELIABILITY=1 (20 crash runs, 60 s of load, a longer fuzz, the bigger corpus files),
collects the figures each test drops in SPECRAG_RELIABILITY_OUT, and lays them out. The exit
status is pytest's: RELIABILITY.md is written either way, with the failures listed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TESTS = (
    "tests/test_bad_inputs_batch.py",
    "tests/test_crash_recovery.py",
    "tests/test_reliability_fuzz.py",
    "tests/test_reliability_load.py",
    "tests/test_reliability_llm_faults.py",
    "tests/test_llm.py",
    "tests/test_reliability_security.py",
    "tests/test_api_auth.py",
    "tests/test_guard_matrix.py",
    "tests/test_integrity.py",
    "tests/test_dedup.py",
    "tests/test_share.py",
    "tests/test_reliability_http.py",
    "tests/test_reliability_disconnect.py",
    "tests/test_reliability_faults.py",
)
# Issue 13's integrity classes: the figures file each test records, and what it proves.
INTEGRITY = (
    ("content", "1. content identity", "a file rewritten between hashing and parsing"),
    ("lost_index", "2. skip only what the index holds", "chroma.sqlite3 lost after an ingest"),
    ("repair", "2. skip only what the index holds", "chunks lost and orphaned, then repair"),
    ("owner", "3. one owner per data dir", "second server, CLI ingest on a served dir"),
    ("handover", "3. one owner per data dir", "CLI ingest handed to the server"),
    ("startup", "4. crash recovery", "uncommitted chunks at start, DELETE without ledger row"),
    ("upload_kill", "4. crash recovery", "server SIGKILLed mid-upload, restarted"),
    ("flood", "8. duplicates before HNSW", "1,536 chunks of 16 texts beside data/samples"),
    ("shared", "8. duplicates before HNSW", "60 files of one text beside data/samples"),
    ("handed_on", "8. duplicates before HNSW", "a shared text's owner deleted, a sharer rewritten"),
    ("share_crash", "8. duplicates before HNSW", "killed while handing a shared text on"),
)


def run_tests(figures: Path, junit: Path) -> tuple[int, float]:
    env = {
        **os.environ,
        "SPECRAG_RELIABILITY": "1",
        "SPECRAG_RELIABILITY_OUT": str(figures),
    }
    started = time.monotonic()
    code = subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            *TESTS,
        ],
        cwd=REPO,
        env=env,
    )
    return code, time.monotonic() - started


def _load(figures: Path, name: str) -> dict[str, Any] | None:
    path = figures / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _results(junit: Path) -> list[dict[str, Any]]:
    if not junit.exists():
        return []
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = {"failure": "FAILED", "error": "ERROR", "skipped": "skipped"}[tag]
        rows.append(
            {
                "test": f"{case.get('classname', '').removeprefix('tests.')}::{case.get('name')}",
                "seconds": float(case.get("time", 0)),
                "outcome": outcome,
            }
        )
    return rows


def _cell(value: Any) -> str:
    text = str(value if value is not None else "")
    return text.replace("|", "\\|").replace("\n", "\\n")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def render(figures: Path, results: list[dict[str, Any]], code: int, seconds: float) -> str:
    passed = sum(r["outcome"] == "passed" for r in results)
    failed = [r for r in results if r["outcome"] in ("FAILED", "ERROR")]
    out = [
        "# Reliability and security",
        "",
        "Written by `make reliability` (`python -m bench.reliability`): every figure below comes "
        "from a test that asserts it (the tests named in each section). Inside `make test` the "
        "same tests run in a short form.",
        "",
        f"- Run: {time.strftime('%Y-%m-%d %H:%M', time.localtime())}, {seconds / 60:.1f} minutes, "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}.",
        f"- Tests: {passed} passed, {len(failed)} failed, "
        f"{sum(r['outcome'] == 'skipped' for r in results)} skipped (pytest exit {code}).",
        "",
    ]
    if failed:
        out += ["**Failures:**", ""] + [f"- `{r['test']}`" for r in failed] + [""]

    bad = _load(figures, "bad_inputs")
    probe = _load(figures, "bad_inputs_probe") or {"kinds": {}}
    out += ["## 1. Bad inputs", ""]
    if bad:
        kinds = bad["kinds"]
        good = len(bad["good_indexed"])
        as_expected = sum(k["outcome"] == k["expected"] for k in kinds)
        out += [
            f"{len(kinds)} kinds in one ingest batch with {len(bad['good_files'])} good files "
            f"({bad['run_seconds']} s): {as_expected}/{len(kinds)} got the expected outcome; "
            f"good files indexed: {good}/{len(bad['good_files'])}. Each file was also parsed "
            f"and chunked alone in a forked child with a 60 s alarm and a 2 GB address-space "
            f"limit (peak RSS of that child; the probe process itself holds "
            f"{probe.get('baseline_rss_mb', '?')} MB). "
            "`tests/test_bad_inputs_batch.py`, corpus in `tests/reliability/corpus.py`.",
            "",
        ]
        rows = []
        for k in kinds:
            alone = probe["kinds"].get(k["kind"], {})
            rows.append(
                [
                    k["kind"],
                    f"`{k['file']!r}`" if "\n" in k["file"] else f"`{k['file']}`",
                    k["outcome"]
                    + ("" if k["outcome"] == k["expected"] else f" (expected {k['expected']})"),
                    k["reason"][:110],
                    k["chunks"],
                    alone.get("wall_seconds", ""),
                    alone.get("peak_rss_mb", ""),
                ]
            )
        out += _table(
            ["kind", "file", "outcome", "recorded reason", "chunks", "alone: s", "alone: peak MB"],
            rows,
        )
    else:
        out += ["(no figures: the test did not run to the end)", ""]

    crash = _load(figures, "crash_recovery")
    out += ["## 2. Crash recovery", ""]
    if crash:
        runs = crash["runs"]
        converged = sum(r["converged"] for r in runs)
        mid = sum(r["killed_mid_run"] for r in runs)
        out += [
            f"**{converged}/{len(runs)} runs converged** to the clean index (chunk ids, texts and "
            f"metadata in Chroma; ledger rows; lexical index ids and BM25 answers to "
            f"4 queries). {crash['files']} files, {crash['chunks']} chunks; an uninterrupted "
            f"CLI run takes {crash['uninterrupted_seconds']} s (data dir opened at "
            f"{crash['data_dir_opened_at_s']} s, first file committed at "
            f"{crash.get('first_commit_at_s', '?')} s). SIGKILL landed mid-run in {mid}/"
            f"{len(runs)} runs. `tests/test_crash_recovery.py`.",
            "",
        ]
        out += _table(
            [
                "run",
                "SIGKILL at (s)",
                "mid-run",
                "state at the kill",
                "re-run: ok/skipped/failed",
                "converged",
            ],
            [
                [
                    r["run"],
                    r["kill_at_s"],
                    "yes" if r["killed_mid_run"] else "no (finished)",
                    r["state_at_kill"],
                    "/".join(str(r["rerun_files"][k]) for k in ("ok", "skipped", "failed")),
                    "yes" if r["converged"] else "NO: " + "; ".join(r["differences"]),
                ]
                for r in runs
            ],
        )
    else:
        out += ["(no figures)", ""]

    fuzz = _load(figures, "fuzz")
    out += ["## 3. Fuzzing", ""]
    if fuzz:
        out += [
            f"Schemathesis, positive and negative cases, {fuzz['examples_per_operation_and_mode']} "
            f"examples per operation and mode over all {len(fuzz['operations'])} operations of "
            f"the schema (checked equal to the route table's): **{fuzz['cases']} cases, "
            f"{fuzz['server_errors']} server errors**; {fuzz['upstream_502_504']} answers were "
            "502/504 from the generate and chat routes, whose model endpoint is a refused "
            "loopback port by design. `tests/test_reliability_fuzz.py`.",
            "",
            "Statuses: " + ", ".join(f"{k}: {v}" for k, v in fuzz["statuses"].items()) + ".",
            "",
        ]
        out += _table(["operation", "cases"], [[k, v] for k, v in fuzz["per_operation"].items()])
    else:
        out += ["(no figures)", ""]

    load = _load(figures, "load")
    out += ["## 4. Load", ""]
    if load:
        lat, rss = load["latency_ms"], load["rss_mb"]
        out += [
            f"{load['clients']} clients over HTTP against `specrag serve` (uvicorn, loopback) for "
            f"{load['seconds']} s, `POST /v1/query` (hybrid, vector and lexical, k 3-10), while "
            f"`POST /v1/ingest` added {load['ingest']['documents_added']} documents "
            f"(sent at {load['ingest']['sent_at_s']} s, done at {load['ingest']['done_at_s']} s) "
            f"and `DELETE /v1/documents/…` removed one (at {load['delete']['sent_at_s']} s, "
            f"answered at {load['delete']['done_at_s']} s). `tests/test_reliability_load.py`.",
            "",
        ]
        out += _table(
            [
                "queries",
                "QPS",
                "errors",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "consistency violations",
            ],
            [
                [
                    load["queries"],
                    load["qps"],
                    load["errors"],
                    lat["p50"],
                    lat["p90"],
                    lat["p99"],
                    lat["max"],
                    load["consistency_violations"],
                ]
            ],
        )
        out += _table(
            ["server RSS MB: start (warm)", "peak", "2 s after the writes", "end"],
            [[rss["start"], rss["peak"], rss["after_writes"], rss["end"]]],
        )
        out += [
            "Consistency, as checked: every result's document existed at some instant between "
            "the query's send and its answer (in the index before the load, or added by the "
            "ingest and only after it was sent; the deleted document never in a query sent "
            "after its DELETE returned), each chunk id matches its citation, and queries sent "
            "after both writes finished return only chunks of the final index. "
            f"{load['ingest']['answers_citing_them']} answers cited the new documents; "
            f"{load['delete']['answers_citing_it_after']} cited the deleted one after its delete.",
            "",
        ]
    else:
        out += ["(no figures)", ""]

    faults = _load(figures, "llm_faults")
    out += ["## 5. LLM faults", ""]
    if faults:
        out += [
            f"`POST /v1/generate/blog` through the real `openai` client against a scripted "
            f"OpenAI-protocol server on loopback; timeout {faults['timeout_s']} s, "
            f"{faults['retries']} retries. The bound is attempts x timeout + the worst backoff "
            "+ 2 s. No failed attempt adds a usage row; answered calls add exactly the tokens "
            "the server counted. `tests/test_reliability_llm_faults.py` (and the model layer "
            "in `tests/test_llm.py`).",
            "",
        ]
        out += _table(
            [
                "fault",
                "status",
                "error type",
                "attempts",
                "elapsed s",
                "bound s",
                "usage rows added",
            ],
            [
                [
                    c["fault"],
                    c["status"],
                    c["type"],
                    c["attempts"],
                    c["elapsed_s"],
                    c["bound_s"] or "-",
                    c["usage_calls_added"],
                ]
                for c in faults["cases"]
            ],
        )
    else:
        out += ["(no figures)", ""]

    security = _load(figures, "security")
    out += ["## 6. Security", ""]
    if security:
        checks = security["checks"]
        ok = sum(c["passed"] for c in checks)
        out += [
            f"{ok}/{len(checks)} checks passed, with `SPECRAG_API_KEY` set. The key probe walks "
            "the whole route table, mounts included, plus undeclared paths; `/`, `/static/*` "
            "(the web page's own files, compared byte for byte) and `/healthz`, `/readyz` are "
            "public by design. `tests/test_reliability_security.py`, `tests/test_api_auth.py`.",
            "",
        ]
        out += _table(
            ["group", "check", "status", "passed"],
            [[c["group"], c["check"], c["status"], "yes" if c["passed"] else "NO"] for c in checks],
        )
    else:
        out += ["(no figures)", ""]

    out += _guard_section(_load(figures, "guard_matrix"))
    out += integrity_section(figures)
    http = _load(figures, "http")
    out += ["## 9. Uploads and HTTP", ""]
    if http:
        checks = http["checks"]
        out += [
            f"{sum(c['passed'] for c in checks)}/{len(checks)} held, against uvicorn on "
            "loopback: the key before the body, body pace (408), one client's share (429), "
            "filter lists (422), deletes queued on the ingest lock vs `/healthz`, upload names "
            "(NFC/NFD and case spellings, format and bidi characters). "
            "`tests/test_reliability_http.py`.",
            "",
        ]
        out += _table(
            ["group", "check", "status", "held"],
            [[c["group"], c["check"], c["status"], "yes" if c["passed"] else "NO"] for c in checks],
        )
    else:
        out += ["(no figures)", ""]

    gone = _load(figures, "disconnect")
    out += ["## 10. Client disconnects", ""]
    if gone:
        out += [
            "A client that closes its connection while the model (held back "
            f"{gone['held_s']:g} s) answers a non-streamed request: the model call is "
            "cancelled, billed as abandoned, and no chat turn is stored. "
            "`tests/test_reliability_disconnect.py`.",
            "",
        ]
        out += _table(
            ["route", "model call cancelled", "abandoned rows", "prompt tokens billed", "turns"],
            [
                [
                    c["route"],
                    c.get("model_call_cancelled", "-"),
                    c.get("abandoned_rows_added", "-"),
                    c.get("prompt_tokens_billed", "-"),
                    c.get("turns_stored", "-"),
                ]
                for c in gone["cases"]
            ],
        )
    else:
        out += ["(no figures)", ""]

    out += _faults_section(figures)

    out += ["## Tests run", ""]
    out += _table(
        ["test", "outcome", "seconds"],
        [[f"`{r['test']}`", r["outcome"], round(r["seconds"], 1)] for r in results],
    )
    return "\n".join(out).rstrip() + "\n"


def _guard_section(guard: dict[str, Any] | None) -> list[str]:
    out = ["## 7. Sensitive words", ""]
    if not guard:
        return out + ["(no figures)", ""]
    total = guard["classes"]["all"]
    out += [
        f"The guard's case matrix: {guard['cases']} texts, zh and en, {guard['must_hit']} that "
        "must hit a list word and near misses that must not, per class of obfuscation. Counted "
        f"per word: **precision {total['precision']}, recall {total['recall']}**. Every miss "
        "or false hit is a documented limit. `tests/test_guard_matrix.py`, cases in "
        "`tests/guard_cases.jsonl`, `python -m bench.guard_matrix` prints the same table.",
        "",
    ]
    out += _table(
        ["class", "cases", "must hit", "TP", "FP", "FN", "precision", "recall", "wrong"],
        [
            [name, c["cases"], c["must_hit"], c["tp"], c["fp"], c["fn"], c["precision"]]
            + [c["recall"], ", ".join(c["wrong"]) if name != "all" else len(c["wrong"])]
            for name, c in guard["classes"].items()
        ],
    )
    out += ["Known limits: " + "; ".join(f"{k}: {v}" for k, v in guard["limits"].items()), ""]
    return out


def integrity_section(figures: Path) -> list[str]:
    """Issue 13's classes: one row per scenario, held or not, with what its test measured."""
    out = ["## 8. Index integrity", ""]
    rows = []
    for name, group, scenario in INTEGRITY:
        found = _load(figures, f"integrity_{name}")
        held = "not run" if found is None else ("yes" if found.pop("held") else "NO")
        shown = ", ".join(f"{k} {v}" for k, v in (found or {}).items())
        rows.append([group, scenario, held, shown])
    tried = sum(r[2] != "not run" for r in rows)
    out += [
        f"{sum(r[2] == 'yes' for r in rows)}/{tried} scenarios held. "
        "`tests/test_integrity.py`, `tests/test_crash_recovery.py`, `tests/test_dedup.py`, "
        "`tests/test_share.py`.",
        "",
    ]
    return out + _table(["class", "scenario", "held", "figures"], rows)


def _faults_section(figures: Path) -> list[str]:
    """Derived indexes verified and resource faults named: one row per scenario that held
    (a test records its row only once every assertion passed)."""
    rows = sorted(
        (json.loads(path.read_text()) for path in figures.glob("fault-*.json")),
        key=lambda row: (row["class"], row["scenario"]),
    )
    out = [
        "## 11. Derived indexes and resource faults",
        "",
        f"{len(rows)} scenarios held (a failing one is listed under the failures above). "
        "The full disk is a real 48 MB tmpfs (needs root; skipped otherwise). "
        "`tests/test_reliability_faults.py`.",
        "",
    ]
    if not rows:
        return [*out, "(no figures)", ""]
    return out + _table(
        ["class", "scenario", "what the user sees"],
        [[row["class"], row["scenario"], row["seen"]] for row in rows],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "RELIABILITY.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="specrag-reliability-") as scratch:
        figures, junit = Path(scratch) / "figures", Path(scratch) / "junit.xml"
        code, seconds = run_tests(figures, junit)
        args.out.write_text(render(figures, _results(junit), code, seconds), encoding="utf-8")
    print(f"wrote {args.out} ({seconds / 60:.1f} min, pytest exit {code})")
    sys.exit(code)


if __name__ == "__main__":
    main()
