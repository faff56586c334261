"""``ReadAside``: a read beside the loop — one at a time, at most every ``every_s``, its crash
logged (not lost with the task), cancelled on stop."""

from __future__ import annotations

import asyncio
import logging

import pytest
from countersign_publisher.handlers.reading import ReadAside

pytestmark = pytest.mark.unit


async def test_one_read_at_a_time_and_none_again_before_every_s() -> None:
    started, release = [], asyncio.Event()

    async def read() -> int:
        started.append(1)
        await release.wait()
        return 1

    aside = ReadAside("test-read", read, every_s=3600.0)
    aside.start_when_due()
    await asyncio.sleep(0)
    aside.start_when_due()  # the first still runs
    release.set()
    await asyncio.sleep(0.01)
    aside.start_when_due()  # done, but asked for again too soon
    await asyncio.sleep(0.01)
    assert len(started) == 1
    await aside.stop()


async def test_a_crash_is_logged_and_the_next_read_runs(caplog: pytest.LogCaptureFixture) -> None:
    reads: list[int] = []

    async def read() -> int:
        reads.append(1)
        raise RuntimeError("Xero sent nonsense")

    aside = ReadAside("test-read", read, every_s=0.0)
    with caplog.at_level(logging.ERROR):
        aside.start_when_due()
        await asyncio.sleep(0.01)
        aside.start_when_due()
        await asyncio.sleep(0.01)
    await aside.stop()
    assert len(reads) == 2
    assert [r.getMessage() for r in caplog.records] == ["test-read crashed"] * 2
    assert "Xero sent nonsense" in caplog.text


async def test_stop_cancels_a_read_that_runs() -> None:
    cancelled = asyncio.Event()

    async def read() -> int:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 0

    aside = ReadAside("test-read", read, every_s=0.0)
    aside.start_when_due()
    await asyncio.sleep(0.01)
    await aside.stop()
    assert cancelled.is_set()
