"""A dealer's stock list as CSV (issue 14, round fourteen): one row per car in stock, so a
version repeats over rows; the version in a column of its own (`版本`), a stock number first;
columns shared by the fuel and the electric cars (`动力` holding a displacement or a battery,
`油耗/续航` a consumption or a range), the cell's unit saying which. A list that names no
version names none by its stock numbers. The sheets are invented for
these tests (not real stock, not the cars' real figures).
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write

_HEADER = "库存号,车型,版本,外观颜色,动力,驱动方式,油耗/续航,厂商指导价(万元),优惠价(万元)\n"
_ROWS = [
    "KC101,轩逸,1.6L CVT舒适版,白,1.6L,前驱,5.9L/100km,11.29,9.99",
    "KC102,轩逸,1.6L CVT舒适版,黑,1.6L,前驱,5.9L/100km,11.29,9.79",
    "KC103,轩逸,e-POWER 超智版,灰,1.2L,前驱,4.1L/100km,13.79,12.59",
    "KC104,聆风,标准续航版,蓝,40kWh,前驱,338km,15.98,14.18",
    "KC105,聆风,长续航版,白,62kWh,前驱,522km,19.68,17.98",
    "KC106,聆风,标准续航版,白,40kWh,前驱,338km,15.98,13.98",
]


def _by(specs: DocumentSpecs, attribute: str) -> dict[tuple[str, str | None], set[float]]:
    out: dict[tuple[str, str | None], set[float]] = {}
    for f in facts(specs, attribute):
        out.setdefault((f.car, f.variant), set()).update(round(n, 2) for n in f.numbers[:1])
    return out


def test_a_stock_lists_rows_are_the_versions_its_version_column_names(tmp_path: Path) -> None:
    specs = write(tmp_path, "kucun.csv", _HEADER + "\n".join(_ROWS) + "\n")
    assert _by(specs, "price") == {
        ("nissan-sylphy", "1.6L CVT舒适版"): {112900.0},
        ("nissan-sylphy", "e-POWER 超智版"): {137900.0},
        ("nissan-leaf", "标准续航版"): {159800.0},
        ("nissan-leaf", "长续航版"): {196800.0},
    }  # each version once, never a stock number; the dealer's 优惠价 is no price of the car
    assert not {f.variant for f in specs.facts} & {r.split(",")[0] for r in _ROWS}


def test_a_shared_columns_cell_is_the_attribute_its_unit_names(tmp_path: Path) -> None:
    specs = write(tmp_path, "kucun.csv", _HEADER + "\n".join(_ROWS) + "\n")
    assert _by(specs, "displacement") == {
        ("nissan-sylphy", "1.6L CVT舒适版"): {1.6},
        ("nissan-sylphy", "e-POWER 超智版"): {1.2},
    }
    assert _by(specs, "battery_capacity") == {
        ("nissan-leaf", "标准续航版"): {40.0},
        ("nissan-leaf", "长续航版"): {62.0},
    }
    assert _by(specs, "fuel_economy_combined") == {
        ("nissan-sylphy", "1.6L CVT舒适版"): {5.9},
        ("nissan-sylphy", "e-POWER 超智版"): {4.1},
    }
    assert _by(specs, "electric_range") == {
        ("nissan-leaf", "标准续航版"): {338.0},
        ("nissan-leaf", "长续航版"): {522.0},
    }


def test_a_shared_cell_no_one_attribute_reads_whole_gives_nothing(tmp_path: Path) -> None:
    """ "1.5T 181马力" is a displacement and a power in one cell: which the column is for is
    not one answer, so the cell gives neither."""
    specs = write(
        tmp_path,
        "kucun.csv",
        "库存号,车型,版本,动力,厂商指导价(万元)\n"
        "KC201,轩逸,1.5T 旗舰版,1.5T 181马力,14.99\n"
        "KC202,轩逸,1.6L 舒适版,1.6L,11.29\n",
    )
    assert _by(specs, "displacement") == {("nissan-sylphy", "1.6L 舒适版"): {1.6}}
    assert not facts(specs, "power")


def test_a_stock_lists_row_numbers_name_no_version(tmp_path: Path) -> None:
    """Without a version column the rows' first cells (stock numbers) are no version names:
    the figures are the car's, the rows that disagree kept as a conflict to list (issue 14's
    contradictory rows), never given to a stock number as if it were a trim."""
    rows = [",".join(c for i, c in enumerate(r.split(",")) if i != 2) for r in _ROWS]
    specs = write(tmp_path, "kucun.csv", _HEADER.replace("版本,", "") + "\n".join(rows) + "\n")
    assert {f.variant for f in specs.facts} == {None}
    assert _by(specs, "price")[("nissan-leaf", None)] == {159800.0, 196800.0}
