"""Keeps a process running: restarts it whenever it exits, until we are asked to stop.

    python -m config.supervise celery -A config worker --loglevel INFO

A Celery worker can die of a broker outage it should have ridden out (seen: kombu's Redis
transport raising AttributeError when Redis died while the worker held an unacknowledged
task), and under honcho one dead process stops the whole stack, so e-mail waited for
someone to restart it by hand. Compose restarts containers itself (`restart:
unless-stopped`); `make stack` and the Procfile run the worker and beat under this.
Restarts back off from 1 to 30 seconds, resetting after a minute of running well. SIGTERM
and SIGINT are passed on, and the supervisor stops once the child has exited.
"""

from __future__ import annotations

import signal
import subprocess  # nosec B404  # to run our own command lines, never a shell
import sys
import time
from types import FrameType

BACKOFF_FIRST, BACKOFF_MOST, HEALTHY_AFTER = 1.0, 30.0, 60.0


def supervise(command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    backoff = BACKOFF_FIRST
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 # nosec B603  # our own command line
        print(f"supervise: started pid {child.pid}: {' '.join(command)}", flush=True)
        code = child.wait()
        if stopping:
            return code
        if time.monotonic() - started > HEALTHY_AFTER:
            backoff = BACKOFF_FIRST
        print(f"supervise: pid {child.pid} exited with {code}; again in {backoff:.0f}s", flush=True)
        deadline = time.monotonic() + backoff
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopping:
            return code
        backoff = min(backoff * 2, BACKOFF_MOST)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m config.supervise <command> [args...]")
    sys.exit(supervise(sys.argv[1:]))
