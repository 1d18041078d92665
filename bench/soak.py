"""Soak: a bad day for the whole stack, and proof that nothing was lost, repeated or broken.

For `--minutes` (default 10), `--sockets` members (default 200, 20 to a network) hold their
network's live stream open over `uvicorn --workers 2`, while the networks' coordinators
write through the API at `--rate` writes a second (calendar events shared with everyone,
and every tenth a concern, which e-mails the network's professionals through the outbox).
Meanwhile, on a timeline scaled to the run: Redis is paused for 5 s (SIGSTOP/SIGCONT), later
restarted (SIGTERM and started again on the same port, its memory gone), later one uvicorn
worker is killed with SIGKILL (uvicorn starts another). A Celery worker and beat run as the
Procfile runs them, under `config.supervise`.

It then reports, and exits with status 1 if any property is broken:

- per socket, after a final resume (as the browser asks when it comes back): the events its
  application received are exactly the network's log (the part a member may see) from its
  first hello to the end: 0 lost, 0 given twice, in order. Repeated frames the client
  dropped, and how much came live, by replay, or only at the final resume, are reported;
- e-mails: every outbox e-mail sent, once (distinct Message-IDs at a local SMTP server);
- API answers by status: no 5xx other than 503, and 503s (or no answer) only while a fault
  was on or within 15 s of the service coming back;
- the database's peak connections (pg_stat_activity) within the pools' cap: two workers at
  DATABASE_POOL_MAX each, plus the Celery processes at theirs.

    python -m bench.soak [--minutes 10] [--sockets 200] [--rate 5]

Needs PostgreSQL (DATABASE_URL; it makes and drops a database `bench_soak_<name>`) and
/usr/bin/redis-server (it runs its own on a free port: the soak pauses and restarts it). It
never touches another Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.soak_clients import SoakClient, SocketCheck, clients_start, socket_check
from bench.soak_data import SoakNetwork
from bench.soak_faults import faults_run
from bench.soak_load import Answer, ConnectionMeter, Fault, connections_end, writes_run
from bench.soak_services import Celery, RedisServer, Uvicorn

PER_NETWORK = 20
WEB_WORKERS = 2
CELERY_PROCESSES = 4  # the worker's parent and its two children, and beat
CELERY_POOL_MAX = 2
FAULT_GRACE = 15.0  # seconds after a service is back within which a 503 is still its fault
SETTLE_SECONDS = 5.0
MAIL_DRAIN_SECONDS = 180.0


@dataclass
class Outcome:
    clients: list[SoakClient]
    client_networks: list[SoakNetwork]
    answers: list[Answer]
    faults: list[Fault]
    finals: list[bool]
    checks: list[SocketCheck] = field(default_factory=list)


async def soak_run(
    *, networks: list[SoakNetwork], uvicorn: Uvicorn, redis: RedisServer, rate: float,
    duration: float, began_box: list[float],
) -> Outcome:  # fmt: skip
    from bench.live_setup import socket_url

    base = uvicorn.base_url
    pairs = [(network, cookie) for network in networks for cookie in network.cookies]
    clients = [SoakClient(url=socket_url(base, n.id), origin=base, cookie=c) for n, c in pairs]
    tasks = await clients_start(clients)
    print(f"  {len(clients)} sockets open; writing for {duration:.0f} s", file=sys.stderr)
    began = began_box[0] = time.monotonic()
    writes = asyncio.create_task(
        writes_run(base_url=base, networks=networks, rate=rate, began=began, until=began + duration)
    )
    faults = await faults_run(redis=redis, uvicorn=uvicorn, began=began, duration=duration)
    for fault in faults:
        print(f"  {fault.start:6.1f} s  {fault.name} {fault.note}", file=sys.stderr)
    answers = await writes
    await asyncio.sleep(SETTLE_SECONDS)
    finals = list(await asyncio.gather(*(client.final_resume() for client in clients)))
    await asyncio.gather(*(client.stop() for client in clients))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return Outcome(clients, [network for network, _cookie in pairs], answers, faults, finals)


def mail_drain(timeout: float) -> float:
    """Waits until no outbox e-mail is waiting; returns how long that took."""
    from django.db import connection

    from bench.soak_data import outbox_state

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if outbox_state().unsent == 0:
            break
        connection.close()
        time.sleep(2)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to write")
    parser.add_argument("--sockets", type=int, default=200, help=f"{PER_NETWORK} per network")
    parser.add_argument("--rate", type=float, default=5.0, help="API writes a second, in all")
    parser.add_argument("--pool-max", type=int, default=8, help="DATABASE_POOL_MAX per worker")
    parser.add_argument("--json", default="", help="write the figures there (bench.report)")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    from bench.fanout_clients import open_files_raise

    open_files_raise(4 * args.sockets + 1000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # This process needs no Redis: the servers get the soak's own, never the developer's.
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()

    from django.conf import settings
    from django.db import connection

    from bench.live_setup import throwaway_database
    from bench.soak_data import networks_create
    from tests import services
    from tests.notifications.smtp import SmtpServer

    if connection.vendor != "postgresql":
        sys.exit("bench.soak needs PostgreSQL: set DATABASE_URL (postgres://...)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    duration = args.minutes * 60

    redis = RedisServer()
    smtp = SmtpServer()
    processes: list[Uvicorn | Celery] = []
    meter: ConnectionMeter | None = None
    try:
        redis.start()
        smtp.start()
        with throwaway_database(name="bench_soak"), tempfile.TemporaryDirectory() as tmp:
            networks = networks_create(sockets=args.sockets, per_network=PER_NETWORK)
            database_url = services.database_url(connection.settings_dict)
            database = str(connection.settings_dict["NAME"])
            connection.close()  # from here on the servers do the reading and writing
            print(f"  built {len(networks)} networks in {database}", file=sys.stderr)
            env = services.child_env(
                database_url,
                CAREGRAPH_MODE="embedded",
                REDIS_URL=redis.url,
                CELERY_BROKER_URL=redis.url,
                EMAIL_URL=smtp.url,
                DATABASE_POOL_MAX=str(args.pool_max),
                DATABASE_POOL_TIMEOUT="5",
                # E-mails whose queued task Redis forgot are found by the sweep within a
                # minute rather than the default's several.
                OUTBOX_SWEEP_SECONDS="5",
                OUTBOX_SWEEP_GRACE_SECONDS="10",
                OUTBOX_LEASE_SECONDS="60",
                OUTBOX_SMTP_TIMEOUT_SECONDS="10",
            )
            began_box = [time.monotonic()]
            meter = ConnectionMeter(database_url, database, began=0.0)
            meter.start()
            uvicorn = Uvicorn(env, workers=WEB_WORKERS)
            processes.append(uvicorn)
            celery = Celery(
                {**env, "DATABASE_POOL_MAX": str(CELERY_POOL_MAX)}, schedule=Path(tmp) / "beat"
            )
            processes.append(celery)
            outcome = asyncio.run(
                soak_run(
                    networks=networks,
                    uvicorn=uvicorn,
                    redis=redis,
                    rate=args.rate,
                    duration=duration,
                    began_box=began_box,
                )
            )
            drained = mail_drain(MAIL_DRAIN_SECONDS)
            time.sleep(12)  # two more sweeps: a repeat would show now
            meter.stop()
            restarts = celery.restarts()
            for process in reversed(processes):
                process.stop()
            processes.clear()
            outcome.checks = sockets_check(outcome)
            mail = mail_check(smtp)
            connection.close()
            lingering = connections_end(database_url, database)
    finally:
        if meter is not None:
            meter.stop()
        for process in reversed(processes):
            process.stop()
        redis.stop()
        smtp.close()

    peak, peak_at = meter.peak
    cap = WEB_WORKERS * args.pool_max + CELERY_PROCESSES * CELERY_POOL_MAX
    broken = report(
        args=args,
        outcome=outcome,
        mail=mail,
        drained=drained,
        connections=(peak, peak_at - began_box[0], cap),
        restarts=restarts,
    )
    if lingering:
        print(f"  ({lingering} connections were still open after the processes stopped)")
    result_json_write(args, outcome=outcome, mail=mail, connections=(peak, cap), broken=broken)
    if broken:
        sys.exit("FAIL: " + "; ".join(broken))
    print("PASS")


def sockets_check(outcome: Outcome) -> list[SocketCheck]:
    from bench.soak_data import visible_sequences

    cache: dict[tuple[int, int], list[int]] = {}
    checks = []
    for client, network in zip(outcome.clients, outcome.client_networks, strict=True):
        after = client.tally.first_hello or 0
        if (network.id, after) not in cache:
            cache[network.id, after] = visible_sequences(network, after=after)[0]
        checks.append(socket_check(client.tally, cache[network.id, after]))
    return checks


@dataclass
class MailCheck:
    expected: int
    received: int
    distinct: int
    lost: int
    doubled: int
    unsent: int
    failed: int


def mail_check(smtp: object) -> MailCheck:
    from bench.soak_data import outbox_state
    from notifications.relay import outbox_message_id_header

    state = outbox_state()
    received = Counter(r.message_id for r in smtp.received)  # type: ignore[attr-defined]
    wanted = {outbox_message_id_header(pk) for pk in state.expected}
    return MailCheck(
        expected=len(wanted),
        received=sum(received.values()),
        distinct=len(received),
        lost=len(wanted - set(received)),
        doubled=sum(count - 1 for count in received.values()),
        unsent=state.unsent,
        failed=state.failed,
    )


def result_json_write(
    args: argparse.Namespace, *, outcome: Outcome, mail: MailCheck,
    connections: tuple[int, int], broken: list[str],
) -> None:  # fmt: skip
    """The run's guarded figures for `bench.report` (each must be 0, or within the cap)."""
    from bench.results import BenchResult, Figure, result_write

    def zero(name: str, value: float) -> Figure:
        return Figure(figure=f"soak: {name}", value=value, unit="", goal=0, goal_kind="max")

    server_errors = sum(
        1 for answer in outcome.answers if answer.status.startswith("5") and answer.status != "503"
    )
    figures = [
        zero("events lost, all sockets", sum(check.lost for check in outcome.checks)),
        zero("events given twice", sum(check.repeated for check in outcome.checks)),
        zero("events out of order", sum(check.out_of_order for check in outcome.checks)),
        zero("e-mails lost", mail.lost),
        zero("e-mails sent twice", mail.doubled),
        zero("API answers 500", server_errors),
        Figure(
            figure="soak: peak database connections",
            value=connections[0],
            unit="",
            goal=connections[1],
            goal_kind="max",
            note="the pools' cap",
        ),
    ]
    result_write(
        args.json,
        BenchResult(
            bench="soak",
            figures=figures,
            failed="; ".join(broken),
            settings=f"{args.minutes:g} min, {args.sockets} sockets, {args.rate:g} writes/s",
        ),
    )


