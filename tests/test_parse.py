"""parse_file on the real corpus, the dev-question evidence, and generated bad inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.document import ParsedDocument, Section
from ingest.errors import ParseError, UnsupportedFile
from ingest.parse import SUPPORTED_EXTENSIONS, parse_file
from tests import bad_inputs

Make = Callable[[Path], Path]
ParseCorpus = Callable[[str], ParsedDocument]  # the `parsed_corpus` fixture
REPO = Path(__file__).resolve().parents[1]
DEV_QA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-qa.jsonl"
SAMPLES = REPO / "data" / "samples"
LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _section_with(doc: ParsedDocument, needle: str) -> Section:
    found = [s for s in doc.sections if needle in s.text]
    assert found, f"{needle!r} not in any section of {doc.source}"
    return found[0]


def _evidence_cases() -> list[object]:
    """(doc, evidence, page) for every gold document of every dev question."""
    if not DEV_QA.is_file():
        return []
    cases: list[object] = []
    for line in DEV_QA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs, evidence, page = row["doc"], row["evidence"], row.get("page")
        if not isinstance(docs, list):
            docs, evidence, page = [docs], [evidence], [page]
        elif not isinstance(page, list):
            page = [page] * len(docs)
        for i, (doc, quote, number) in enumerate(zip(docs, evidence, page, strict=True)):
            cases.append(pytest.param(doc, quote, number, id=f"{row['id']}-{i}-{Path(doc).name}"))
    return cases


# --- the whole corpus ------------------------------------------------------------------


@pytest.mark.slow
def test_every_corpus_file_parses_into_nonempty_sections(
    corpus: Path, parsed_corpus: ParseCorpus
) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in SUPPORTED_EXTENSIONS)
    counts: dict[str, int] = {}
    for path in files:
        doc = parsed_corpus(str(path.relative_to(corpus)))
        counts[doc.file_type] = counts.get(doc.file_type, 0) + 1
        assert doc.sections, f"{path.name}: no sections"
        assert doc.title.strip(), f"{path.name}: no title"
        assert all(s.text.strip() for s in doc.sections), f"{path.name}: an empty section"
        assert not any("\r" in s.text or "\x00" in s.text for s in doc.sections), path.name
        if doc.file_type == "pdf":
            assert all(s.page is not None and s.page >= 1 for s in doc.sections), path.name
            assert not any(c in s.text for s in doc.sections for c in LIGATURES), path.name
    assert set(counts) == {"pdf", "md", "txt", "csv", "json"} and counts["pdf"] == 13


@pytest.mark.slow
@pytest.mark.parametrize(
    ("relative", "pages", "blank"),
    [
        ("auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf", 20, {4}),
        ("car-manual-qa-tata-tiago/APP-TIAGO-FINAL-OMSB.pdf", 153, {1, 152, 153}),
    ],
)
def test_pdf_has_one_section_per_page_and_warns_about_blank_pages(
    relative: str, pages: int, blank: set[int], parsed_corpus: ParseCorpus
) -> None:
    doc = parsed_corpus(relative)
    with_text = [s.page for s in doc.sections]
    assert with_text == sorted(set(range(1, pages + 1)) - blank)
    assert doc.warnings == [f"page {n} has no text layer" for n in sorted(blank)]
    assert all(s.heading_path == () and s.kind == "text" for s in doc.sections)


def test_pdf_ligatures_become_letters_and_spacing_is_kept(parsed_corpus: ParseCorpus) -> None:
    camry = parsed_corpus("itversity-toyota-specs/Toyota_Camry_Specifications.pdf")
    text = "\n".join(s.text for s in camry.sections)
    assert "efficiency" in text and not any(c in text for c in LIGATURES)
    creta = parsed_corpus("drivewise-metadata-rag/hyundai_creta.pdf")
    # pypdf's plain mode puts two spaces between these table cells; quotes rely on them
    assert "Overall length (mm)  4 330" in _section_with(creta, "Overall length (mm)").text


def test_pdf_title_skips_file_name_metadata(parsed_corpus: ParseCorpus) -> None:
    # metadata titles here are "Venue Digital Brochure-1080x1332_2025", "…Specifications.md"
    venue = parsed_corpus("auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf")
    assert venue.title == "Hyundai Venue Digital Brochure"
    bz4x = parsed_corpus("itversity-toyota-specs/Toyota_bZ4X_Specifications.pdf")
    assert bz4x.title == "Toyota bZ4X Specifications"


# --- evidence of the dev questions -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("relative", "evidence", "page"), _evidence_cases())
def test_dev_evidence_is_in_one_section_of_its_document(
    relative: str, evidence: str, page: int | None, parsed_corpus: ParseCorpus
) -> None:
    doc = parsed_corpus(relative)
    quote = _collapse(evidence)
    assert quote in _collapse("\n".join(s.text for s in doc.sections))
    holding = [s for s in doc.sections if quote in _collapse(s.text)]
    assert holding, "the quote straddles two sections"
    if page is not None:
        assert page in [s.page for s in holding], f"not on page {page}"


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_heading_path_follows_the_heading_tree(parsed_corpus: ParseCorpus) -> None:
    patrol = parsed_corpus("clutch-sidecar-articles/nissan-patrol.md")
    towing = _section_with(patrol, "**3,500 kg (7,716 pounds)** braked towing capacity")
    assert towing.heading_path == (
        "About the Nissan Patrol",
        "Frequently Asked Questions",
        "What is the towing capacity of the Nissan Patrol?",
    )
    assert patrol.title == "About the Nissan Patrol"
    assert not any(s.text.lstrip().startswith("#") for s in patrol.sections)  # headings are paths


def test_markdown_front_matter_gives_the_title_and_fills_the_jekyll_heading(
    parsed_corpus: ParseCorpus,
) -> None:
    diagnostics = parsed_corpus("kei-docs-subaru-sambar/diagnostics.md")
    assert diagnostics.title == "Diagnostics"  # title: "Diagnostics"
    section = _section_with(diagnostics, "within three consecutive drive cycles")
    # `# {{ page.title }}` is the H1
    assert section.heading_path == (
        "Diagnostics",
        "6-1. NA Engine (Diagnosis)",
        "1. Overview",
        "A: Reference",
    )
    text = "\n".join(s.text for s in diagnostics.sections)
    assert "layout: manual" not in text and "{{" not in text
    cn02 = parsed_corpus("rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md")
    assert cn02.title == "本田CR-V、丰田RAV4劲敌！全新日产奇骏上市：全系三缸机"  # single-quoted
    assert parse_file(SAMPLES / "aurora_x5.md").title == "Aurora X5 Specifications"  # unquoted


def test_markdown_table_is_its_own_section_with_rows_whole_and_header(
    parsed_corpus: ParseCorpus,
) -> None:
    jeep = parsed_corpus("epa-green-vehicle-guide-2018-rendered/jeep_grand_cherokee.md")
    (table,) = [s for s in jeep.sections if s.kind == "table"]
    assert table.heading_path == (jeep.title, "Configuration table")
    rows = table.text.split("\n")
    assert len(rows) == 2 + 5
    assert "| 1 | 3 | 6 | Auto-8 | 2WD | Diesel | 22 | 30 | 25 | 408 | 4 | No |" in rows
    assert table.table_header == "\n".join(rows[:2])
    assert rows[0].startswith("| # | Displacement (L) |") and rows[1].startswith("|---|")
    assert not any("| 1 | 3 | 6 |" in s.text for s in jeep.sections if s.kind != "table")


def test_markdown_text_around_a_table_stays_in_separate_sections(tmp_path: Path) -> None:
    path = tmp_path / "specs.md"
    path.write_text(
        "# Car\n\n## Dimensions\n\nMeasured unladen.\n\n"
        "| Item | Value |\n|---|---|\n| Length | 4,560 mm |\n| Width | 1,860 mm |\n\n"
        "Mirrors folded.\n\n## Engine\n\n1.5T.\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert [(s.kind, s.heading_path, s.text) for s in doc.sections] == [
        ("text", ("Car", "Dimensions"), "Measured unladen."),
        (
            "table",
            ("Car", "Dimensions"),
            "| Item | Value |\n|---|---|\n| Length | 4,560 mm |\n| Width | 1,860 mm |",
        ),
        ("text", ("Car", "Dimensions"), "Mirrors folded."),
        ("text", ("Car", "Engine"), "1.5T."),
    ]
    assert doc.sections[1].table_header == "| Item | Value |\n|---|---|"


def test_markdown_html_news_is_reduced_to_its_chinese_text(parsed_corpus: ParseCorpus) -> None:
    for name in ("cn02_nissan_xtrail_2021.md", "cn09_nio_et7_drag.md"):
        doc = parsed_corpus(f"rsshub-cn-auto-news/{name}")
        text = "\n".join(s.text for s in doc.sections)
        for tag in ("<p", "</p>", "<span", "<div", "<img", "<strong", "referrerpolicy"):
            assert tag not in text, f"{name}: {tag} left"
    cn02 = parsed_corpus("rsshub-cn-auto-news/cn02_nissan_xtrail_2021.md")
    text = "\n".join(s.text for s in cn02.sections)
    # the quote crosses a <strong> in the source and keeps its full-width characters
    assert "额定功率150kW（204Ps），最大扭矩300N·m、综合工况油耗最低5.8L/100km。" in text
    assert "\n\n外观与内饰部分" in text  # each <p> is a paragraph of its own


def test_markdown_html_table_becomes_a_table_section(parsed_corpus: ParseCorpus) -> None:
    doc = parsed_corpus("kei-docs-subaru-sambar/diagnostics.md")
    table = _section_with(doc, "Main power supply 1")
    assert table.kind == "table"
    assert "| Main power supply 1 | R134 | 2 | 10 ~ 30 | 13 ~ 15 |  |" in table.text.split("\n")
    assert table.table_header is not None
    assert table.table_header.startswith("| Name | Connector Number | Terminal Number |")
    assert "<td>" not in table.text and "<tr>" not in table.text


def test_markdown_angle_brackets_that_are_not_html_stay(parsed_corpus: ParseCorpus) -> None:
    """Regression: `On the <Engine Fault Diagnosis> screen` lost the screen's name."""
    doc = parsed_corpus("kei-docs-subaru-sambar/diagnostics.md")
    assert "On the <Engine Fault Diagnosis> screen" in "\n".join(s.text for s in doc.sections)


