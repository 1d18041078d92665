"""`make bench`: runs every benchmark and writes docs/benchmarks.md and docs/fanout.svg.

Each bench runs as its own process with `--json var/bench/<name>.json`; its output goes to
`var/bench/<name>.log`. The page puts each figure beside its baseline from the same run,
the ratio and the goal, with the machine, the date and the commit; where a goal is missed
it says by how much. `bench/NOTES.md` (where the time goes) is appended as it is.

    python -m bench.report [--quick] [--only NAME,...] [--write-only]

`--quick` runs smaller sizes (a smoke test, minutes); `--write-only` writes the page from
the last run's JSON files. Exits 1 if any bench exits non-zero (a property it guards broke).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.chart import line_chart_svg
from bench.results import BenchResult, Figure, result_read

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "var" / "bench"
DOCS = REPO / "docs"

FULL: dict[str, list[str]] = {
    "overview": ["--members", "200", "--involvements", "50"],
    "pages": ["--concerns", "120", "--events", "60"],
    "feed": ["--networks", "20", "--events", "1000"],
    "matching": ["--people", "1000000"],
    # 60 events per size: a p95 of 20 was the second-worst sample, and swung 2x between runs.
    "live_fanout": [
        *("--members", "10,100,500", "--concerns", "60"),
        *("--idle", "2000", "--crowd", "10000"),
    ],
    "soak": [],
}
QUICK: dict[str, list[str]] = {
    "overview": ["--members", "50", "--involvements", "10", "--runs", "50"],
    "pages": ["--members", "50", "--involvements", "10", "--concerns", "30", "--runs", "40"],
    "feed": ["--networks", "5", "--events", "200", "--runs", "30"],
    "matching": ["--people", "100000", "--runs", "100"],
    "live_fanout": [
        *("--members", "10,100", "--concerns", "10", "--idle", "500"),
        *("--crowd", "1000", "--crowd-members", "10", "--crowd-events", "20"),
    ],
    "soak": [],
}


def bench_run(name: str, arguments: list[str]) -> tuple[int, float]:
    """Runs one bench; its exit status and how long it took."""
    OUT.mkdir(parents=True, exist_ok=True)
    json_path = OUT / f"{name}.json"
    json_path.unlink(missing_ok=True)
    started = time.monotonic()
    print(f"bench.{name} {' '.join(arguments)}", flush=True)
    with (OUT / f"{name}.log").open("w") as log:
        status = subprocess.call(
            [sys.executable, "-m", f"bench.{name}", *arguments, "--json", str(json_path)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    took = time.monotonic() - started
    print(f"  exit {status} in {took:.0f} s (log: var/bench/{name}.log)", flush=True)
    return status, took


def machine() -> str:
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    model = ""
    with_cpu = Path("/proc/cpuinfo")
    if with_cpu.exists():
        for line in with_cpu.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores{f' ({model})' if model else ''}, {memory} memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", ".") else ""
    head, branch = git("rev-parse", "--short", "HEAD"), git("rev-parse", "--abbrev-ref", "HEAD")
    return f"{head} on {branch}{dirty}"


def number(value: float | None, unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "—"
    text = f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def goal_text(figure: Figure) -> str:
    if figure.goal is None or not figure.goal_kind:
        return ""
    if figure.goal_kind == "max":
        return f"≤ {figure.goal:g} {figure.unit}"
    return f"≤ {figure.goal:g}x"


def met_text(figure: Figure) -> str:
    met = figure.met
    if met is None:
        return ""
    if met:
        return "yes"
    if figure.goal_kind == "max" and figure.goal:
        return f"**no**, {figure.value / figure.goal:.1f}x the goal"
    ratio = figure.ratio
    if ratio is None or figure.goal is None:
        return "**no** (not measured)"
    return f"**no**, {ratio / figure.goal:.1f}x the goal"


def page_write(
    results: dict[str, BenchResult],
    statuses: dict[str, tuple[int, float]],
    run: tuple[str, str] | None = None,
) -> str:
    """The page; `run` is the (date, commit) the figures were measured at, if not now."""
    date, at_commit = run or (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC", commit())
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.report`); do not edit by hand. Every figure",
        "is beside a baseline measured in the same run on the same machine, so read the ratios:",
        "on a shared machine absolute timings vary by a factor of about two between runs.",
        "",
        f"- Date: {date}",
        f"- Commit: {at_commit}",
        f"- Machine: {machine()}",
        "- Services: PostgreSQL (`DATABASE_URL`) and Redis (`REDIS_URL`), on the same machine",
        "",
        "| figure | Caregraph | baseline | ratio | goal | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    missed = []
    for result in results.values():
        for figure in result.figures:
            baseline = (
                f"{number(figure.baseline, figure.unit)} ({figure.baseline_label})"
                if figure.baseline is not None
                else "—"
            )
            ratio = figure.ratio
            lines.append(
                f"| {figure.figure} | {number(figure.value, figure.unit)} | {baseline} | "
                f"{'' if ratio is None else f'{ratio:.2f}x'} | {goal_text(figure)} | "
                f"{met_text(figure)} |"
            )
            if figure.met is False:
                missed.append(figure)
    lines += ["", "## Runs", "", "| bench | sizes | exit | took | guarded property |"]
    lines += ["| --- | --- | --- | --- | --- |"]
    for name, (status, took) in statuses.items():
        ran = results.get(name)
        broken = ran.failed if ran and ran.failed else ""
        guarded = broken or ("held" if status == 0 else "see its log")
        lines.append(
            f"| `bench.{name}` | {ran.settings if ran else ''} | {status} | "
            f"{took:.0f} s | {guarded} |"
        )
    if "live_fanout" in results:
        lines += [
            "",
            "## Fan-out latency against members",
            "",
            "![p95 from an event's commit (Caregraph) or the PUBLISH (baseline) to its arrival "
            "on every socket](fanout.svg)",
            "",
            "p95 per socket. *Caregraph*: from an appended event's commit to its arrival (one "
            "PUBLISH of the text made at append, each process's hub, its sockets; sockets spread "
            "over two processes). *Raw Redis relay*: from a PUBLISH to one process relaying to "
            "plain `websockets` sockets. The concern API's figures are in the table.",
        ]
    if "matching" in results and "explain" in results["matching"].extra:
        lines += [
            "",
            "## The candidate query's plan (matching)",
            "",
            "```",
            str(results["matching"].extra["explain"]).strip(),
            "```",
        ]
    lines += ["", "## Goals missed in this run", ""]
    lines += [
        f"- {figure.figure}: {number(figure.value, figure.unit)}, "
        + met_text(figure).removeprefix("**no**, ")
        + (f" ({figure.note})" if figure.note else "")
        for figure in missed
    ] or ["None."]
    notes = REPO / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def chart_write(result: BenchResult) -> None:
    series = result.extra["series"]
    svg = line_chart_svg(
        title="Fan-out to every socket, p95",
        x_label="members connected (log scale)",
        y_label="p95 latency, ms",
        xs=series["members"],
        series={
            "Caregraph": series["caregraph_p95"],
            "raw Redis relay": series["baseline_p95"],
        },
    )
    (DOCS / "fanout.svg").write_text(svg)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke test")
    parser.add_argument("--only", help="comma-separated benches to run")
    parser.add_argument("--write-only", action="store_true", help="write from the last run")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    names = [
        name
        for name in (args.only.split(",") if args.only else list(sizes))
        if (REPO / "bench" / f"{name}.py").exists()
    ]
    statuses: dict[str, tuple[int, float]] = {}
    timings_path = OUT / "statuses.txt"
    run_path = OUT / "run.txt"  # when, and at which commit, the figures were measured
    # The last run's statuses: kept for the benches not run this time (--only).
    if (args.write_only or args.only) and timings_path.exists():
        for line in timings_path.read_text().splitlines():
            name, status, took = line.split()
            statuses[name] = (int(status), float(took))
    if not args.write_only:
        OUT.mkdir(parents=True, exist_ok=True)
        run_path.write_text(
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC\n{commit()}\n"
        )
        for name in names:
            statuses[name] = bench_run(name, sizes[name])
        OUT.mkdir(parents=True, exist_ok=True)
        timings_path.write_text(
            "".join(f"{name} {status} {took}\n" for name, (status, took) in statuses.items())
        )
    results = {
        name: result_read(OUT / f"{name}.json")
        for name in statuses
        if (OUT / f"{name}.json").exists()
    }
    DOCS.mkdir(exist_ok=True)
    run = run_path.read_text().splitlines() if run_path.exists() else []
    (DOCS / "benchmarks.md").write_text(
        page_write(results, statuses, (run[0], run[1]) if len(run) == 2 else None)
    )
    if "live_fanout" in results:
        chart_write(results["live_fanout"])
    print("wrote docs/benchmarks.md" + (" and docs/fanout.svg" if "live_fanout" in results else ""))
    return 1 if any(status for status, _ in statuses.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
