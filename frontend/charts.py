"""The geometry of the dashboard's charts, drawn as inline SVG by templates.

Each chart is a few rows; each row is one small SVG with ``role="img"``, a ``<title>`` that
names it and a ``<desc>`` that reads out its numbers, and the same numbers are in a table
beside it. The SVG has no style attributes (the CSP refuses them): its parts carry classes
that `caregraph.scss` colours. Sizes are in the SVG's own units; CSS scales it to the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS_WIDTH = 240
COLUMNS_HEIGHT = 40
COLUMN_GAP = 2
BAR_WIDTH = 240
BAR_HEIGHT = 20
# The smallest bar drawn for a count above nought, so that one is never invisible.
MIN_VISIBLE = 2.0


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnsRow:
    """One series over time: a label, its total and a column for each week or month."""

    id: str
    label: str
    total: int
    title: str
    desc: str
    columns: list[Column]
    width: int = COLUMNS_WIDTH
    height: int = COLUMNS_HEIGHT


@dataclass(frozen=True)
class BarRow:
    """One horizontal bar with what it measures written beside it."""

    id: str
    label: str
    value_text: str
    title: str
    width: float
    bar_width: int = BAR_WIDTH
    bar_height: int = BAR_HEIGHT


def _scaled(value: float, largest: float, full: float) -> float:
    if value <= 0 or largest <= 0:
        return 0.0
    return round(max(full * value / largest, MIN_VISIBLE), 2)


def columns_rows(
    *,
    id_prefix: str,
    series: Sequence[tuple[str, Sequence[int]]],
    bucket_names: Sequence[str],
    noun: tuple[str, str] = ("concern", "concerns"),
) -> list[ColumnsRow]:
    """Small multiples: one row per series, all on the same scale so that rows compare."""
    largest = max((max(counts, default=0) for _label, counts in series), default=0)
    buckets = len(bucket_names)
    slot = COLUMNS_WIDTH / buckets if buckets else COLUMNS_WIDTH
    rows = []
    for position, (label, counts) in enumerate(series):
        total = sum(counts)
        columns = []
        for index, count in enumerate(counts):
            height = _scaled(count, largest, COLUMNS_HEIGHT - 1)
            columns.append(
                Column(
                    x=round(index * slot + COLUMN_GAP / 2, 2),
                    y=round(COLUMNS_HEIGHT - 1 - height, 2),
                    width=round(max(slot - COLUMN_GAP, 1), 2),
                    height=height,
                )
            )
        spoken = "; ".join(
            f"{name}: {count}" for name, count in zip(bucket_names, counts, strict=True)
        )
        rows.append(
            ColumnsRow(
                id=f"{id_prefix}-{position}",
                label=label,
                total=total,
                title=f"{label}: {total} {noun[0] if total == 1 else noun[1]}",
                desc=spoken,
                columns=columns,
            )
        )
    return rows


def bar_rows(
    *, id_prefix: str, bars: Sequence[tuple[str, float | None, str]], measure: str
) -> list[BarRow]:
    """Horizontal bars of (label, value, value in words); a value of None draws no bar."""
    largest = max((value or 0 for _label, value, _text in bars), default=0)
    return [
        BarRow(
            id=f"{id_prefix}-{position}",
            label=label,
            value_text=text,
            title=f"{label}: {measure} {text}",
            width=_scaled(value or 0, largest, BAR_WIDTH),
        )
        for position, (label, value, text) in enumerate(bars)
    ]


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def duration_words(duration: datetime.timedelta | None) -> str:
    """A duration as people say it, to the two largest units: "1 day 3 hours", "40 minutes"."""
    if duration is None:
        return "Not known"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "Under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        _plural(amount, unit)
        for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if amount
    ]
    return " ".join(parts[:2])
