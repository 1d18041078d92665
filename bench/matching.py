"""Benchmark: demographic matching beside an exact NHS Number lookup, over 100,000 people.

Builds the people (realistic names, dates of birth across 90 years, shared postcodes, an
NHS Number each) in a throwaway test database, then times, over the same runs:

- matching one new person against them all (`person_match_candidates`: the indexed
  candidate query and the scoring in Python), and
- finding a person by NHS Number (`person_find_by_identifiers`, as registration does),

printing p50/p95 in milliseconds side by side with their ratio, so the numbers read on any
machine. Then it prints the EXPLAIN of the candidate query, and fails (exit status 1) if
the database reads the whole person table to answer it.

    python -m bench.matching [--people 100000] [--runs 200] [--seed 7]

Works with DATABASE_URL (PostgreSQL) or the embedded SQLite. The database is named
`bench_<name>` (or `var/bench.sqlite3`), made for the run and dropped after it, so neither
real data nor a test run's database is touched.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bench.results import BenchResult, Figure, result_write

if TYPE_CHECKING:
    from caregraph.models import Person

# A small built-in list of common names in England and Wales, with some near-spellings.
FORENAMES = (  # noqa: SIM905
    "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy "
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace "
    "Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Matilda "
    "Mohammed Jon John Jonathan Katie Kate Sarah Sara Stephen Steven Jayden Aisha Fatima"
).split()
SURNAMES = (  # noqa: SIM905
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Ali Hussain Ahmed Smyth Jonas Walsh"
).split()
OUTWARD_CODES = [f"LS{n}" for n in range(1, 30)] + [f"M{n}" for n in range(1, 41)]
OUTWARD_CODES += [f"B{n}" for n in range(1, 50)] + ["SW1A", "SE15", "E17", "N16", "NW10"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
BATCH = 10_000
# given name, family name, their keys, date of birth, postcode
PersonRow = tuple[str, str, str, str, datetime.date | None, str]
TODAY = datetime.date(2026, 1, 1)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh, migrated database of its own for the run; dropped afterwards."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        bench_name = str(settings.VAR_DIR / "bench.sqlite3")
    else:
        bench_name = f"bench_{old_name}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield bench_name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def postcodes_make(chance: random.Random, count: int) -> list[str]:
    return [
        f"{chance.choice(OUTWARD_CODES)} {chance.randrange(1, 10)}"
        f"{chance.choice(INWARD_LETTERS)}{chance.choice(INWARD_LETTERS)}"
        for _ in range(count)
    ]


def date_of_birth_make(chance: random.Random) -> datetime.date | None:
    if chance.random() < 0.03:  # some records have no date of birth
        return None
    return TODAY - datetime.timedelta(days=chance.randrange(90 * 365))


def nhs_numbers_for_bench() -> Iterator[str]:
    """Distinct valid NHS Numbers, as many as a bench of millions needs.

    First the 999 range, which is never issued to anyone (about 909,000 valid numbers: a
    base whose check value is 10 has none); then downwards from 998 999 999, still valid by
    the modulus-11 check. The database is a throwaway one, made and dropped by the bench.
    A number of one digit repeated is never issued and is skipped.
    """
    from caregraph.identifiers import nhs_number_check_digit

    bases = itertools.chain(range(999_000_000, 1_000_000_000), range(998_999_999, 0, -1))
    for base in bases:
        digits = str(base).rjust(9, "0")
        check = nhs_number_check_digit(digits)
        if check is None:
            continue
        number = f"{digits}{check}"
        if len(set(number)) > 1:
            yield number


def person_rows(*, count: int, chance: random.Random) -> Iterator[PersonRow]:
    """(given, family, given key, family key, date of birth, postcode) for `count` people."""
    from caregraph.services.people import name_key

    postcodes = postcodes_make(chance, max(count // 20, 1))
    keys = {name: name_key(name) for name in FORENAMES + SURNAMES}
    for _ in range(count):
        given, family = chance.choice(FORENAMES), chance.choice(SURNAMES)
        postcode = chance.choice(postcodes) if chance.random() < 0.9 else ""
        yield given, family, keys[given], keys[family], date_of_birth_make(chance), postcode


def people_build(*, count: int, chance: random.Random) -> list[str]:
    """Stores `count` people with an NHS Number each; returns the NHS Numbers.

    On PostgreSQL the rows go in by COPY, in batches (a million in a minute or two, where
    saving them as objects takes a quarter of an hour); elsewhere by `bulk_create`.
    """
    from django.db import connection

    numbers = nhs_numbers_for_bench()
    rows = person_rows(count=count, chance=chance)
    stored: list[str] = []
    started = time.perf_counter()
    while len(stored) < count:
        batch = list(itertools.islice(rows, BATCH))
        batch_numbers = [next(numbers) for _ in batch]
        if connection.vendor == "postgresql":
            people_copy(batch, batch_numbers, first_id=len(stored) + 1)
        else:
            people_create(batch, batch_numbers)
        stored += batch_numbers
        print(f"\r built {len(stored):,}/{count:,}", end="", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("caregraph_person", "caregraph_identifier"):
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id RESTART WITH {count + 1}")
    print(f" in {time.perf_counter() - started:.1f} s")
    return stored


def people_copy(batch: list[PersonRow], numbers: list[str], *, first_id: int) -> None:
    """A batch of people and their NHS Numbers by COPY, with ids given (a fresh database)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from caregraph.models import IdentifierSystem

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        copy = cursor.connection.cursor().copy
        with copy(
            "COPY caregraph_person (id, given_name, family_name, given_name_key, "
            "family_name_key, date_of_birth, postcode, address, created_at) FROM STDIN"
        ) as people:
            for offset, row in enumerate(batch):
                people.write_row((first_id + offset, *row, "", now))
        with copy(
            "COPY caregraph_identifier (id, system, value, created_at, person_id) FROM STDIN"
        ) as identifiers:
            for offset, number in enumerate(numbers):
                person_id = first_id + offset
                identifiers.write_row(
                    (person_id, IdentifierSystem.NHS_NUMBER.value, number, now, person_id)
                )


