"""A data file's rows of one car: engine configurations named as its variants, rows whose
model is another row's plus a drive and trim (EPA's "TLX AWD A-SPEC" beside "TLX"), and the
document's model year before a variant ("2018 · 2.5 L SemiAuto-8")."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.model import Fact
from ingest.specs.scope import DocCars
from ingest.specs.tables import configuration_names


def name_configurations(
    found: list[tuple[Fact, bool]], rows: dict[str, list[list[Fact]]], year: str
) -> list[tuple[Fact, bool]]:
    """CSV rows of one car that are engine configurations get them as variants."""
    renamed: dict[int, str] = {}
    for car_rows in rows.values():
        fields = [{f.attribute: f.value for f in row} for row in car_rows]
        names = configuration_names(fields)
        if names is None:
            continue
        for row, name in zip(car_rows, names, strict=True):
            for f in row:
                if name:  # a qualifier the cell gave stays ("43/113": its electricity figure)
                    fuel = " electricity" if (f.variant or "").endswith("electricity") else ""
                    renamed[id(f)] = (with_year(year, name) or name) + fuel
    return [(replace(f, variant=renamed[id(f)]) if id(f) in renamed else f, p) for f, p in found]


_DRIVE_TRIM = re.compile(r"(?:awd|fwd|rwd|4wd|2wd|4x4|4matic|xdrive|quattro)(?:-|$)")


def base_ids(cars: set[str]) -> dict[str, str]:
    """Row cars whose id extends another row car's id by a drive and trim ("acura-tlx" and
    "acura-tlx-awd-a-spec"; not "chevrolet-lumina-apv", a model of its own): each mapped to
    the shortest such base."""
    out = {}
    for car in cars:
        bases = [c for c in cars if car.startswith(c + "-") and _DRIVE_TRIM.match(car, len(c) + 1)]
        if bases:
            out[car] = min(bases, key=len)
    return out


def base_models(
    found: list[tuple[Fact, bool]], rows: dict[str, list[list[Fact]]], doc_cars: DocCars
) -> list[tuple[Fact, bool]]:
    """Data-set rows whose model name is another row's model plus a trim (EPA's "TLX AWD
    A-SPEC" beside "TLX") are that model, the trim leading their variant."""
    renamed = base_ids(set(rows))
    if not renamed:
        return found
    out = []
    for fact, prose in found:
        base = renamed.get(fact.car)
        if base is None:
            out.append((fact, prose))
            continue
        long, short = doc_cars.names.get(fact.car, ""), doc_cars.names.get(base, "")
        if short and long.lower().startswith(short.lower() + " "):
            trim = long[len(short) :].strip()
        else:
            trim = fact.car[len(base) + 1 :].replace("-", " ").upper()
        variant = f"{trim} {fact.variant}" if fact.variant else trim
        out.append((replace(fact, car=base, variant=variant), prose))
    return out


def with_year(year: str, variant: str | None) -> str | None:
    if year and variant and not variant.startswith(year) and year not in variant.split():
        return f"{year} · {variant}"
    return variant or (year or None)
