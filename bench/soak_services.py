"""The soak's own services and processes: a Redis it may pause and restart, uvicorn with two
worker children one of which it may kill, and a supervised Celery worker and beat.

Everything here is started by the soak and stopped by it; it never signals a process it did
not start (the shared Redis on 6379 is never touched).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

from tests import services

REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


class RedisServer:
    """A redis-server of our own on a free port, without persistence: a restart forgets all."""

    def __init__(self) -> None:
        self.port = services.free_port()
        self.process: services.Process | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.starts += 1
        self.process = services.Process(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxclients",
                "2000",
            ],
            dict(os.environ),
            name=f"soak-redis-{self.port}-{self.starts}",
        )
        services.wait_until(self.answers, timeout=20, what=f"redis-server on {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.settimeout(1)
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.popen.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.popen.pid, signal.SIGCONT)

    def restart(self) -> None:
        """SIGTERM, then a new redis-server on the same port: every key and group is gone."""
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            if self.process.popen.poll() is None:
                os.kill(self.process.popen.pid, signal.SIGCONT)  # a paused one cannot exit
            self.process.stop()
            self.process = None


def process_children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Uvicorn:
    """`uvicorn config.asgi:application --workers 2`: one parent, two worker children.

    uvicorn's supervisor (0.30 and later) notices a dead child in its health check and
    starts another in its place; `worker_kill` kills one with SIGKILL and waits for that.
    """

    def __init__(self, env: dict[str, str], *, workers: int = 2) -> None:
        self.workers = workers
        self.process, self.base_url = services.asgi_server_start(env, workers=workers)
        services.wait_until(
            lambda: len(self.worker_pids()) == workers, timeout=60, what="uvicorn's workers"
        )

    def worker_pids(self) -> list[int]:
        return [
            pid
            for pid in process_children(self.process.popen.pid)
            if "spawn_main" in command_line(pid) and "resource_tracker" not in command_line(pid)
        ]

    def worker_kill(self) -> tuple[int, float]:
        """SIGKILLs one worker; returns its pid and the seconds until a new one serves."""
        before = self.worker_pids()
        victim = before[0]
        started = time.monotonic()
        os.kill(victim, signal.SIGKILL)

        def replaced() -> bool:
            now = self.worker_pids()
            return victim not in now and len(now) == self.workers

        services.wait_until(replaced, timeout=60, interval=0.1, what="uvicorn to restart a worker")
        return victim, time.monotonic() - started

    def stop(self) -> None:
        self.process.stop()


class Celery:
    """A worker and a beat as the Procfile runs them: each under `python -m config.supervise`."""

    def __init__(self, env: dict[str, str], *, schedule: Path) -> None:
        supervise = [sys.executable, "-m", "config.supervise", sys.executable, "-m", "celery"]
        self.worker = services.Process(
            [*supervise, "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            env,
            name="soak-celery-worker",
        )
        self.beat = services.Process(
            [*supervise, "-A", "config", "beat", "--loglevel", "INFO", "--schedule", str(schedule)],
            env,
            name="soak-celery-beat",
        )
        services.wait_until(
            lambda: " ready." in self.worker.output() or self.worker.popen.poll() is not None,
            timeout=90,
            what="the Celery worker to be ready",
        )
        if self.worker.popen.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{self.worker.output()}")

    def restarts(self) -> dict[str, int]:
        """How many times each supervisor has started its child again."""
        return {
            "worker": self.worker.log.read_text(errors="replace").count("supervise: started") - 1,
            "beat": self.beat.log.read_text(errors="replace").count("supervise: started") - 1,
        }

    def stop(self) -> None:
        self.beat.stop()
        self.worker.stop()