def people_create(batch: list[PersonRow], numbers: list[str]) -> None:
    from caregraph.models import Identifier, IdentifierSystem, Person

    people = Person.objects.bulk_create(
        Person(
            given_name=given,
            family_name=family,
            given_name_key=given_key,
            family_name_key=family_key,
            date_of_birth=born,
            postcode=postcode,
        )
        for given, family, given_key, family_key, born, postcode in batch
    )
    Identifier.objects.bulk_create(
        Identifier(person=person, system=IdentifierSystem.NHS_NUMBER, value=number)
        for person, number in zip(people, numbers, strict=True)
    )


def tables_analyse() -> None:
    """Gives the planner statistics of the new rows, as a live database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM too, so that autovacuum does not start on the new rows mid-run.
            cursor.execute("VACUUM ANALYZE caregraph_person, caregraph_identifier")
        else:
            cursor.execute("ANALYZE")


def typo(name: str, chance: random.Random) -> str:
    """One slip of the keyboard: a letter doubled, dropped or swapped with its neighbour."""
    if len(name) < 4:
        return name + name[-1]
    at = chance.randrange(1, len(name) - 1)
    slip = chance.choice(("double", "drop", "swap"))
    if slip == "double":
        return name[: at + 1] + name[at:]
    if slip == "drop":
        return name[:at] + name[at + 1 :]
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def probes_make(*, count: int, chance: random.Random) -> list[Person]:
    """New people about to be registered: half a typo of someone stored, a quarter an exact
    copy, a quarter nobody known."""
    from caregraph.models import Person
    from caregraph.services.people import name_key

    stored_ids = list(Person.objects.values_list("pk", flat=True))
    postcodes = postcodes_make(chance, 50)
    probes = []
    for number in range(count):
        kind = number % 4
        if kind in (0, 1, 2):
            known = Person.objects.get(pk=chance.choice(stored_ids))
            given = typo(known.given_name, chance) if kind < 2 else known.given_name
            family, born, postcode = known.family_name, known.date_of_birth, known.postcode
        else:
            given, family = chance.choice(FORENAMES), chance.choice(SURNAMES)
            born, postcode = date_of_birth_make(chance), chance.choice(postcodes)
        probes.append(
            Person(
                given_name=given,
                family_name=family,
                given_name_key=name_key(given),
                family_name_key=name_key(family),
                date_of_birth=born,
                postcode=postcode,
            )
        )
    return probes


def timings(
    first: list[Callable[[], object]], second: list[Callable[[], object]]
) -> tuple[list[float], list[float]]:
    """Milliseconds for each call of two kinds, taken in turn so that whatever else the
    machine is doing weighs on both alike; after a few to warm up."""
    for call in first[:10] + second[:10]:
        call()
    samples: tuple[list[float], list[float]] = ([], [])
    for calls in zip(first, second, strict=True):
        for call, kept in zip(calls, samples, strict=True):
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


def plan_scans_everyone(plan: str, vendor: str) -> bool:
    """Whether the plan reads the whole person table rather than answering from an index."""
    if vendor == "postgresql":
        return "Seq Scan on caregraph_person" in plan
    return re.search(r"\bSCAN caregraph_person\b(?! USING)", plan) is not None


def run(*, people: int, runs: int, seed: int, json_path: str | None = None) -> int:
    from django.db import connection

    from caregraph.matching import (
        CANDIDATE_ROWS_MAX,
        person_match_candidates,
        person_match_queryset,
    )
    from caregraph.models import IdentifierSystem
    from caregraph.services.people import IdentifierInput, person_find_by_identifiers

    chance = random.Random(seed)
    with throwaway_database() as name:
        print(f"Matching bench on {connection.vendor} ({name}): {people:,} people, {runs} runs")
        numbers = people_build(count=people, chance=chance)
        tables_analyse()
        probes = probes_make(count=runs, chance=chance)
        lookups = [
            [IdentifierInput(system=IdentifierSystem.NHS_NUMBER, value=chance.choice(numbers))]
            for _ in range(runs)
        ]

        def match(probe: Person) -> Callable[[], object]:
            return lambda: person_match_candidates(person=probe)

        def lookup(identifiers: list[IdentifierInput]) -> Callable[[], object]:
            return lambda: person_find_by_identifiers(identifiers)

        matching, finding = timings(
            [match(probe) for probe in probes], [lookup(identifiers) for identifiers in lookups]
        )
        for identifiers in lookups[:20]:
            assert person_find_by_identifiers(identifiers) is not None

        read = [len(person_match_queryset(person=probe)[:CANDIDATE_ROWS_MAX]) for probe in probes]
        found = [len(person_match_candidates(person=probe)) for probe in probes]
        print()
        print(f"{'':34}{'p50 ms':>10}{'p95 ms':>10}")
        for label, samples in (
            ("demographic match (indexed)", matching),
            ("NHS Number lookup (exact)", finding),
        ):
            p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
            print(f"{label:34}{p50:>10.2f}{p95:>10.2f}")
        ratios = [
            percentile(matching, share) / percentile(finding, share) for share in (0.50, 0.95)
        ]
        print(f"{'ratio (match / lookup)':34}{ratios[0]:>9.1f}x{ratios[1]:>9.1f}x")
        print(
            f"\nrows the candidate query read per match: mean {statistics.mean(read):.1f}, "
            f"max {max(read)}; likely matches found: mean {statistics.mean(found):.2f}, "
            f"probes with one or more {sum(1 for n in found if n)}/{len(found)}"
        )

        example = next(
            probe for probe in probes if probe.date_of_birth is not None and probe.postcode
        )
        plan = person_match_queryset(person=example).explain()
        print(
            f"\nEXPLAIN of the candidate query for {example.full_name}, "
            f"born {example.date_of_birth}, {example.postcode}:\n{plan}"
        )
        failed = ""
        if plan_scans_everyone(plan, connection.vendor):
            failed = "the candidate query scans the whole person table"
        result_write(
            json_path,
            BenchResult(
                bench="matching",
                settings=f"{people:,} people, {runs} runs, {connection.vendor}",
                failed=failed,
                figures=[
                    Figure(
                        figure=f"demographic match, {people:,} people, p95",
                        value=percentile(matching, 0.95),
                        unit="ms",
                        baseline=percentile(finding, 0.95),
                        baseline_label="exact NHS Number lookup, p95",
                        goal=10.0,
                        goal_kind="max",
                    ),
                    Figure(
                        figure=f"demographic match, {people:,} people, p50",
                        value=percentile(matching, 0.50),
                        unit="ms",
                        baseline=percentile(finding, 0.50),
                        baseline_label="exact NHS Number lookup, p50",
                    ),
                ],
                extra={"explain": plan, "rows_read_mean": statistics.mean(read)},
            ),
        )
        if failed:
            print(f"\nFAIL: {failed}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file (bench.report)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    return run(people=args.people, runs=args.runs, seed=args.seed, json_path=args.json)


if __name__ == "__main__":
    sys.exit(main())
