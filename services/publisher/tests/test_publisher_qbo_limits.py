"""QBO's limits on the shared scheduler: batch calls have a budget of their own beside the
minute's, and a 429 without Retry-After pauses the realm Intuit's minute."""

import asyncio
import time

from countersign_publisher.adapters.qbo_client import qbo_limits
from countersign_publisher.adapters.xero_limits import CallScheduler


async def test_the_41st_batch_call_waits_for_the_batch_minute() -> None:
    limits = qbo_limits(minute_s=0.3)
    scheduler = CallScheduler(limits)
    batches: list[float] = []

    async def batch() -> None:
        async with scheduler.call("realm", batch=True):
            batches.append(time.monotonic())

    await asyncio.gather(*(batch() for _ in range(limits.batch_per_minute + 1)))
    batches.sort()
    assert batches[-1] - batches[0] >= 0.3 - 1e-3


async def test_a_spent_batch_minute_does_not_hold_ordinary_calls() -> None:
    limits = qbo_limits(minute_s=0.3)
    scheduler = CallScheduler(limits)
    for _ in range(limits.batch_per_minute):
        async with scheduler.call("realm", batch=True):
            pass
    started = time.monotonic()
    async with scheduler.call("realm"):
        assert time.monotonic() - started < 0.1


async def test_a_429_without_retry_after_pauses_the_realm_a_scaled_minute() -> None:
    scheduler = CallScheduler(qbo_limits(minute_s=0.3))
    scheduler.observe("realm", 429, {})
    started = time.monotonic()
    async with scheduler.call("realm"):
        waited = time.monotonic() - started
    assert waited >= 0.3 - 1e-3 and scheduler.rate_limited == 1
    assert not scheduler.held_back("another realm")
