"""Benchmark: a person's overview with 200 members and 50 involvements.

Prints the overview page's query count for 5 and for 200 members (it must not grow), and
its server time p50/p95 beside a bare Django JSON view (/healthz) measured in the same
run through the same middleware, one request of each in turn, so the numbers read on any
machine. `bench.pages` measures the concerns list, the chronology and the month the same way.

    python -m bench.overview [--members 200] [--involvements 50] [--runs 200]

Runs in a throwaway test database (DATABASE_URL or SQLite); touches no real data.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from bench.results import BenchResult, Figure, result_write  # noqa: E402


@contextmanager
def throwaway_database() -> Iterator[None]:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def timings(call: Callable[[], object], runs: int) -> list[float]:
    for _ in range(10):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def paired_timings(
    page: Callable[[], object], bare: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """Times of the page and of the bare view, one of each in turn (which goes first
    alternating), so that a busy moment on a shared machine weighs on both alike."""
    for _ in range(10):
        page()
        bare()
    pages: list[float] = []
    bares: list[float] = []
    for run in range(runs):
        order = ((page, pages), (bare, bares)) if run % 2 else ((bare, bares), (page, pages))
        for call, samples in order:
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
    return pages, bares


def changed_timings(
    page: Callable[[], object], bare: Callable[[], object], change: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """As `paired_timings`, but with the network changed (untimed) before each page: the
    first look after a change, when nothing kept can answer it (`frontend.kept_pages`)."""

    def changed_page() -> tuple[float, float]:
        change()
        started = time.perf_counter()
        page()
        return started, time.perf_counter()

    pages: list[float] = []
    bares: list[float] = []
    for run in range(runs + 10):
        started, ended = changed_page()
        bare_started = time.perf_counter()
        bare()
        if run >= 10:
            pages.append((ended - started) * 1000)
            bares.append((time.perf_counter() - bare_started) * 1000)
    return pages, bares


def network_changed(network_id: int) -> None:
    """What every change through the services does to the keys of kept pages and lists:
    the network's last event sequence moves on."""
    from django.db.models import F

    from caregraph.models import Network

    Network.objects.filter(pk=network_id).update(last_sequence=F("last_sequence") + 1)


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share * 100) - 1]


def network_build(*, members: int, involvements: int):  # type: ignore[no-untyped-def]
    from agencies.services import involvement_create
    from caregraph.models import MemberKind
    from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
    from tests.networks import member_add, network_create, viewer

    agency = AgencyFactory.create()
    coordinator = staff_create(agency=agency)
    totp_enrol(coordinator)  # agency staff reach no page without two-factor sign-in
    network = network_create(coordinator=coordinator, agency=agency)
    professionals = []  # each of another agency, who records that agency's involvement
    for number in range(members - 1):
        kind = MemberKind.PROFESSIONAL if number % 4 == 0 else MemberKind.FAMILY
        if kind == MemberKind.PROFESSIONAL:
            professionals.append(member_add(network, kind=kind, agency=AgencyFactory.create()))
        else:
            member_add(network, kind=kind, user=UserFactory.create())
        if number % 25 == 0:
            print(f"\r  building: {number + 1}/{members} members", end="", file=sys.stderr)
    while len(professionals) < involvements:
        professionals.append(
            member_add(network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create())
        )
    for number, membership in enumerate(professionals[:involvements]):
        # A professional records their own agency's involvement only.
        assert membership.agency is not None
        involvement_create(
            network=network,
            viewer=viewer(network, membership.user),
            created_by=membership.user,
            agency=membership.agency,
            service=f"Service {number}",
            started_on=datetime.date(2026, 1, 1),
        )
    print(f"\r  built {members} members, {involvements} involvements", file=sys.stderr)
    return network, coordinator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--involvements", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", help="also write the figures to this file (bench.report)")
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]

    with throwaway_database():
        small, small_user = network_build(members=5, involvements=5)
        large, large_user = network_build(members=args.members, involvements=args.involvements)
        client = Client()
        counts = {}
        for label, network, user in (
            ("5", small, small_user),
            (str(args.members), large, large_user),
        ):
            client.force_login(user)
            # The log keeps 9,000 queries: building 500 members fills it, and a full
            # log counts nothing new.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/networks/{network.pk}/").status_code == 200
            counts[label] = len(queries)

        client.force_login(large_user)
        overview, bare = paired_timings(
            lambda: client.get(f"/networks/{large.pk}/"), lambda: client.get("/healthz"), args.runs
        )
        rebuilt, rebuilt_bare = changed_timings(
            lambda: client.get(f"/networks/{large.pk}/"),
            lambda: client.get("/healthz"),
            lambda: network_changed(large.pk),
            max(args.runs // 4, 20),
        )

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; {args.runs} requests each, in-process test client")
    print(
        f"queries for the overview: 5 members -> {counts['5']}, "
        f"{args.members} members -> {counts[str(args.members)]}"
    )
    print(f"{'view':<44}{'p50 ms':>10}{'p95 ms':>10}")
    print(
        f"{'bare Django JSON view (/healthz)':<44}"
        f"{statistics.median(bare):>10.2f}{percentile(bare, 0.95):>10.2f}"
    )
    label = f"overview, {args.members} members, {args.involvements} involvements"
    print(f"{label:<44}{statistics.median(overview):>10.2f}{percentile(overview, 0.95):>10.2f}")
    print(
        f"ratio p50 overview / bare: {statistics.median(overview) / statistics.median(bare):.1f}x"
        f" (goal 2x); p95: {percentile(overview, 0.95) / percentile(bare, 0.95):.1f}x"
    )
    print(
        f"{'overview after a change (rendered afresh)':<44}"
        f"{statistics.median(rebuilt):>10.2f}{percentile(rebuilt, 0.95):>10.2f}"
        f"   ({statistics.median(rebuilt) / statistics.median(rebuilt_bare):.1f}x bare)"
    )
    failed = ""
    if counts["5"] != counts[str(args.members)]:
        failed = "the overview's query count grows with the number of members"
    size = f"{args.members} members, {args.involvements} involvements"
    result_write(
        args.json,
        BenchResult(
            bench="overview",
            settings=f"{size}, {args.runs} requests each, {engine}",
            failed=failed,
            figures=[
                Figure(
                    figure=f"person overview, {size}, p{share_name}",
                    value=value(overview),
                    unit="ms",
                    baseline=value(bare),
                    baseline_label=f"bare Django JSON view (/healthz), p{share_name}",
                    goal=2.0 if share_name == "50" else None,
                    goal_kind="ratio" if share_name == "50" else "",
                    note=(
                        f"queries: {counts['5']} at 5 members, "
                        f"{counts[str(args.members)]} at {args.members}"
                    ),
                )
                for share_name, value in (
                    ("50", statistics.median),
                    ("95", lambda samples: percentile(samples, 0.95)),
                )
            ]
            + [
                Figure(
                    figure=f"person overview, {size}, first look after a change, p50",
                    value=statistics.median(rebuilt),
                    unit="ms",
                    baseline=statistics.median(rebuilt_bare),
                    baseline_label="bare Django JSON view (/healthz), p50, in turn",
                    note="rendered afresh: no kept page or list can answer it (not a goal)",
                )
            ],
        ),
    )
    if failed:
        sys.exit(f"FAIL: {failed}")


if __name__ == "__main__":
    main()
