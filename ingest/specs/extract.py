"""One parsed, chunked document → its cars and facts (`extract_specs`).

Each section is read by every shape reader (tables, `key: value` lines, spec-sheet rows,
sentences, in that order; a line one reader took is not read again), each fact gets the car
the text is about at that point, and its evidence is cut from the section text at offsets
that lie inside one chunk, so the evidence is an exact substring of that chunk's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path

from ingest.document import Chunk, ParsedDocument, Section
from ingest.specs.bare_dimensions import bare_dimensions
from ingest.specs.bare_names import counted_by_designation
from ingest.specs.blocks import Blocks
from ingest.specs.braked import braked
from ingest.specs.cars import CarIndex, Hit, learned_aliases, load_cars, row_version
from ingest.specs.choices import offered, offered_ranges, subject_sizes
from ingest.specs.clause_lines import clause_cells
from ingest.specs.columns import column_car, headed_by_car
from ingest.specs.components import components, placed_motors, without_total_range
from ingest.specs.counts import engine_parts
from ingest.specs.data_rows import base_ids, base_models, name_configurations, with_year
from ingest.specs.declared_lines import (
    LineVersions,
    bracketed_version,
    clause_version,
    names_a_version,
)
from ingest.specs.doc_car import document_car, record_car
from ingest.specs.doc_versions import DocVersions, version_heading
from ingest.specs.electric import electric_cars, electric_economy
from ingest.specs.engine_lines import engine_line_figures
from ingest.specs.former_latter import former_latter, latter_figures
from ingest.specs.full_names import full_name, full_names, subject_names
from ingest.specs.generations import of_past, past_generations
from ingest.specs.given_for import given_after
from ingest.specs.groups import per_trim
from ingest.specs.headed_variants import listed_variant, under_heading
from ingest.specs.latter import of_both, referred_car
from ingest.specs.lead_cars import only_car
from ingest.specs.list_items import own_item
from ingest.specs.listing import in_row, listing_rows, row_cells
from ingest.specs.market import local_dollars
from ingest.specs.measures import other_measures
from ingest.specs.model import CarRef, DocumentSpecs, Fact
from ingest.specs.named import variant_lines
from ingest.specs.named_prices import named_prices
from ingest.specs.named_versions import declared_version
from ingest.specs.numbers import fold
from ingest.specs.one_trim import document_trim
from ingest.specs.parallel import dimension_run, parallel, version_before
from ingest.specs.phrases import phrase_facts
from ingest.specs.phrasing import worded_figures
from ingest.specs.placing import chunk_of, chunk_spans, unplaced_chunks
from ingest.specs.prose import sentences
from ingest.specs.repeats import dedupe
from ingest.specs.respective import interleaved
from ingest.specs.reviews import review_version
from ingest.specs.row_labels import only_place
from ingest.specs.scope import DocCars, Scope, section_scope
from ingest.specs.sentence_cars import paragraph_car, sentence_car
from ingest.specs.settle import settle
from ingest.specs.shapes import Found, headed, key_values, stripped_span
from ingest.specs.shared_columns import shared_cells
from ingest.specs.sheets import sheet_rows
from ingest.specs.slashed import Declared, declared, slashed
from ingest.specs.spoken import Spoken
from ingest.specs.spoken_prices import spoken_prices
from ingest.specs.subjects import with_variant
from ingest.specs.tables import tables
from ingest.specs.taught import taught_index
from ingest.specs.text_hits import text_hits
from ingest.specs.then_the import then_the
from ingest.specs.timed import entry_version
from ingest.specs.title_names import title_alias
from ingest.specs.topic_lines import prose_lines, without_runs
from ingest.specs.traps import not_a_spec
from ingest.specs.trims import priced_trim, spans_of, trim_prices
from ingest.specs.values import beside_pure_electric, bound_of, other_quantity, without_rounder
from ingest.specs.variants import after_own_name, unify_variants
from ingest.specs.version_columns import (
    row_named,
    rows_named,
    sheet_car,
    sheet_columns,
    version_cells,
)
from ingest.specs.version_rows import version_rows
from ingest.specs.vocabulary import DataSet, Vocabulary, load_columns, load_vocabulary
from ingest.specs.zh_sections import (
    bracket_versions,
    charging_windows,
    heading_version,
)

log = logging.getLogger(__name__)

_DATA = Path(__file__).resolve().parents[2] / "data" / "specs"


@dataclass(frozen=True, slots=True)
class SpecConfig:
    """Where the vocabulary and the car alias files are (later alias files extend earlier)."""

    attributes: Path = _DATA / "attributes.toml"
    cars: tuple[Path, ...] = (_DATA / "cars.toml",)
    columns: Path = _DATA / "columns.toml"  # units of known data files' columns


@cache
def _load(config: SpecConfig) -> tuple[Vocabulary, CarIndex, list[DataSet]]:
    return load_vocabulary(config.attributes), load_cars(config.cars), load_columns(config.columns)


def extract_specs(doc: ParsedDocument, chunks: list[Chunk], config: SpecConfig) -> DocumentSpecs:
    """The cars `doc` is about and the facts it states. Never raises for content."""
    vocab, index, data_sets = _load(config)  # a broken configuration file should raise
    try:
        return _extract(doc, chunks, vocab, index, data_sets)
    except Exception:  # one odd document must not fail its ingest
        log.exception("spec extraction failed for %s; no facts kept", doc.source)
        return DocumentSpecs()


def _extract(
    doc: ParsedDocument,
    chunks: list[Chunk],
    vocab: Vocabulary,
    index: CarIndex,
    data_sets: list[DataSet],
) -> DocumentSpecs:
    index, taught, passing = taught_index(index, doc)  # the cars it names, listed or not
    doc_cars = _with_trim(doc, only_car(document_car(index, doc), taught, passing))
    counted_by_designation(
        doc_cars, [doc.title, *(s.text for s in doc.sections)], index.model_names
    )
    doc_cars.aliases.update({c: n | doc_cars.aliases.get(c, set()) for c, n in taught.items()})
    found: list[tuple[Fact, bool]] = []  # (fact, from a sentence)
    chunk_cars: dict[int, set[str]] = {}
    rows: dict[str, list[list[Fact]]] = {}  # CSV rows by car: their facts
    learned: dict[str, set[str]] = {}
    bounds: dict[tuple[str, str, str], int] = {}  # facts given as bounds ("over 1,000 HP")
    named: list[bool] = []  # beside `found`: does the fact's sentence name its car first
    all_spans = chunk_spans(doc.sections, chunks)
    versions: Declared = ([], [])  # the versions slashed figures are for, declared so far
    carry: str | None = None  # the car the last section's text ended on, and its headings
    path: tuple[str, ...] | None = None
    blocks = Blocks()  # the version blocks name lines head (`blocks`)
    declaring = LineVersions()  # "采购版本：2026款 1.5L 手动 驾校版。"
    own_words = {w.casefold() for n in doc_cars.names.values() for w in n.split()}
    own_cars = {*taught, *doc_cars.names} - passing  # a make alone may name one of them
    prose_texts = [doc.title, *(s.text for s in doc.sections if s.kind != "record")]
    spoken = Spoken(prose_texts, own_words)
    heads = [doc.title, *(h for s in doc.sections for h in s.heading_path)]
    compared = DocVersions(prose_texts, heads, own_words)  # "the GSR", "the GLX cab chassis"
    columns = sheet_columns(vocab, doc)  # a CSV whose columns are versions: their names
    sheet_car(index, doc, columns, doc_cars)  # "朗逸配置表.csv": its rows name no car
    named_rows = rows_named(vocab, doc, columns)  # a CSV whose rows are versions
    past = past_generations(doc)  # sections about generations no longer built
    rows_of_cars = doc.file_type == "csv" and not columns  # a data file, not a version sheet
    for section, spans in zip(doc.sections, all_spans, strict=True):
        blocks.enter(section)
        if not spans:
            continue
        record = record_car(index, section) if section.kind == "record" else None
        data_row = record is not None or (rows_of_cars and section.kind == "record")
        if record is not None:
            doc_cars.names.setdefault(*record)
        version = row_version(section.text, record[1]) if record else None  # "GTS 4.0"
        hits = [] if record is not None else text_hits(index, section.text, own_cars, doc_cars)
        same_text = section.heading_path == path and doc.file_type != "csv"  # no data rows
        carried = carry if same_text and record is None else None
        scope = section_scope(index, section, doc_cars, record, hits, carried)
        other_car = carry not in (None, scope.car_at(len(section.text)))  # its own versions
        carry, path = scope.car_at(len(section.text)), section.heading_path
        listed = listing_rows(index, section.text) if record is None else []
        car_words = {w.casefold() for n in doc_cars.names.values() for w in n.split()}
        for ci, start, end in spans:
            chunk_cars.setdefault(ci, set()).update(scope.cars_between(start, end))
        text = fold(section.text)
        declaring.enter(section.heading_path, text)
        versions = declared(text, ([], []) if other_car else versions)
        headed = None if doc_cars.multi else version_heading(section.heading_path, own_words)
        row = []
        read = spoken.spoken(text, _read(vocab, section, text, data_sets, versions, index, columns))
        read = [] if of_past(section.heading_path, past) else read  # "### 第一代（2016-2021）"
        read = former_latter(text, read, versions[0])  # "两个版本：A和B。前者…；后者…"
        read += [(f, True) for f in latter_figures(vocab, text, [f for f, _ in read], versions[0])]
        read = [  # "两个后驱版", "后驱长航和四驱都支持…": the listed versions they stand for
            (h, p)
            for f, p in read
            if not names_a_version(text, f)  # "四驱是前后双电机": a version's name
            for g in full_names(f, versions[0])
            for h in subject_names(text, g, versions[0])
        ]
        read = row_named(read, section.heading_path, named_rows)
        read += [(f, False) for f in row_cells(vocab, text, listed)]
        for item, from_prose in electric_economy(text, read):
            bound = bound_of(text, item.value.start)
            item = compared.variant(text, item, headed) if from_prose else item
            item = review_version(text, entry_version(text, blocks.variant(text, item)))
            item = declared_version(text, item)  # "Urban为前驱，Ultimate为适时四驱"
            item = declaring.variant(clause_version(text, bracketed_version(text, item)))
            item = full_name(item, versions[0])  # "Pro：电池82kWh" of "Pro后驱版"
            item, column = column_car(index, item, doc_cars)
            item, row_car = in_row(listed, item, doc_cars.names)
            column = column or row_car
            item = priced_trim(vocab, text, item, (spans_of(hits), car_words), from_prose)
            facts_of = partial(
                _facts, hits, section, text, item, scope, spans, chunks, doc_cars, data_row
            )
            stated, by_name = facts_of(column)
            at = item.value.start
            stated = of_both(text, at, hits, stated, facts_of) if from_prose else stated
            named += [by_name] * len(stated)
            for fact in map(partial(headed_by_car, index), stated):
                fact = replace(fact, variant=version) if version and not fact.variant else fact
                found.append((fact, from_prose))
                if bound:
                    bounds[fact.car, fact.attribute, fact.evidence] = bound
                row.append(fact)
                chunk_cars.setdefault(fact.chunk_index or 0, set()).add(fact.car)
        if record is not None and row:
            rows.setdefault(record[0], []).append(row)
        if record is None:
            for car, names in learned_aliases(index, section.text).items():
                learned.setdefault(car, set()).update(names)
    unplaced_chunks(chunk_cars, chunks, all_spans, doc_cars)
    found = base_models(name_configurations(found, rows, doc_cars.year), rows, doc_cars)
    unified = electric_cars(unify_variants(after_own_name([f for f, _ in found], doc_cars.names)))
    facts = beside_pure_electric(
        dedupe([(f, p, n) for f, (_, p), n in zip(unified, found, named, strict=True)])
    )
    facts = [f for f in without_rounder(facts, bounds) if f.car not in passing]
    facts = local_dollars("\n".join([doc.title, *(s.text for s in doc.sections)]), facts)
    renamed = base_ids(set(rows))
    for ci, cars_of in chunk_cars.items():
        chunk_cars[ci] = {renamed.get(c, c) for c in cars_of} - passing
    used = {f.car for f in facts} | {c for cars in chunk_cars.values() for c in cars}
    cars = [
        CarRef(
            car,
            doc_cars.names.get(car) or index.model_names.get(car, car),
            tuple(sorted(learned.get(car, set()) | doc_cars.aliases.get(car, set()))),
        )
        for car in sorted(used)
    ]
    return DocumentSpecs(
        cars=cars,
        facts=facts,
        chunk_cars={i: tuple(sorted(c)) for i, c in sorted(chunk_cars.items()) if c},
    )


def _trimmed(variant: str | None, car: str, doc_cars: DocCars) -> str | None:
    """A variant of the document's one trim (`one_trim`): none, or only a place ("behind 2nd
    row") that trim's figure is measured at."""
    trim = doc_cars.trim if car == doc_cars.car else None
    if trim is None or (variant is not None and not only_place(variant)):
        return variant
    return f"{trim}, {variant}" if variant else trim


