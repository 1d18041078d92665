"""What `bench.live_fanout` prints, and the figures it hands to `bench.report`."""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, Any

from bench.fanout_clients import Result, percentile
from bench.results import Figure

if TYPE_CHECKING:
    from bench.live_fanout import Crowd

SHARES = (0.50, 0.95, 0.99)


def report(rows: list[Any], *, concerns: int, engine: str, baseline_path: str) -> None:
    print(
        f"database: {engine}; live path: one PUBLISH per event, a hub per process; "
        f"sockets spread over 2 uvicorn processes; {concerns} events per size; "
        "latency per socket to the event's arrival"
    )
    header = f"{'members':>7}  {'path (measured from)':<44}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"{header}{'x p50':>8}{'x p95':>8}{'x p99':>8}{'lost':>6}{'dup':>5}{'call p50':>10}")
    baselines = {row.members: row.result for row in rows if row.path == baseline_path}
    for row in rows:
        base = baselines[row.members].latencies_ms
        lines = [(f"{row.path} (call)", row.result.latencies_ms)]
        if row.result.from_mark_ms:
            lines.append((f"{row.path} (commit)", row.result.from_mark_ms))
        for label, latencies in lines:
            values = [percentile(latencies, share) for share in SHARES]
            ratios = [
                value / percentile(base, share) for value, share in zip(values, SHARES, strict=True)
            ]
            print(
                f"{row.members:>7}  {label:<44}"
                + "".join(f"{value:>9.1f}" for value in values)
                + "".join(f"{ratio:>7.1f}x" for ratio in ratios)
                + f"{row.result.lost:>6}{row.result.duplicated:>5}"
                + f"{statistics.median(row.result.call_ms):>10.1f}"
            )
    print(
        "call p50: the call itself, in ms (the API's POST to its 201; the append, its commit "
        "and publish; the bare PUBLISH). (commit): from the append's commit, before its publish"
    )


def crowd_print(crowd: Crowd) -> None:
    alone = percentile(crowd.alone.from_mark_ms, 0.95)
    crowded = percentile(crowd.crowded.from_mark_ms, 0.95)
    print(
        f"fan-out to {crowd.members} members on each of two processes at once, p95 from commit: "
        f"{alone:.1f} ms alone, {crowded:.1f} ms beside {crowd.idle:,} idle authenticated sockets "
        f"({crowded / alone:.2f}x); {crowd.kib_per_socket:.1f} KiB per idle socket there; "
        f"lost {crowd.alone.lost + crowd.crowded.lost}, "
        f"duplicated {crowd.alone.duplicated + crowd.crowded.duplicated}"
    )


def figures_make(
    *,
    sizes: list[int],
    rows: dict[tuple[int, str], Result],
    paths: tuple[str, str, str],
    idle: tuple[int, float, float],
    crowd: Crowd | None,
) -> list[Figure]:
    path_api, path_log, path_baseline = paths
    relay = "raw Redis PUBLISH -> websockets relay"
    figures = []
    for size in sizes:
        base = rows[size, path_baseline].latencies_ms
        log = rows[size, path_log]
        for share in (0.50, 0.95):
            name = f"p{round(share * 100)}"
            figures.append(
                Figure(
                    figure=f"event appended -> every socket, {size} members, {name} (from commit)",
                    value=percentile(log.from_mark_ms, share),
                    unit="ms",
                    baseline=percentile(base, share),
                    baseline_label=f"{relay}, {name}",
                    goal=2.0,
                    goal_kind="ratio",
                )
            )
        figures.append(
            Figure(
                figure=f"event appended -> every socket, {size} members, p95 (from the call)",
                value=percentile(log.latencies_ms, 0.95),
                unit="ms",
                baseline=percentile(base, 0.95),
                baseline_label=f"{relay}, p95",
                note="includes the append's own transaction (BEGIN, insert, COMMIT)",
            )
        )
    for size in sizes:
        api = rows[size, path_api]
        base = rows[size, path_baseline].latencies_ms
        figures.append(
            Figure(
                figure=f"concern raised through the API -> every socket, {size} members, p95",
                value=percentile(api.latencies_ms, 0.95),
                unit="ms",
                baseline=percentile(base, 0.95),
                baseline_label=f"{relay}, p95",
                goal=3.0 if size == max(sizes) else None,
                goal_kind="ratio" if size == max(sizes) else "",
            )
        )
    for size in sizes:
        figures.append(
            Figure(
                figure=f"the API call itself (POST -> 201), {size} members, p50",
                value=statistics.median(rows[size, path_api].call_ms),
                unit="ms",
                goal=50.0,
                goal_kind="max",
            )
        )
    count, app_kib, plain_kib = idle
    if count and not math.isnan(app_kib):
        figures.append(
            Figure(
                figure=f"memory per idle socket, {count:,} open on one worker",
                value=app_kib,
                unit="KiB",
                baseline=plain_kib,
                baseline_label="plain websockets relay, same count",
                goal=40.0,
                goal_kind="max",
            )
        )
    if crowd is not None:
        figures.append(
            Figure(
                figure=(
                    f"fan-out p95 at {crowd.members} members beside {crowd.idle:,} idle "
                    "authenticated sockets on one worker (from commit)"
                ),
                value=percentile(crowd.crowded.from_mark_ms, 0.95),
                unit="ms",
                baseline=percentile(crowd.alone.from_mark_ms, 0.95),
                baseline_label="the same events, at once, on a process without them",
                goal=1.3,
                goal_kind="ratio",
                note=f"{crowd.kib_per_socket:.1f} KiB per idle socket at {crowd.idle:,}",
            )
        )
    return figures
