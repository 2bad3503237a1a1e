"""The benchmark scripts' report writer: one section replaced, the rest and its notes kept."""

from __future__ import annotations

from pathlib import Path

from bench.ingest import write_section

REPORT = """# Benchmarks

## Ingest

| measure | value |
|---|---|
| chunks/s | 60 |

### Notes

Run twice today: 60 and 62.

## Query latency

| QPS | 100 |
"""


def test_a_rerun_replaces_the_figures_and_keeps_the_notes_and_other_sections(
    tmp_path: Path,
) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text(REPORT)
    figures = "## Ingest\n\n| measure | value |\n|---|---|\n| chunks/s | 71 |\n"
    write_section(report, "## Ingest", figures)
    text = report.read_text()
    assert "| chunks/s | 71 |" in text and "| chunks/s | 60 |" not in text
    assert "### Notes\n\nRun twice today: 60 and 62.\n\n## Query latency" in text
    assert text.endswith("| QPS | 100 |\n")

    write_section(report, "## Query latency", "## Query latency\n\n| QPS | 120 |\n")
    text = report.read_text()
    assert text.endswith("## Query latency\n\n| QPS | 120 |\n") and "Run twice today" in text


def test_a_new_section_is_appended_and_a_section_without_notes_gets_none(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    write_section(report, "## Encoder backends", "## Encoder backends\n\nfigures\n")
    write_section(report, "## Encoder backends", "## Encoder backends\n\nnew figures\n")
    assert report.read_text() == "# Benchmarks\n\n## Encoder backends\n\nnew figures\n"


def test_headings_match_whole_lines_and_notes_headings_may_say_more(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text(
        "# Benchmarks\n\n### Ingest details\n\nkept\n\n## Ingest\n\nold\n\n"
        "### Notes (today)\n\nwhy\n"
    )
    write_section(report, "## Ingest", "## Ingest\n\nnew\n")
    assert report.read_text() == (
        "# Benchmarks\n\n### Ingest details\n\nkept\n\n## Ingest\n\nnew\n\n"
        "### Notes (today)\n\nwhy\n"
    )
