"""The background loop's contract without a database: passes while there is more, a wake-up
during a pass is kept, a failing pass pauses instead of spinning, stop ends it."""

import asyncio
import itertools
import time

import pytest
from countersign_platform import loops
from countersign_platform.loops import BackgroundLoop

NEVER = 600.0  # a fallback interval no test waits for


class Passes:
    """Counts a loop's passes; ``reached(n)`` waits (bounded) until there were n."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._changed = asyncio.Condition()

    async def note(self) -> int:
        async with self._changed:
            self.times.append(time.monotonic())
            self._changed.notify_all()
            return len(self.times)

    async def reached(self, count: int, timeout_s: float = 5.0) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.times) >= count), timeout_s
            )


async def test_a_wake_up_during_a_pass_runs_the_next_pass_at_once() -> None:
    passes, release = Passes(), asyncio.Event()

    async def work() -> bool:
        if await passes.note() == 1:
            await release.wait()
        return False

    loop = BackgroundLoop("test", work, interval_s=NEVER)
    await loop.start()
    try:
        await passes.reached(1)
        loop.wake()  # while the first pass runs
        release.set()
        await passes.reached(2)
        await asyncio.sleep(0.1)
    finally:
        await loop.stop()
    assert len(passes.times) == 2  # one more pass, then it waits (NEVER)


async def test_a_pass_with_more_to_do_is_followed_at_once_until_there_is_none() -> None:
    passes = Passes()

    async def work() -> bool:
        return await passes.note() < 3

    loop = BackgroundLoop("test", work, interval_s=NEVER)
    await loop.start()
    try:
        await passes.reached(3)
        await asyncio.sleep(0.1)
    finally:
        await loop.stop()
    assert len(passes.times) == 3


async def test_without_wake_ups_the_interval_runs_the_next_pass() -> None:
    passes = Passes()

    async def work() -> bool:
        await passes.note()
        return False

    loop = BackgroundLoop("test", work, interval_s=0.05)
    await loop.start()
    try:
        await passes.reached(3)
    finally:
        await loop.stop()
    gaps = [b - a for a, b in itertools.pairwise(passes.times)]
    assert all(gap >= 0.04 for gap in gaps)


async def test_a_failing_pass_pauses_before_the_next_instead_of_spinning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loops, "_FAILURE_PAUSE_S", 0.2)
    tries: list[float] = []

    async def work() -> bool:
        tries.append(time.monotonic())
        raise RuntimeError("broken")

    loop = BackgroundLoop("test", work, interval_s=NEVER)
    await loop.start()
    try:
        for _ in range(20):
            loop.wake()  # a stream of wake-ups must not make it spin
            await asyncio.sleep(0.02)
    finally:
        await loop.stop()
    assert 1 <= len(tries) <= 3
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(tries))


def test_a_loop_that_listens_needs_a_way_to_connect() -> None:
    with pytest.raises(ValueError, match="channel and a way to connect"):
        BackgroundLoop("test", lambda: asyncio.sleep(0, False), interval_s=1, channel="x")
