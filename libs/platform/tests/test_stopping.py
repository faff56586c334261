"""A service's parts stop in bounded time: one that hangs is named and left behind."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from countersign_platform import stopping


async def test_a_part_that_never_stops_is_named_and_left_after_the_wait(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(stopping, "STOP_WAIT_S", 0.05)
    stopped: list[str] = []

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def stops() -> None:
        stopped.append("quick")

    with caplog.at_level(logging.WARNING, logger="countersign_platform.stopping"):
        await stopping.bounded("consumer group g", hangs)()
        await stopping.bounded("the relay", stops)()

    assert stopped == ["quick"]
    assert [r.getMessage() for r in caplog.records] == [
        "consumer group g did not stop within 0 s; going on without it"
    ]


class _Pool:
    """A pool whose close waits for a connection nobody gives back."""

    def __init__(self) -> None:
        self.terminated = False

    async def close(self) -> None:
        await asyncio.Event().wait()

    def terminate(self) -> None:
        self.terminated = True


async def test_connections_not_given_back_are_closed_by_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stopping, "STOP_WAIT_S", 0.05)
    pool: Any = _Pool()
    await stopping.close_pool(pool)
    assert pool.terminated
