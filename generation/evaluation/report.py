"""The generation eval's totals, the issue's targets beside them, and the tables.

Targets (issue 15, on the default model): 0 unsupported and 0 wrong-car figures; at least 6
distinct facts in every blog; 0 echoes and 0 loops; every output in the right language; every
request answered 200; a whole blog's median latency at most 20 s. They are reported, never
asserted: a missed target is a finding, not a failure of the eval.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from generation.evaluation.metrics import Measured

MIN_BLOG_FACTS = 6
BLOG_P50_SECONDS = 20.0


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q` percentile (0 < q <= 100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


@dataclass
class Target:
    name: str
    target: str
    measured: str
    met: bool | None  # None: not measured


def _blogs(measured: Sequence[Measured]) -> list[Measured]:
    return [m for m in measured if m.business == "car_blog" and m.ok]


def totals(measured: Sequence[Measured]) -> dict[str, Any]:
    """The sums and rates over every output (figures and text measures over the 200s)."""
    ok = [m for m in measured if m.ok]
    blogs = _blogs(measured)
    statuses: dict[str, int] = {}
    for m in measured:
        key = str(m.status) if m.ok else f"{m.status} {m.error_type}"
        statuses[key] = statuses.get(key, 0) + 1
    others = [m.seconds for m in ok if m.business != "car_blog"]
    blog_facts = [m.distinct_facts for m in blogs]
    blog_seconds = [m.seconds for m in blogs]
    return {
        "outputs": len(measured),
        "ok": len(ok),
        "non_200": len(measured) - len(ok),
        "crashes": sum(m.status == 500 for m in measured),
        "statuses": statuses,
        "checked": sum(m.checked for m in ok),
        "supported": sum(m.supported for m in ok),
        "unsupported": sum(m.unsupported for m in ok),
        "wrong_car": sum(m.wrong_car for m in ok),
        "wrong_car_reported": any(m.wrong_car_reported for m in ok),
        "dropped_sentences": sum(m.dropped for m in ok),
        "echoes": sum(bool(m.echo) for m in ok),
        "loops": sum(m.looped for m in ok),
        "right_language": sum(m.right_language for m in ok),
        "polished_outputs": sum(bool(m.polished) for m in ok),
        "polished_parts": sum(len(m.polished) for m in ok),
        "polish_rejected": dict(Counter(r for m in ok for r in m.polish_rejected).most_common()),
        "blogs": len(blogs),
        "blogs_below_min_facts": sum(n < MIN_BLOG_FACTS for n in blog_facts),
        "blog_facts_min": min(blog_facts, default=0),
        "blog_facts_median": statistics.median(blog_facts) if blog_facts else 0,
        "blog_p50_s": round(percentile(blog_seconds, 50), 2),
        "blog_p95_s": round(percentile(blog_seconds, 95), 2),
        "other_p50_s": round(percentile(others, 50), 2),
        "other_p95_s": round(percentile(others, 95), 2),
    }


def targets(total: dict[str, Any]) -> list[Target]:
    ok = total["ok"]
    right = total["right_language"]
    share = f"{right}/{ok} ({100 * right / ok:.0f}%)" if ok else "no output"
    return [
        Target("unsupported figures", "0", str(total["unsupported"]), total["unsupported"] == 0),
        Target(
            "wrong-car figures",
            "0",
            str(total["wrong_car"])
            if total["wrong_car_reported"]
            else "not measured: the grounding reports no wrong_car",
            total["wrong_car"] == 0 if total["wrong_car_reported"] else None,
        ),
        Target(
            "distinct facts per blog",
            f">= {MIN_BLOG_FACTS} in every blog",
            f"min {total['blog_facts_min']}, median {total['blog_facts_median']}; "
            f"{total['blogs_below_min_facts']}/{total['blogs']} blogs below",
            total["blogs"] > 0 and total["blogs_below_min_facts"] == 0,
        ),
        Target("prompt echoes", "0", str(total["echoes"]), total["echoes"] == 0),
        Target("loops (repeated sentences or runs)", "0", str(total["loops"]), total["loops"] == 0),
        Target("right language", "100%", share, ok > 0 and right == ok),
        Target(
            "non-200 responses",
            "0",
            f"{total['non_200']} of {total['outputs']}",
            total["non_200"] == 0,
        ),
        Target(
            "whole blog latency p50",
            f"<= {BLOG_P50_SECONDS:.0f} s",
            f"{total['blog_p50_s']:.1f} s (p95 {total['blog_p95_s']:.1f} s)",
            total["blogs"] > 0 and total["blog_p50_s"] <= BLOG_P50_SECONDS,
        ),
    ]


def problems(m: Measured) -> list[str]:
    """What is wrong with one output, in words (empty: nothing the eval measures)."""
    if not m.ok:
        return [f"HTTP {m.status} {m.error_type}: {m.error.splitlines()[0] if m.error else ''}"]
    found = []
    if m.unsupported_figures or m.unsupported:
        found.append(f"unsupported: {', '.join(m.unsupported_figures) or m.unsupported}")
    if m.wrong_car_figures or m.wrong_car:
        found.append(f"wrong car: {', '.join(m.wrong_car_figures) or m.wrong_car}")
    if m.business == "car_blog" and m.distinct_facts < MIN_BLOG_FACTS:
        found.append(f"only {m.distinct_facts} distinct facts")
    if m.dropped:
        found.append(f"{m.dropped} sentence(s) dropped by the grounding")
    if m.echo:
        found.append(f"echo ({m.echo})")
    if m.repeated:
        found.append(f"repeated: {'; '.join(m.repeated)[:160]}")
    if m.loops:
        found.append(f"looping run: {'; '.join(m.loops)[:160]}")
    if not m.right_language:
        found.append(f"wrong language (CJK share {m.cjk_share:.2f})")
    return found


def _reasons(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    return f"{sum(counts.values())} (" + ", ".join(f"{r} {n}" for r, n in counts.items()) + ")"


def _met(met: bool | None) -> str:
    return "n/a" if met is None else "yes" if met else "**no**"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(measured: Sequence[Measured], cars: Sequence[str]) -> str:
    """The targets, a table per business and language, and every output with a problem."""
    total = totals(measured)
    lines = [
        f"Cars ({len(cars)}): {', '.join(cars)}.",
        f"Outputs: {total['outputs']} ({total['ok']} answered 200); figures checked "
        f"{total['checked']}, supported {total['supported']}; sentences dropped by the "
        f"grounding: {total['dropped_sentences']}; parts polished by the model: "
        f"{total['polished_parts']} (in {total['polished_outputs']} outputs), rewrites "
        f"refused: {_reasons(total['polish_rejected'])}.",
        "",
        _row(["target", "wanted", "measured", "met"]),
        _row(["---"] * 4),
        *(_row([t.name, t.target, t.measured, _met(t.met)]) for t in targets(total)),
        "",
        _row(
            [
                "business",
                "lang",
                "outputs",
                "200",
                "distinct facts (min / median)",
                "figures checked / supported / unsupported / wrong-car",
                "echo",
                "loop",
                "right lang",
                "latency p50 / p95",
            ]
        ),
        _row(["---"] * 10),
    ]
    groups: dict[tuple[str, str], list[Measured]] = {}
    for m in measured:
        groups.setdefault((m.business, m.language), []).append(m)
    for (business, language), group in groups.items():
        ok = [m for m in group if m.ok]
        facts = [m.distinct_facts for m in ok]
        seconds = [m.seconds for m in group]
        lines.append(
            _row(
                [
                    business,
                    language,
                    len(group),
                    len(ok),
                    f"{min(facts, default=0)} / {statistics.median(facts) if facts else 0:g}",
                    " / ".join(
                        str(sum(getattr(m, k) for m in ok))
                        for k in ("checked", "supported", "unsupported", "wrong_car")
                    ),
                    sum(bool(m.echo) for m in ok),
                    sum(m.looped for m in ok),
                    f"{sum(m.right_language for m in ok)}/{len(ok)}",
                    f"{percentile(seconds, 50):.1f} s / {percentile(seconds, 95):.1f} s",
                ]
            )
        )
    flagged = [(m, p) for m in measured if (p := problems(m))]
    if flagged:
        lines += ["", f"Outputs with a problem ({len(flagged)}):", ""]
        lines += [f"- {m.car} {m.business} {m.language}: {'; '.join(p)}" for m, p in flagged]
    return "\n".join(lines)


def as_json(measured: Sequence[Measured], cars: Sequence[str]) -> dict[str, Any]:
    total = totals(measured)
    return {
        "cars": list(cars),
        "totals": total,
        "targets": [asdict(t) for t in targets(total)],
        "outputs": [{**asdict(m), "problems": problems(m)} for m in measured],
    }
