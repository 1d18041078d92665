"""Benchmark: the iCalendar feed of a member of 20 networks holding 1,000 events.

Prints the feed's server time p50/p95 beside serving a static file of the same bytes
(Django's `django.views.static.serve`) in the same run, through the same middleware and
the same in-process test client, so the numbers read on any machine. Also prints the query
counts of the feed, and of listing one month of the busiest network through the API, at
100 and at 1,000 events: neither may grow with the number of events.

    python -m bench.feed [--networks 20] [--events 1000] [--runs 100]

Runs in a throwaway test database (DATABASE_URL or SQLite); touches no real data.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.views.static import serve  # noqa: E402

from bench.overview import (  # noqa: E402
    paired_timings,
    percentile,
    throwaway_database,
    timings,
)
from bench.results import BenchResult, Figure, result_write  # noqa: E402

STATIC_DIR = Path(tempfile.gettempdir()) / "caregraph-bench-feed"

# The project's URLs, and the static file beside them: both answered by the same stack.
urlpatterns = [
    path("bench-static/<path:path>", serve, {"document_root": str(STATIC_DIR)}),
    path("", include("config.urls")),
]


def member_of_networks(count: int):  # type: ignore[no-untyped-def]
    """A social worker in `count` networks, each with its own coordinator and a relative."""
    from caregraph.models import MemberKind
    from tests.factories import AgencyFactory, staff_create, totp_enrol
    from tests.networks import member_add, network_create

    agency = AgencyFactory.create()
    member = staff_create(agency=agency)
    totp_enrol(member)  # agency staff reach no page or API without two-factor sign-in
    networks = []
    for number in range(count):
        network = network_create(agency=agency, given_name=f"Child{number}")
        member_add(network, kind=MemberKind.PROFESSIONAL, user=member, agency=agency)
        member_add(network, kind=MemberKind.FAMILY)
        networks.append(network)
    return member, networks


def events_add(networks, member, *, start_number: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """Events through the same service as the API: every fourth a weekly series (half of
    them without end, some with one occurrence moved and one cancelled), every fifth for
    professionals only, every seventh all day. Half of them go to the first network."""
    from calendars.models import EventKind
    from calendars.services.events import (
        event_create,
        event_occurrence_cancel,
        event_occurrence_update,
    )
    from caregraph.models import Visibility
    from tests.networks import viewer

    base = datetime.datetime.combine(
        datetime.date.today() + datetime.timedelta(days=1), datetime.time(9)
    )
    standings = {network.pk: viewer(network, member) for network in networks}
    kinds = [EventKind.HOME_VISIT, EventKind.APPOINTMENT, EventKind.MEETING, EventKind.REVIEW]
    for number in range(start_number, start_number + count):
        network = networks[0] if number % 2 == 0 else networks[1 + number % (len(networks) - 1)]
        standing = standings[network.pk]
        start = base + datetime.timedelta(days=number % 60, hours=number % 8)
        recurring = number % 4 == 0
        all_day = number % 7 == 0 and not recurring
        event = event_create(
            network=network,
            viewer=standing,
            created_by=member,
            title=f"Visit {number}, with notes; and commas",
            kind=kinds[number % len(kinds)],
            start=start.date() if all_day else start,
            end=start.date() if all_day else start + datetime.timedelta(hours=1),
            all_day=all_day,
            location=f"{number} Long Road, Newcastle upon Tyne NE1 4ST",
            visibility=Visibility.PROFESSIONALS if number % 5 == 0 else Visibility.NETWORK,
            rrule=("FREQ=WEEKLY;COUNT=20" if number % 8 == 0 else "FREQ=WEEKLY")
            if recurring
            else "",
        )
        if recurring and number % 3 == 0:
            second = start + datetime.timedelta(weeks=1)
            event_occurrence_update(
                event=event,
                viewer=standing,
                updated_by=member,
                occurrence=second,
                start=second + datetime.timedelta(hours=2),
            )
            event_occurrence_cancel(
                event=event,
                viewer=standing,
                cancelled_by=member,
                occurrence=start + datetime.timedelta(weeks=2),
            )
        if (number - start_number) % 50 == 0:
            print(
                f"\r  building: {number + 1 - start_number}/{count} events", end="", file=sys.stderr
            )
    print(f"\r  built {count} events{' ' * 20}", file=sys.stderr)


def queries_of(client: Client, url: str, params: dict[str, str] | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--json", help="also write the figures to this file (bench.report)")
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.ROOT_URLCONF = "bench.feed"
    clear_url_caches()
    small = args.events // 10

    from calendars.services.feed_tokens import feed_token_create

    with throwaway_database():
        member, networks = member_of_networks(args.networks)
        feed_url = f"/calendar/feeds/{feed_token_create(user=member)}.ics"
        busiest = networks[0]
        month_url = f"/api/v1/networks/{busiest.pk}/events/"
        today = datetime.date.today()
        month = {
            "start": today.isoformat(),
            "end": (today + datetime.timedelta(days=31)).isoformat(),
        }
        month["page_size"] = "200"
        client = Client()
        client.force_login(member)
        counts = {}

        for size, start_number in ((small, 0), (args.events, small)):
            events_add(networks, member, start_number=start_number, count=size - start_number)
            client.get(feed_url)  # the first fetch in an hour also notes the token's use
            counts[size] = (
                queries_of(client, feed_url)[0],
                queries_of(client, month_url, month)[0],
            )

        body = client.get(feed_url).content
        STATIC_DIR.mkdir(parents=True, exist_ok=True)
        (STATIC_DIR / "feed.ics").write_bytes(body)
        anonymous = Client()
        feed = timings(lambda: anonymous.get(feed_url), args.runs)
        static = timings(lambda: anonymous.get("/bench-static/feed.ics"), args.runs)
        unchanged, static_unchanged = unchanged_timings(anonymous, feed_url, args.runs)
        busiest_events = busiest.calendar_events.count()

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; {args.runs} requests each, in-process test client")
    print(
        f"feed: {args.events} events in {args.networks} networks, {len(body):,} bytes, "
        f"{body.count(b'BEGIN:VEVENT')} VEVENTs"
    )
    print(
        f"queries for the feed: {small} events -> {counts[small][0]}, "
        f"{args.events} events -> {counts[args.events][0]}"
    )
    print(
        f"queries for a month of the busiest network (API): {small // 2} events -> "
        f"{counts[small][1]}, {busiest_events} events -> {counts[args.events][1]}"
    )
    print(f"{'view':<44}{'p50 ms':>10}{'p95 ms':>10}")
    print(
        f"{'static file, same bytes (static.serve)':<44}"
        f"{statistics.median(static):>10.2f}{percentile(static, 0.95):>10.2f}"
    )
    label = f"feed, {args.events} events, {args.networks} networks"
    print(f"{label:<44}{statistics.median(feed):>10.2f}{percentile(feed, 0.95):>10.2f}")
    print(f"ratio p50 feed / static: {statistics.median(feed) / statistics.median(static):.1f}x")
    print(f"ratio p95 feed / static: {percentile(feed, 0.95) / percentile(static, 0.95):.1f}x")
    if unchanged:
        for label, samples in (
            ("static file, unchanged (304)", static_unchanged),
            ("feed, unchanged (304, If-None-Match)", unchanged),
        ):
            p50, p95 = statistics.median(samples), percentile(samples, 0.95)
            print(f"{label:<44}{p50:>10.2f}{p95:>10.2f}")
    failed = ""
    if counts[small] != counts[args.events]:
        failed = "a query count grows with the number of events"
    result = feed_result(args, feed=feed, static=static, unchanged=(unchanged, static_unchanged))
    result.failed = failed
    result_write(args.json, result)
    if failed:
        sys.exit(f"FAIL: {failed}")


def unchanged_timings(client: Client, feed_url: str, runs: int) -> tuple[list[float], list[float]]:
    """A poll of an unchanged feed (If-None-Match: its ETag) beside a static file's
    (If-Modified-Since: its Last-Modified); empty if either does not answer 304."""
    first = client.get(feed_url)
    static = client.get("/bench-static/feed.ics")
    etag, modified = first.get("ETag"), static.get("Last-Modified")
    if not etag or not modified:
        return [], []
    if client.get(feed_url, headers={"If-None-Match": etag}).status_code != 304:
        return [], []
    # One of each in turn, as the pages are timed: a busy moment weighs on both alike.
    return paired_timings(
        lambda: client.get(feed_url, headers={"If-None-Match": etag}),
        lambda: client.get("/bench-static/feed.ics", headers={"If-Modified-Since": modified}),
        runs,
    )


def feed_result(
    args: argparse.Namespace,
    *,
    feed: list[float],
    static: list[float],
    unchanged: tuple[list[float], list[float]],
) -> BenchResult:
    size = f"{args.events:,} events over {args.networks} networks"
    figures = [
        Figure(
            figure=f"iCalendar feed, {size}, p50",
            value=statistics.median(feed),
            unit="ms",
            baseline=statistics.median(static),
            baseline_label="static file of the same bytes (static.serve), p50",
            goal=5.0,
            goal_kind="ratio",
        ),
        Figure(
            figure=f"iCalendar feed, {size}, p95",
            value=percentile(feed, 0.95),
            unit="ms",
            baseline=percentile(static, 0.95),
            baseline_label="static file of the same bytes, p95",
        ),
    ]
    feed_304, static_304 = unchanged
    figures.append(
        Figure(
            figure=f"iCalendar feed unchanged (304 to If-None-Match), {size}, p50",
            value=statistics.median(feed_304) if feed_304 else float("nan"),
            unit="ms",
            baseline=statistics.median(static_304) if static_304 else None,
            baseline_label="static file unchanged (304 to If-Modified-Since), p50",
            goal=1.5,
            goal_kind="ratio",
            note="" if feed_304 else "the feed answered no 304 to its own ETag",
        )
    )
    return BenchResult(bench="feed", settings=f"{size}, {args.runs} requests each", figures=figures)


if __name__ == "__main__":
    main()
