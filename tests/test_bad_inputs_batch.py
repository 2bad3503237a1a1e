"""Every kind of bad input in one batch: each gets its own clear outcome, the good files go in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from api.services import Services
from tests import bad_inputs as bad

pytestmark = pytest.mark.slow

GOOD = ("clutch-sidecar-articles/tesla-model-3.md", "drivewise-metadata-rag/tata_nexon.txt")


@pytest.fixture
def batch(tmp_path: Path, corpus: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(corpus / name, folder / Path(name).name)
    bad.make_zero_byte_file(folder / "empty.txt")
    bad.make_zero_byte_file(folder / "zero.pdf")
    bad.make_whitespace_only(folder / "blank.md")
    bad.make_truncated_pdf(folder / "truncated.pdf")
    bad.make_corrupt_pdf(folder / "corrupt.pdf")
    bad.make_encrypted_pdf(folder / "encrypted.pdf")
    bad.make_image_only_pdf(folder / "scanned.pdf")
    bad.make_binary_file(folder / "photo.txt")
    bad.make_invalid_json(folder / "broken.json")
    bad.make_unsupported(folder / "notes.docx")
    bad.make_gbk_txt(folder / "gbk.txt")
    bad.make_latin1_txt(folder / "latin1.txt")
    bad.make_old_mac_txt(folder / "oldmac.txt")
    bad.make_utf16_txt(folder / "utf16.txt")
    (folder / "big.txt").write_text("Spec: value\n" * 120_000)  # ~1.4 MB
    (folder / "dangling.txt").symlink_to(folder / "no-such-file.txt")
    (folder / "loop").symlink_to(folder)
    return folder


def test_bad_inputs_each_fail_clearly_and_good_files_are_indexed(
    make_settings, embedder, batch: Path
) -> None:
    services = Services(make_settings(max_file_mb=1))
    services.__dict__["embedder"] = embedder
    report = services.pipeline.run([batch])
    errors = {Path(e.path).name: e.reason for e in report.errors}
    notes = {Path(n.path).name: n.reason for n in report.notes}

    expected_failures = {
        "empty.txt": "empty",
        "zero.pdf": "empty",
        "blank.md": "empty",
        "truncated.pdf": "truncated",
        "corrupt.pdf": "not a PDF",
        "encrypted.pdf": "encrypted",
        "scanned.pdf": "no text layer",
        "photo.txt": "binary",
        "broken.json": "invalid JSON",
        "big.txt": "over the limit",
        "dangling.txt": "cannot read",
        "loop": "loop",
    }
    for name, words in expected_failures.items():
        assert name in errors, f"{name} was not reported; errors: {errors}"
        assert words.lower() in errors[name].lower(), f"{name}: {errors[name]!r}"
    assert "unsupported" in notes["notes.docx"]
    assert report.failed == len(expected_failures)

    indexed = {Path(r.source).name for r in services.ledger.all() if r.status == "ok"}
    assert indexed == {
        "tesla-model-3.md",
        "tata_nexon.txt",
        "gbk.txt",
        "latin1.txt",
        "oldmac.txt",
        "utf16.txt",
    }
    stored = "\n".join(text for _, text, _ in services.store.iter_chunks())
    assert "纯电续航里程：80公里" in stored  # GBK decoded correctly
    assert "Citroën C4 Picasso" in stored  # Latin-1 decoded correctly
    assert "Length: 4641 mm\nWidth: 1844 mm" in stored  # old-Mac CR became line breaks
    assert "Škoda Octavia" in stored and "\r" not in stored
    # failures are in the ledger with their reasons, for GET /v1/documents and `status`
    failed = {Path(r.source).name: r.error for r in services.ledger.all() if r.status == "failed"}
    assert failed["encrypted.pdf"] == errors["encrypted.pdf"]
    services.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_refused_by_name(make_settings, embedder, tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Power: 100 kW\n")
    locked.chmod(0)
    services = Services(make_settings())
    services.__dict__["embedder"] = embedder
    report = services.pipeline.run([locked])
    assert report.failed == 1 and "permission denied" in report.errors[0].reason
    services.close()