def _with_trim(doc: ParsedDocument, doc_cars: DocCars) -> DocCars:
    if doc_cars.car is not None and not doc_cars.multi:
        doc_cars.trim = document_trim(doc, doc_cars.names.get(doc_cars.car))
    return title_alias(doc.title, doc_cars)  # "子午线S（Meridian S）参数配置详解"


def _read(
    vocab: Vocabulary,
    section: Section,
    text: str,
    data_sets: list[DataSet],
    listed: Declared,
    index: CarIndex,
    columns: tuple[str, ...] = (),
) -> list[tuple[Found, bool]]:
    if columns:  # a row of a sheet whose columns are versions
        return [(f, False) for f in version_cells(vocab, text, columns)]
    record = section.kind == "record" and not prose_lines(text)  # "1️⃣尺寸：车长…，宽…"
    kv, kv_spans = key_values(vocab, text, data_sets if record else None)
    if record:  # a txt's `参数：值` block: its slashed lines; a row's
        kv = slashed(vocab, text, kv, listed)  # engine cell ("2.3L EcoBoost I-4"): its size too
        parts = [p for e in kv if e.attribute == "engine" for p in engine_parts(vocab, text, e)]
        parts += engine_line_figures(vocab, text, kv)  # "Engine: 2.0-litre, 118kW @ …"
        rows = version_rows(vocab, text, kv_spans)  # "N7 四驱智驾版：指导价…，本月优惠…"
        rows += shared_cells(vocab, text, kv_spans) + clause_cells(vocab, text, [*kv, *rows])
        rows += bare_dimensions(vocab, text, [*kv, *parts, *rows])  # "车身尺寸：长4680毫米，宽…"
        rows += charging_windows(vocab, text, [(f.value.start, f.value.end) for f in kv + rows])
        read = [(f, False) for f in [*kv, *parts, *rows]]
        return other_measures(text, components(text, read))  # "电动机最大功率："
    kv, kv_spans = without_runs(text, kv, kv_spans)  # "价格：增程版15.58万起，纯电版16.98万起"
    found = [(listed_variant(vocab, text, f), False) for f in slashed(vocab, text, kv, listed)]
    found += [
        (p, True) for e in kv if e.attribute == "engine" for p in engine_parts(vocab, text, e)
    ]
    found += [(f, False) for f in engine_line_figures(vocab, text, kv)]
    table_facts, skip = tables(vocab, text)
    found += [(f, False) for f in table_facts]
    found += [  # "| Engine | 2.5L 4-cylinder |": its displacement and cylinders
        (p, False)
        for e in table_facts
        if e.attribute == "engine"
        for p in engine_parts(vocab, text, e)
    ]
    skip += kv_spans
    rows, row_spans = sheet_rows(vocab, text, skip)
    found += [(f, False) for f in rows]
    skip += row_spans
    skip += [(f.start, f.end) for f, _ in found]
    versions = version_rows(vocab, text, skip)
    found += [(f, False) for f in versions]
    skip += [(f.start, f.end) for f in versions]
    named = variant_lines(vocab, text, skip)
    found += [(f, False) for f in named]
    skip += [(f.start, f.end) for f in named]
    worded = worded_figures(vocab, text, skip)
    found += [(under_heading(vocab, text, f), True) for f in worded]
    skip += [(f.value.start, f.value.end) for f in worded]
    runs: dict[int, list[Found]] = {}  # "27 mpg city, 34 highway and 29": each sentence's run
    for f in worded:  # of figures is read (one run per sentence: the prose between is not)
        runs.setdefault(f.end, []).append(f)
    skip += [(min(f.value.start for f in r), max(f.value.end for f in r)) for r in runs.values()]
    priced = trim_prices(vocab, text)
    found += [(f, False) for f in priced]
    skip += [(f.start, f.end) for f in priced]
    prose = [under_heading(vocab, text, f) for f in headed(text, sentences(vocab, text, skip))]
    prose = offered(text, [version_before(text, f) for f in prose])
    prose = offered_ranges(vocab, text, prose)  # "提供55KM和120KM两种纯电续航版本"
    prose += [under_heading(vocab, text, f) for f in parallel(vocab, text, prose)]
    prose += dimension_run(vocab, text, prose)
    prose += bare_dimensions(vocab, text, [*prose, *(f for f, _ in found)])  # "车身：长…，宽…"
    prose += given_after(vocab, text, prose)  # "1800kg for the 2.5i and 1200kg for the hybrid"
    prose += [  # "Payload on the GLX is 1,155kg; the GSR's is 980kg": a version's, not a car's
        f for f in then_the(vocab, text, prose) if not f.variant or not index.find(f.variant)
    ]
    prose += charging_windows(vocab, text, [*skip, *((f.start, f.end) for f in prose)])
    prose += spoken_prices(vocab, text, [*skip, *((f.start, f.end) for f in prose)])
    prose += named_prices(vocab, text, [*skip, *((f.start, f.end) for f in prose)])
    prose += placed_motors(vocab, text, [*skip, *((f.start, f.end) for f in prose)])
    prose += braked(vocab, text, [*skip, *((f.start, f.end) for f in prose)])  # "750kg unbraked"
    prose = heading_version(section.heading_path, text, interleaved(vocab, text, prose))
    found += [(f, True) for f in prose]
    skip += [(f.start, f.end) for f in prose]
    found += [
        (under_heading(vocab, text, with_variant(vocab, text, f)), True)
        for f in offered(text, phrase_facts(vocab, text, skip))
    ]
    found += [(f, True) for f in subject_sizes(vocab, text, [f for f, _ in found])]
    settled = components(text, settle(vocab, text, found, listed[0]))
    settled = other_measures(text, without_total_range(text, settled))
    return per_trim(text, bracket_versions(text, settled))