def test_markdown_inline_html_entities_scripts_and_images(tmp_path: Path) -> None:
    path = tmp_path / "page.markdown"
    path.write_text(
        "# Range\n\nUp to <b>520 km</b> &amp; 80&nbsp;kW<br>charging.<script>track()</script>\n\n"
        "![photo](car.png)\n\n<div><p>Boot: 455 L</p><style>p {color: red}</style></div>\n\n"
        "Code stays: `<b>` and `&amp;`.\n",
        encoding="utf-8",
    )
    (section,) = parse_file(path).sections
    assert section.text == (
        "Up to 520 km & 80\xa0kW\ncharging.\n\nBoot: 455 L\n\nCode stays: `<b>` and `&amp;`."
    )


# --- plain text, CSV, JSON ---------------------------------------------------------------


def test_text_section_and_page_markers(parsed_corpus: ParseCorpus) -> None:
    creta = parsed_corpus("drivewise-metadata-rag/hyundai_creta.txt")
    assert creta.title == "Hyundai Creta"  # from BRAND: / MODEL:
    boot = _section_with(creta, "Boot space is 433 litres.")
    assert (boot.heading_path, boot.page) == (("dimensions",), 5)
    assert not any("[SECTION" in s.text or "[PAGE" in s.text for s in creta.sections)


