"""Every kind of bad input in one batch: each gets its own clear outcome, the good files go in.

The corpus (tests/reliability/corpus.py) is generated into tmp_path: over 40 kinds of broken,
hostile or merely awkward files. One ingest run takes them all with the good files; each kind
must end as a recorded error naming its reason, or indexed with its text readable, and every
good file must be indexed. Each file is also parsed alone in a forked child under a time and
an address-space limit, which is how a parser loop or memory blow-up would show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from api.services import Services
from ingest.chunk import chunk_document
from ingest.document import ParsedDocument, Section
from ingest.encodings import get_encoding
from tests import bad_inputs as bad
from tests.reliability import record
from tests.reliability.corpus import BATCH_LIMIT_MB, KINDS, Kind

pytestmark = pytest.mark.slow

GOOD = ("clutch-sidecar-articles/tesla-model-3.md", "drivewise-metadata-rag/tata_nexon.txt")
PROBE_SECONDS = 60  # per file, parse and chunk (the probe's own alarm)
PROBE_MEMORY_MB = 1024  # per file, peak RSS above the probe's own


# Path-level kinds, beside the file kinds of the corpus: (label, name, expect, words).
PATH_KINDS = [
    ("dangling symlink", "dangling.txt", "error", "cannot read"),
    ("symlink loop", "loop", "error", "loop"),
    ("symlink out of the ingest root", "escape.txt", "error", "outside the allowed ingest roots"),
    ("`../` path out of the ingest root", "../outside/secret.txt", "error", "outside the allowed"),
    ("`..` path that stays inside", "sub/../gbk.txt", "ok", "纯电续航里程"),
]


@pytest.fixture
def batch(tmp_path: Path, corpus: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(corpus / name, folder / Path(name).name)
    for kind in KINDS:
        kind.make(folder / kind.file)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret: the prototype's range is 999 km\n")
    (folder / "sub").mkdir()
    (folder / "dangling.txt").symlink_to(folder / "no-such-file.txt")
    (folder / "loop").symlink_to(folder)
    (folder / "escape.txt").symlink_to(outside / "secret.txt")
    return folder


def _outcome(kind_file: str, errors: dict[str, str], notes: dict[str, str], ok: set[str]) -> str:
    if kind_file in errors:
        return "error"
    if kind_file in ok:
        return "ok"
    return "skip" if kind_file in notes else "missing"


def test_every_kind_of_bad_input_gets_a_clear_outcome_and_good_files_are_indexed(
    make_settings: Any, embedder: Any, batch: Path
) -> None:
    settings = make_settings(max_file_mb=BATCH_LIMIT_MB, roots=[batch], workers=2)
    services = Services(settings, embedder=embedder)
    extra = [batch / "../outside/secret.txt", batch / "sub/../gbk.txt"]
    report = services.pipeline.run([batch, *extra])

    def name(path: str) -> str:
        shown = Path(path)
        return str(shown.relative_to(batch)) if shown.is_relative_to(batch) else path

    errors = {name(e.path): e.reason for e in report.errors}
    notes = {name(n.path): n.reason for n in report.notes}
    records = {name(r.source): r for r in services.ledger.all()}
    ok = {file for file, r in records.items() if r.status == "ok"}
    # a file's texts: the records its ledger row lists (a text another file holds is shared)
    chunks = {
        file: [hit.text for hit in services.store.get(r.chunk_ids)] for file, r in records.items()
    }

    rows = []
    for kind in [*KINDS, *(Kind(label, f, lambda p: None, e, w) for label, f, e, w in PATH_KINDS)]:
        file = "gbk.txt" if kind.file == "sub/../gbk.txt" else kind.file
        got = _outcome(file, errors, notes, ok)
        reason = errors.get(file) or notes.get(file) or ""
        record_ = records.get(file)
        rows.append(
            {
                "kind": kind.name,
                "file": kind.file,
                "expected": kind.expect,
                "outcome": got,
                "reason": reason,
                "chunks": len(chunks.get(file, [])),
                "seconds": round(record_.parse_seconds, 3) if record_ else None,
            }
        )
        assert got == kind.expect, f"{kind.name} ({kind.file!r}): {got}; {reason!r}"
        if kind.expect == "error":
            assert kind.words.lower() in reason.lower(), f"{kind.name}: {reason!r}"
            if file in records:  # a parse failure is in the ledger, for GET /v1/documents
                assert records[file].status == "failed" and records[file].error == reason
        elif kind.expect == "ok":
            stored = "\n".join(chunks[file])
            assert kind.words in stored, f"{kind.name}: {kind.words!r} not in its chunks"
            assert "\x00" not in stored and "\r" not in stored
        else:
            assert kind.words in reason, f"{kind.name}: {reason!r}"

    # The good files and every readable kind are indexed; nothing from outside the root is.
    assert {Path(g).name for g in GOOD} <= ok
    assert ok == {Path(g).name for g in GOOD} | {
        r["file"] for r in rows if r["expected"] == "ok"
    } - {"sub/../gbk.txt"}
    assert report.failed == sum(1 for r in rows if r["expected"] == "error")
    assert not any("999 km" in text for texts in chunks.values() for text in texts)
    # a bare `..` path to a file already in the batch is the same document, not a second one
    assert sum(1 for r in services.ledger.all() if r.source.endswith("/gbk.txt")) == 1
    record(
        "bad_inputs",
        {
            "kinds": rows,
            "good_files": sorted(Path(g).name for g in GOOD),
            "good_indexed": sorted({Path(g).name for g in GOOD} & ok),
            "run_seconds": round(report.seconds, 1),
        },
    )
    services.close()


def test_each_kind_parses_within_time_and_memory_bounds(tmp_path: Path) -> None:
    """A parser loop or a memory blow-up on any kind fails here instead of hanging a run."""
    folder = tmp_path / "probe"
    folder.mkdir()
    paths = []
    for kind in KINDS:
        if kind.expect == "skip" or kind.file == "huge.txt":  # refused before it is read
            continue
        kind.make(folder / kind.file)
        paths.append(str(folder / kind.file))
    out = tmp_path / "probe.json"
    probe = subprocess.run(
        [sys.executable, "-m", "tests.reliability.probe", str(out), *paths],
        capture_output=True,
        text=True,
        timeout=len(paths) * (PROBE_SECONDS + 30),
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    results = json.loads(out.read_text())
    baseline = results["baseline_rss_mb"]
    by_kind = {}
    for kind in KINDS:
        path = str(folder / kind.file)
        if path not in results["files"]:
            continue
        result = results["files"][path]
        by_kind[kind.name] = result
        # The probe's alarm (PROBE_SECONDS) and address-space limit kill a child that loops
        # or blows up: that is the time bound, not a clock read here.
        assert "killed" not in result and "crashed" not in result, f"{kind.name}: {result}"
        assert result["peak_rss_mb"] < baseline + PROBE_MEMORY_MB, f"{kind.name}: {result}"
        assert (result["error"] is None) == (kind.expect == "ok"), f"{kind.name}: {result}"
    record("bad_inputs_probe", {"baseline_rss_mb": baseline, "kinds": by_kind})


class _CountingEncoding:
    """A tiktoken encoding that counts the characters it is asked to encode."""

    def __init__(self) -> None:
        self.inner = get_encoding("cl100k_base")
        self.chars = 0

    def encode(self, text: str, **kwargs: Any) -> list[int]:
        self.chars += len(text)
        return self.inner.encode(text, **kwargs)

    def decode_bytes(self, tokens: list[int]) -> bytes:
        return self.inner.decode_bytes(tokens)


def test_a_long_unbroken_line_is_chunked_in_linear_time() -> None:
    """Regression: `_token_windows` re-encoded the whole remainder at every cut, so one 10 MB
    line (no paragraph, line or sentence break) took hours to chunk; it now takes seconds."""
    text = "Aurora X5 torque 250 Nm at 1500 rpm " * 30_000  # 1 MB, one line
    doc = ParsedDocument(source="/x.txt", file_type="txt", title="", sections=[Section(text)])
    encoding = _CountingEncoding()
    chunks = chunk_document(doc, max_tokens=256, overlap=32, encoding=encoding)  # type: ignore[arg-type]
    assert all(c.tokens <= 256 for c in chunks)
    assert "".join("".join(c.text for c in chunks).split()) == "".join(text.split())
    # Every character is encoded a small constant number of times, not once per chunk.
    assert encoding.chars < 40 * len(text), encoding.chars / len(text)


# `services.pipeline.run([file])`, in a process of its own; prints the report as JSON.
INGEST_ONE = """
import json, sys
from pathlib import Path
from api.services import Services
from api.settings import Settings
services = Services(Settings(data_dir=Path(sys.argv[1]), workers=0))
report = services.pipeline.run([Path(sys.argv[2])])
services.close()
print(json.dumps(report.as_json()))
"""
NOBODY = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")
# Root keeping its uid but not the capabilities that let it read any file.
NO_READ_OVERRIDE = ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search")


def _without_root_reads(env: dict[str, str]) -> tuple[str, ...]:
    """A command prefix under which file modes hold: none for a user; as root (CI), the user
    nobody, or where nobody cannot reach the interpreter or the project (a checkout under
    /root), root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH."""
    if os.geteuid() != 0:
        return ()
    reach = subprocess.run(
        [*NOBODY, sys.executable, "-c", "import api.services"], env=env, capture_output=True
    )
    return NOBODY if reach.returncode == 0 else NO_READ_OVERRIDE


def test_unreadable_file_is_refused_by_name() -> None:
    """The ingest runs where file modes hold (root reads any file whatever its mode), on files
    that process can reach: a folder in /tmp, not pytest's root-only tmp_path."""
    with tempfile.TemporaryDirectory(prefix="specrag-unreadable-") as folder:
        base = Path(folder)
        base.chmod(0o755)
        locked = base / "locked.txt"
        locked.write_text("Power: 100 kW\n")
        locked.chmod(0)
        data_dir = base / "index"
        data_dir.mkdir()
        env = {**os.environ, "HOME": str(data_dir)}
        prefix = _without_root_reads(env)
        if prefix == NOBODY:
            shutil.chown(data_dir, "nobody", "nogroup")
        ingest = subprocess.run(
            [*prefix, sys.executable, "-c", INGEST_ONE, str(data_dir), str(locked)],
            env=env,
            cwd=base,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    report = json.loads(ingest.stdout)
    assert report["files"]["failed"] == 1, report
    [error] = report["errors"]
    assert error["path"] == str(locked) and "permission denied" in error["reason"]


def test_a_truncated_pdf_beside_good_files_leaves_them_searchable(
    make_settings: Any, embedder: Any, tmp_path: Path, corpus: Path
) -> None:
    """The smallest batch: one broken file cannot take the others down with it."""
    folder = tmp_path / "small"
    folder.mkdir()
    shutil.copy(corpus / GOOD[1], folder / "tata_nexon.txt")
    bad.make_truncated_pdf(folder / "cut.pdf")
    services = Services(make_settings(), embedder=embedder)
    report = services.pipeline.run([folder])
    assert (report.ok, report.failed) == (1, 1)
    assert "truncated" in report.errors[0].reason
    services.close()