def _facts(
    hits: list[Hit],
    section: Section,
    text: str,
    found: Found,
    scope: Scope,
    spans: list[tuple[int, int, int]],
    chunks: list[Chunk],
    doc_cars: DocCars,
    data_row: bool,
    column: str | None = None,
) -> tuple[list[Fact], bool]:
    """The fact `found` states, one per sub-model when its sentence names several joined
    ("G3i 520G和G3i 520N均搭载的是66kWh的电池"); none when its car is unknown. True when its
    sentence names that car, and no sub-model of it, before the figure. A data file's row
    (`data_row`) has no sentence to place its car or screen its figures."""
    subs: list[str | None] = [None]
    by_name = False
    car = column or scope.car_at(found.start)
    if not data_row and column is None:
        car = referred_car(text, found.value.start, hits) or car  # "…。前者售价…"
        placed = sentence_car(hits, text, found, car, doc_cars)
        if placed is None:
            return [], False
        car, found, subs, by_name = placed
        car = car or paragraph_car(hits, text, found.start)
    if car is None:
        return [], False
    if not data_row and other_quantity(
        text, found.attribute, found.start, found.value.start, found.value.end
    ):
        return [], False
    if not data_row and not_a_spec(
        text,
        found.attribute,
        found.value.start,
        found.value.end,
        section.heading_path[1:],
        found.variant,
    ):
        return [], False
    start, end = stripped_span(section.text, found.start, found.end)
    chunk = chunk_of(spans, start, end, section.text, chunks)
    if chunk is None:
        start, end = found.value.start, found.value.end
        chunk = chunk_of(spans, start, end, section.text, chunks)
        if chunk is None:
            return [], False
    value = found.value
    written = section.text[slice(*own_item(section.text, value.start, value.end, value.numbers))]
    written = written.strip()
    return [
        Fact(
            car=car,
            attribute=found.attribute,
            value=written,
            numbers=value.numbers,
            unit=value.unit,
            normalized=value.normalized,
            normalized_unit=value.normalized_unit,
            variant=with_year(
                doc_cars.year,
                _trimmed(scope.variant_of(car, found.variant, found.start, sub), car, doc_cars),
            ),
            evidence=section.text[start:end],
            page=chunks[chunk].page,
            section=chunks[chunk].section,
            chunk_index=chunk,
        )
        for sub in subs
    ], by_name