def test_text_key_value_run_is_a_record_section(parsed_corpus: ParseCorpus) -> None:
    rx7 = parsed_corpus("cars93-rendered/mazda_rx_7.txt")
    record = _section_with(rx7, "Number of cylinders: rotary")
    assert record.kind == "record"
    assert "Number of cylinders: rotary" in record.text.split("\n")
    assert record.text.startswith("Manufacturer: Mazda\n") and record.text.endswith(
        "Weight (pounds): 2895"
    )
    intro = _section_with(rx7, "Values below are copied unchanged")
    assert intro.kind == "text"
    assert rx7.title == "1993 Mazda RX-7 - passenger car specifications (Cars93 data set)"


def test_text_in_gbk_with_chinese_headings_and_records() -> None:
    doc = parse_file(SAMPLES / "aurora_x5_hybrid_zh.txt")  # GBK-encoded sample
    assert doc.title == "极光X5插电混动版（Aurora X5 Hybrid）车型介绍"
    record = _section_with(doc, "发动机最大功率：110 kW（150马力）")
    assert (record.kind, record.heading_path) == ("record", ("动力与性能",))


def test_text_that_is_not_utf8_is_read_as_latin1(parsed_corpus: ParseCorpus) -> None:
    readme = parsed_corpus("epa-green-vehicle-guide-2018/EPA_readme.txt")
    assert readme.title == "Fuel Economy Guide Database files."
    assert "comma-delimited (??GUIDE6.CSV)\nand Excel spreadsheet" in readme.sections[0].text


