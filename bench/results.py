"""Figures a bench hands to `bench.report`: each beside its baseline from the same run.

A bench run with `--json PATH` writes its figures there as a list of objects:

    {"figure": "...", "value": 12.3, "baseline": 4.5, "unit": "ms",
     "goal": 2.0, "goal_kind": "ratio", "baseline_label": "...", "note": "..."}

`goal_kind` is "ratio" (value / baseline at most `goal`), "max" (value itself at most
`goal`) or "" (shown, not judged). `extra` holds anything a bench adds for the report
(a chart's series, an EXPLAIN).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    figure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    goal: float | None = None
    goal_kind: str = ""  # "ratio", "max" or ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or self.value != self.value:  # NaN
            return None
        return self.value / self.baseline  # type: ignore[operator]

    @property
    def met(self) -> bool | None:
        if self.goal is None or not self.goal_kind:
            return None
        if self.goal_kind == "max":
            return self.value <= self.goal
        ratio = self.ratio
        return ratio is not None and ratio <= self.goal


@dataclass
class BenchResult:
    bench: str
    figures: list[Figure] = field(default_factory=list)
    failed: str = ""  # the property the bench guards, when broken
    extra: dict[str, Any] = field(default_factory=dict)
    settings: str = ""  # the sizes it ran with


def result_write(path: str | None, result: BenchResult) -> None:
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(asdict(result), indent=2))


def result_read(path: Path) -> BenchResult:
    data = json.loads(path.read_text())
    figures = [Figure(**figure) for figure in data.pop("figures")]
    return BenchResult(figures=figures, **data)
