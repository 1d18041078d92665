"""The soak's bad day, on a timeline scaled to the run: Redis paused for five seconds, later
Redis restarted (its memory gone: groups, queued tasks, cache), later one uvicorn worker
killed with SIGKILL. Each fault is recorded with when it began and when the service was
back, so that every API answer can be judged by what was down when it was given.
"""

from __future__ import annotations

import asyncio
import time

from bench.soak_load import Fault
from bench.soak_services import RedisServer, Uvicorn

PAUSE_SECONDS = 5.0
# When each fault begins, as a share of the run.
REDIS_PAUSE_AT, REDIS_RESTART_AT, WORKER_KILL_AT = 0.2, 0.45, 0.7


async def faults_run(
    *, redis: RedisServer, uvicorn: Uvicorn, began: float, duration: float
) -> list[Fault]:
    faults: list[Fault] = []

    def now() -> float:
        return time.monotonic() - began

    async def at(share: float) -> None:
        await asyncio.sleep(max(0.0, began + share * duration - time.monotonic()))

    await at(REDIS_PAUSE_AT)
    fault = Fault("Redis paused (SIGSTOP) 5 s", now())
    faults.append(fault)
    redis.pause()
    await asyncio.sleep(PAUSE_SECONDS)
    redis.resume()
    fault.end = now()

    await at(REDIS_RESTART_AT)
    fault = Fault("Redis restarted (SIGTERM, start)", now())
    faults.append(fault)
    await asyncio.to_thread(redis.restart)
    fault.end = now()

    await at(WORKER_KILL_AT)
    fault = Fault("a uvicorn worker SIGKILLed", now())
    faults.append(fault)
    victim, back_after = await asyncio.to_thread(uvicorn.worker_kill)
    fault.end = now()
    fault.note = f"pid {victim}, replaced by uvicorn in {back_after:.1f} s"
    return faults
