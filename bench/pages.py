"""Benchmark: the concerns list, the chronology and the calendar month of a large network.

The network of `bench.overview` (200 members, 50 involvements) with 120 concerns (the list
shows the newest 50; the chronology every concern, involvement and membership, some 370
entries) and 60 events in this month. Each page's query count is compared between a network
of 5 members with a few records and the large one (it must not grow), and its server time
p50/p95 is measured beside the bare Django JSON view (/healthz), one request of each in
turn, through the same middleware.

    python -m bench.pages [--concerns 120] [--events 60] [--runs 100]

Runs in a throwaway test database (DATABASE_URL or SQLite); touches no real data.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import statistics
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.overview import (  # noqa: E402
    changed_timings,
    network_build,
    network_changed,
    paired_timings,
    percentile,
    throwaway_database,
)
from bench.results import BenchResult, Figure, result_write  # noqa: E402

PAGES = {
    "concerns list": "concerns/",
    "chronology": "chronology/",
    "calendar month": "calendar/?view=month",
}


def records_add(network, coordinator, *, concerns: int, events: int) -> None:  # type: ignore[no-untyped-def]
    """Concerns raised over the past months and events spread over this month."""
    from calendars.models import EventKind
    from calendars.services.events import event_create
    from caregraph.models import Severity, Visibility
    from concerns.models import ConcernCategory
    from concerns.services import concern_raise
    from tests.networks import viewer

    standing = viewer(network, coordinator)
    now = timezone.now()
    severities = [Severity.LOW, Severity.MEDIUM, Severity.LOW, Severity.MEDIUM]
    categories = list(ConcernCategory.values)
    for number in range(concerns):
        concern_raise(
            network=network,
            viewer=standing,
            raised_by=coordinator,
            category=categories[number % len(categories)],
            severity=severities[number % len(severities)],
            description=f"Concern {number}: missed school, <b>not</b> seen at home.\nSecond line.",
            visibility=Visibility.PROFESSIONALS if number % 3 else Visibility.NETWORK,
            happened_at=now - datetime.timedelta(days=number),
        )
    kinds = [EventKind.HOME_VISIT, EventKind.APPOINTMENT, EventKind.MEETING, EventKind.REVIEW]
    month_start = timezone.localtime(now).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    for number in range(events):
        start = month_start + datetime.timedelta(days=number % 28, hours=number % 8)
        all_day = number % 10 == 0
        event_create(
            network=network,
            viewer=standing,
            created_by=coordinator,
            title=f"Visit {number} & review",
            kind=kinds[number % len(kinds)],
            start=start.date() if all_day else start,
            end=start.date() if all_day else start + datetime.timedelta(hours=1),
            all_day=all_day,
            visibility=Visibility.PROFESSIONALS if number % 5 == 0 else Visibility.NETWORK,
        )
    print(f"  added {concerns} concerns, {events} events", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--involvements", type=int, default=50)
    parser.add_argument("--concerns", type=int, default=120)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--page", choices=list(PAGES), action="append", help="only these")
    parser.add_argument("--json", help="also write the figures to this file (bench.report)")
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    pages = {name: PAGES[name] for name in (args.page or PAGES)}

    with throwaway_database():
        small, small_user = network_build(members=5, involvements=2)
        records_add(small, small_user, concerns=3, events=3)
        large, large_user = network_build(members=args.members, involvements=args.involvements)
        records_add(large, large_user, concerns=args.concerns, events=args.events)
        client = Client()
        counts: dict[str, tuple[int, int]] = {}
        for name, tail in pages.items():
            found = []
            for network, user in ((small, small_user), (large, large_user)):
                client.force_login(user)
                connection.queries_log.clear()  # it keeps 9,000: a full log counts nothing
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(f"/networks/{network.pk}/{tail}").status_code == 200
                found.append(len(queries))
            counts[name] = (found[0], found[1])
        client.force_login(large_user)
        measured = {}
        rebuilt = {}
        for name, tail in pages.items():
            url = f"/networks/{large.pk}/{tail}"
            measured[name] = paired_timings(
                functools.partial(client.get, url),
                functools.partial(client.get, "/healthz"),
                args.runs,
            )
            rebuilt[name] = changed_timings(
                functools.partial(client.get, url),
                functools.partial(client.get, "/healthz"),
                functools.partial(network_changed, large.pk),
                max(args.runs // 4, 20),
            )

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    size = (
        f"{args.members} members, {args.involvements} involvements, "
        f"{args.concerns} concerns, {args.events} events"
    )
    print(f"database: {engine}; {size}; {args.runs} requests each, in turn with /healthz")
    print(f"{'page':<18}{'queries':>14}{'p50 ms':>9}{'bare p50':>10}{'ratio':>7}{'p95 ratio':>11}")
    figures, failed = [], []
    for name, (page, bare) in measured.items():
        small_count, large_count = counts[name]
        ratio = statistics.median(page) / statistics.median(bare)
        ratio95 = percentile(page, 0.95) / percentile(bare, 0.95)
        print(
            f"{name:<18}{f'{small_count} -> {large_count}':>14}{statistics.median(page):>9.2f}"
            f"{statistics.median(bare):>10.2f}{ratio:>6.1f}x{ratio95:>10.1f}x"
        )
        if small_count != large_count:
            failed.append(f"the {name}'s query count grows with the network")
        figures.append(
            Figure(
                figure=f"{name}, {size}, p50",
                value=statistics.median(page),
                unit="ms",
                baseline=statistics.median(bare),
                baseline_label="bare Django JSON view (/healthz), p50, in turn",
                goal=2.0,
                goal_kind="ratio",
                note=f"queries: {small_count} small, {large_count} large",
            )
        )
        after, after_bare = rebuilt[name]
        print(
            f"{'  after a change':<18}{'':>14}{statistics.median(after):>9.2f}"
            f"{statistics.median(after_bare):>10.2f}"
            f"{statistics.median(after) / statistics.median(after_bare):>6.1f}x"
        )
        figures.append(
            Figure(
                figure=f"{name}, first look after a change, p50",
                value=statistics.median(after),
                unit="ms",
                baseline=statistics.median(after_bare),
                baseline_label="bare Django JSON view (/healthz), p50, in turn",
                note="rendered afresh: no kept page or list can answer it (not a goal)",
            )
        )
    result_write(
        args.json,
        BenchResult(
            bench="pages",
            settings=f"{size}, {args.runs} requests each, {engine}",
            failed="; ".join(failed),
            figures=figures,
        ),
    )
    if failed:
        sys.exit("FAIL: " + "; ".join(failed))


if __name__ == "__main__":
    main()