def test_csv_rows_become_labelled_records(parsed_corpus: ParseCorpus) -> None:
    cars93 = parsed_corpus("cars93/Cars93.csv")
    assert len(cars93.sections) == 93 and cars93.title == "Cars93"
    rx7 = _section_with(cars93, "Model: RX-7")
    assert (rx7.kind, rx7.heading_path) == ("record", ("Mazda RX-7",))
    assert "Cylinders: rotary" in rx7.text.split("\n")
    assert "Rear.seat.room: NA" in rx7.text.split("\n")
    # UTF-8 BOM and old-Mac CR line endings
    epa = parsed_corpus("epa-green-vehicle-guide-2018/all_alpha_18.csv")
    assert len(epa.sections) == 2648
    first = epa.sections[0]
    assert first.heading_path == ("ACURA ILX",)
    assert first.text.split("\n")[:2] == ["Model: ACURA ILX", "Displ: 2.4"]


def test_csv_sniffs_the_delimiter_and_skips_empty_values(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        "Make;Model;Year;Notes\nŠkoda;Octavia;2021;\nKia;EV6;2023;AWD\n", encoding="utf-8"
    )
    doc = parse_file(path)
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Škoda Octavia 2021",), "Make: Škoda\nModel: Octavia\nYear: 2021"),
        (("Kia EV6 2023",), "Make: Kia\nModel: EV6\nYear: 2023\nNotes: AWD"),
    ]
    header_only = tmp_path / "empty.csv"
    header_only.write_text("Make,Model\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no data rows"):
        parse_file(header_only)


def test_json_is_kept_as_its_pretty_printed_source(
    corpus: Path, parsed_corpus: ParseCorpus
) -> None:
    carplay = parsed_corpus("clutch-sidecar-articles/carplay_support.json")
    (section,) = carplay.sections
    assert section.text == (corpus / "clutch-sidecar-articles/carplay_support.json").read_text(
        encoding="utf-8"
    ).strip("\n")


# --- generated bad inputs ----------------------------------------------------------------


def test_pdf_page_without_text_is_a_warning_not_a_section(tmp_path: Path) -> None:
    path = bad_inputs.make_pdf(
        tmp_path / "mixed.pdf", [bad_inputs.PDF_PAGE_TEXT, None, "Page three"]
    )
    doc = parse_file(path)
    assert [(s.page, s.text) for s in doc.sections] == [
        (1, bad_inputs.PDF_PAGE_TEXT),
        (3, "Page three"),
    ]
    assert doc.warnings == ["page 2 has no text layer"]
    assert doc.title == "Mixed" and doc.file_type == "pdf"


