"""One process-wide limit on concurrent optimization jobs (``sandbox.jobs``).

A language server builds one engine per settings (per workspace folder, per ``speedlens.toml``), so a limit held
by an engine would let each of them run its own ``jobs`` at once: the limit is the process's, and each job waits
until fewer jobs than its own setting are running.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class JobLimit:
    """Counts the running jobs of the process; ``slot(limit)`` waits until fewer than ``limit`` run.

    Every job runs on the event loop's thread, so the count needs no lock; a release wakes every waiter and each
    re-checks against its own limit (settings may differ between engines).
    """

    def __init__(self) -> None:
        self.running = 0
        self._waiting: list[asyncio.Future[None]] = []

    @contextlib.asynccontextmanager
    async def slot(self, limit: int) -> AsyncIterator[None]:
        while self.running >= max(1, limit):
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            waiting, self._waiting = self._waiting, []
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)


JOBS = JobLimit()  # the process's: every engine's jobs share it