def report(
    *, args: argparse.Namespace, outcome: Outcome, mail: MailCheck, drained: float,
    connections: tuple[int, float, int], restarts: dict[str, int],
) -> list[str]:  # fmt: skip
    """Prints the report; returns the properties that were broken."""
    broken: list[str] = []
    clients, checks = outcome.clients, outcome.checks
    tallies = [client.tally for client in clients]
    print(
        f"soak: {args.minutes:g} min, {len(clients)} sockets over "
        f"{len({n.id for n in outcome.client_networks})} networks on uvicorn --workers "
        f"{WEB_WORKERS}, {args.rate:g} API writes/s, DATABASE_POOL_MAX {args.pool_max}"
    )
    print("faults (seconds from the first write):")
    for fault in outcome.faults:
        print(f"  {fault.start:7.1f} - {fault.end:7.1f}  {fault.name}  {fault.note}".rstrip())

    def total(name: str) -> int:
        return sum(getattr(check, name) for check in checks)

    expected = [check.expected for check in checks]
    print("events per socket, after the final resume (the member's part of the log):")

    def add(name: str) -> int:
        return sum(getattr(tally, name) for tally in tallies)

    connects = add("connects")
    rows = [
        ("sockets", len(clients), ""),
        ("events expected per socket", statistics.median(expected),
         f"min {min(expected)}, max {max(expected)}"),
        ("events in the log for all sockets", sum(expected), ""),
        ("events received by all sockets", total("delivered"), ""),
        ("lost", total("lost"), f"on {sum(1 for c in checks if c.lost)} sockets"),
        ("duplicated (given to the application twice)", total("repeated"), ""),
        ("out of order", total("out_of_order") + add("late"), ""),
        ("not in the member's log", total("extra"), ""),
        ("final resume unanswered", outcome.finals.count(False), ""),
        ("repeated frames dropped by the client", add("duplicates"),
         "(fine: a replay may repeat a live frame)"),
        ("received live", add("live"), ""),
        ("received in answer to a resume", add("replayed"), ""),
        ("received only at the final resume", add("at_final"), "(live delivery had stopped)"),
        ("connections (reconnections)", connects, f"({connects - len(clients)})"),
        ("connection attempts refused", add("refused"), ""),
        ("resumes (on a gap)", add("resumes"), f"({add('gaps')})"),
        ("heartbeats seen", add("heartbeats"), ""),
    ]  # fmt: skip
    for name, value, note in rows:
        print(f"  {name:<56}{value:>8}  {note}".rstrip())
    if total("lost") or outcome.finals.count(False):
        broken.append(f"{total('lost')} events lost")
    if total("repeated") or total("extra"):
        broken.append("events given twice or outside the member's log")
    if total("out_of_order") or add("late"):
        broken.append("events out of order")
    if add("at_final"):
        # Not lost (the log has them, and a resume brings them), but a page left open would
        # not have shown them: its live stream had stopped without the client knowing.
        stalled = sum(1 for tally in tallies if tally.at_final)
        broken.append(
            f"live delivery stopped on {stalled} sockets: {add('at_final')} events reached "
            "them only at the final resume"
        )

    print("e-mails (outbox rows against Message-IDs at the SMTP server):")
    mail_rows: list[tuple[str, object]] = [
        ("expected", mail.expected),
        ("sent (distinct Message-IDs)", mail.distinct),
        ("lost", mail.lost),
        ("doubled", mail.doubled),
        ("still waiting / given up", f"{mail.unsent} / {mail.failed}"),
        ("seconds to drain after the writes", f"{drained:.0f}"),
    ]
    for label, figure in mail_rows:
        print(f"  {label:<56}{figure!s:>8}")
    if mail.expected == 0:
        broken.append("no e-mails were expected: the scene is wrong")
    if mail.lost or mail.doubled or mail.distinct != mail.expected:
        broken.append(f"e-mails: {mail.lost} lost, {mail.doubled} doubled")

    broken += answers_report(outcome.answers, outcome.faults)

    peak, peak_at, cap = connections
    print(
        f"database connections: peak {peak} at {peak_at:.0f} s; cap {cap} = {WEB_WORKERS} "
        f"workers x {args.pool_max} + {CELERY_PROCESSES} Celery processes x {CELERY_POOL_MAX}"
    )
    if peak > cap:
        broken.append(f"{peak} database connections, above the cap of {cap}")
    print(f"supervised restarts: Celery worker {restarts['worker']}, beat {restarts['beat']}")
    return broken


