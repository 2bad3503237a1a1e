"""Helpers for the reliability and security proof (`make reliability`, RELIABILITY.md).

Inside `make test` every reliability test runs its short form. `SPECRAG_RELIABILITY=1`
selects the long form (20 crash runs, 60 s of load, a longer fuzz); `bench/reliability.py`
sets it, together with `SPECRAG_RELIABILITY_OUT`, the folder where each test drops the
figures that end up in RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

LONG = os.environ.get("SPECRAG_RELIABILITY", "") not in ("", "0")


def long_or_short(long: int | float, short: int | float) -> Any:
    """`long` under `make reliability`, `short` inside `make test`."""
    return long if LONG else short


def record(name: str, figures: dict[str, Any]) -> None:
    """Write `figures` as `<name>.json` for bench/reliability.py; a no-op outside it."""
    folder = os.environ.get("SPECRAG_RELIABILITY_OUT")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    Path(folder, f"{name}.json").write_text(json.dumps(figures, indent=1, default=str))
