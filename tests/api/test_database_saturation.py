"""When the database is saturated the service says "busy, try again" (503), never 500.

Found under load: 40 concurrent concern POSTs opened 51 connections, and at 30 requests a
second 92 requests answered `500 FATAL: sorry, too many clients already` as an HTML page.
Each process now holds at most DATABASE_POOL_MAX connections, and a request that cannot
get one in time is answered 503 with Retry-After, in JSON under /api/.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import psycopg
import pytest
from django.db import OperationalError
from django.test import Client

from api.tokens import api_token_issue
from caregraph.models import MemberKind
from tests import services
from tests.api.helpers import API
from tests.factories import UserFactory
from tests.networks import member_add, network_create

CONCERN = {"category": "neglect", "severity": "low", "description": "Left alone after school."}


def test_a_database_out_of_reach_is_503_with_retry_after_in_json_under_the_api(
    monkeypatch: Any, db: None
) -> None:
    def saturated(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("sorry, too many clients already")

    monkeypatch.setattr("api.v1.networks.NetworkListApi.get", saturated)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory.create())

    response = client.get(f"{API}/networks/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["errors"]["non_field_errors"][0]


def test_a_page_with_the_database_out_of_reach_is_the_busy_page(monkeypatch: Any, db: None) -> None:
    def saturated(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection failed: Connection refused")

    monkeypatch.setattr("frontend.views.home.signed_in_user", saturated)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory.create())

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Sorry, the service is busy" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_writes_stays_within_the_pool_and_meets_no_500(test_database_url: str) -> None:
    network = network_create()
    aunt = member_add(network, kind=MemberKind.FAMILY, relationship="Aunt").user
    token = api_token_issue(user=aunt, code_given=False)
    cap = 3
    process, base_url = services.asgi_server_start(
        services.child_env(test_database_url, DATABASE_POOL_MAX=str(cap), DATABASE_POOL_TIMEOUT="1")
    )
    database = psycopg.connect(test_database_url, autocommit=True)
    name = database.info.dbname
    before = _connections(database, name)
    statuses: Counter[int] = Counter()
    peak = [before]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _connections(database, name))
            time.sleep(0.02)

    def post() -> None:
        request = urllib.request.Request(  # noqa: S310
            f"{base_url}{API}/networks/{network.pk}/concerns/",
            data=json.dumps(CONCERN).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                statuses[response.status] += 1
        except urllib.error.HTTPError as error:
            statuses[error.code] += 1
            if error.code == 503:
                assert error.headers["Retry-After"] == "5"
                assert "errors" in json.loads(error.read())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        writers = [threading.Thread(target=post) for _ in range(40)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        done.set()
        watcher.join()
        log = process.output()
        process.stop()
        database.close()

    assert set(statuses) <= {201, 503}, statuses
    assert statuses[201] >= 1
    assert peak[0] - before <= cap, (peak[0], before)
    assert "too many clients" not in log


def _connections(database: psycopg.Connection[Any], name: str) -> int:
    row = database.execute(
        "select count(*) from pg_stat_activity where datname = %s", [name]
    ).fetchone()
    return int(row[0]) if row else 0