def answers_report(answers: list[Answer], faults: list[Fault]) -> list[str]:
    def during(answer: Answer) -> bool:
        return any(
            answer.sent <= fault.end + FAULT_GRACE and answer.sent + answer.took >= fault.start
            for fault in faults
        )

    by_status: dict[str, list[int]] = {}
    for answer in answers:
        counts = by_status.setdefault(answer.status, [0, 0])
        counts[0 if during(answer) else 1] += 1
    took = sorted(answer.took for answer in answers)
    print(
        f"API answers by status ({len(answers)} writes; p50 {statistics.median(took) * 1000:.0f}"
        f" ms, max {took[-1] * 1000:.0f} ms):"
    )
    print(f"  {'status':<30}{'during a fault':>16}{'otherwise':>12}")
    for status in sorted(by_status):
        on, off = by_status[status]
        print(f"  {status:<30}{on:>16}{off:>12}")
    broken = []
    server_errors = sum(
        sum(counts) for status, counts in by_status.items() if status.startswith("5")
        and status != "503"
    )  # fmt: skip
    print(f"  500s (any 5xx but 503): {server_errors}")
    if server_errors:
        broken.append(f"{server_errors} answers 5xx other than 503")
    out_of_place = sum(
        counts[1] for status, counts in by_status.items() if status not in {"200", "201"}
    )
    if out_of_place:
        broken.append(f"{out_of_place} failed answers while no service was down")
    return broken


if __name__ == "__main__":
    main()