def test_pdf_page_with_a_garbled_stream_does_not_lose_the_others(tmp_path: Path) -> None:
    doc = parse_file(bad_inputs.make_pdf_with_garbled_page(tmp_path / "damaged.pdf"))
    assert [(s.page, s.text) for s in doc.sections] == [(1, "First page"), (3, "Third page")]
    assert doc.warnings == ["page 2 has no text layer"]


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (bad_inputs.make_image_only_pdf, "scan.pdf", r"^no text layer on any of 2 pages \(scanned"),
        (bad_inputs.make_encrypted_pdf, "locked.pdf", r"^encrypted PDF: a password is needed"),
        (bad_inputs.make_truncated_pdf, "cut.pdf", r"^truncated PDF \(no %%EOF marker"),
        (bad_inputs.make_zero_byte_file, "zero.pdf", r"^empty file$"),
        (bad_inputs.make_corrupt_pdf, "noise.pdf", r"^not a PDF: no %PDF- header"),
        (bad_inputs.make_binary_file, "photo.txt", r"^binary data, not text$"),
        (bad_inputs.make_binary_file, "photo.md", r"^binary data, not text$"),
        (bad_inputs.make_zero_byte_file, "empty.txt", r"^empty file$"),
        (bad_inputs.make_whitespace_only, "blank.txt", r"^empty file$"),
        (bad_inputs.make_whitespace_only, "blank.md", r"^empty file$"),
        (bad_inputs.make_zero_byte_file, "empty.csv", r"^empty file$"),
        (bad_inputs.make_invalid_json, "broken.json", r"^invalid JSON: Expecting value: line 1"),
    ],
)
def test_bad_file_fails_with_its_reason(
    make: Make, name: str, message: str, tmp_path: Path
) -> None:
    path = make(tmp_path / name)
    with pytest.raises(ParseError, match=message):
        parse_file(path)


def test_encrypted_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = bad_inputs.make_encrypted_pdf(tmp_path / "owner-only.pdf", user_password="")
    (section,) = parse_file(path).sections
    assert section.text == bad_inputs.PDF_PAGE_TEXT


def test_markdown_with_only_front_matter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stub.md"
    path.write_text("---\ntitle: Stub\n---\n\n", encoding="utf-8")
    with pytest.raises(ParseError, match="nothing after the front matter"):
        parse_file(path)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (bad_inputs.make_gbk_txt, bad_inputs.GBK_TEXT),
        (bad_inputs.make_latin1_txt, bad_inputs.LATIN1_TEXT),
        (bad_inputs.make_cp1252_txt, bad_inputs.CP1252_TEXT),
        (bad_inputs.make_utf16_txt, bad_inputs.UTF16_TEXT),
        (bad_inputs.make_old_mac_txt, "\n".join(bad_inputs.OLD_MAC_LINES)),
    ],
)
def test_text_encodings_and_line_endings_come_out_right(
    make: Make, expected: str, tmp_path: Path
) -> None:
    doc = parse_file(make(tmp_path / "spec.txt"))
    assert "\n\n".join(s.text for s in doc.sections) == expected.strip("\n")
    assert doc.file_type == "txt"


def test_old_mac_key_value_lines_form_a_record(tmp_path: Path) -> None:
    doc = parse_file(bad_inputs.make_old_mac_txt(tmp_path / "peugeot.txt"))
    assert [(s.kind, s.text) for s in doc.sections] == [
        ("text", "Peugeot 5008"),
        ("record", "Length: 4641 mm\nWidth: 1844 mm\nHeight: 1646 mm"),
    ]
    assert doc.title == "Peugeot 5008"


def test_unsupported_extension_is_refused_by_type(tmp_path: Path) -> None:
    path = bad_inputs.make_unsupported(tmp_path / "brochure.docx")
    with pytest.raises(UnsupportedFile, match=r"^unsupported file type '\.docx'$"):
        parse_file(path)
    assert SUPPORTED_EXTENSIONS == {".pdf", ".md", ".markdown", ".txt", ".csv", ".json"}


def test_extension_case_does_not_matter(tmp_path: Path) -> None:
    path = bad_inputs.make_pdf(tmp_path / "SPEC.PDF", ["Top speed 180 km/h"])
    assert parse_file(path).sections[0].text == "Top speed 180 km/h"


def test_markdown_keeps_the_blank_line_after_a_list(tmp_path: Path) -> None:
    """A list's last item and the paragraph after it stay two paragraphs: the blank line
    between them (which the list's own source range takes in) still parts them."""
    path = tmp_path / "list.md"
    path.write_text(
        "# Versions\n\nTwo engines:\n\n- 1.6 petrol\n- 2.0 diesel\n\nAll models seat five.\n",
        encoding="utf-8",
    )
    (section,) = parse_file(path).sections
    assert section.text == "Two engines:\n\n- 1.6 petrol\n- 2.0 diesel\n\nAll models seat five."
