"""The scheduler keeps Xero's limits: concurrency, a sliding minute window, Retry-After and
fair turns across organisations when the app-wide window is full."""

import asyncio
import time

from countersign_publisher.adapters.xero_limits import CallScheduler, Limits


async def test_never_more_than_the_concurrency_limit_in_flight() -> None:
    scheduler = CallScheduler(Limits(concurrent=5, per_minute=1000))
    in_flight = peak = 0

    async def call() -> None:
        nonlocal in_flight, peak
        async with scheduler.call("org"):
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(call() for _ in range(30)))
    assert peak == 5


async def test_no_minute_window_ever_holds_more_calls_than_the_limit() -> None:
    minute = 0.3
    scheduler = CallScheduler(Limits(per_minute=4, minute_s=minute))
    spans: list[tuple[float, float]] = []

    async def call() -> None:
        async with scheduler.call("org"):
            started = time.monotonic()
            await asyncio.sleep(0.005)
        spans.append((started, time.monotonic()))

    await asyncio.gather(*(call() for _ in range(10)))
    # Whatever moment Xero saw each call arrive, within its span, any 5 consecutive calls
    # (sorted by start) are at least a minute apart from the first's end to the last's start.
    spans.sort()
    for first, fifth in zip(spans, spans[4:], strict=False):
        assert fifth[0] - first[1] >= minute - 1e-3


async def test_retry_after_pauses_the_organisation_in_time_scaled_seconds() -> None:
    scheduler = CallScheduler(Limits(minute_s=0.6))  # 100x faster than Xero
    scheduler.observe("org", 429, {"retry-after": "30", "x-rate-limit-problem": "minute"})
    started = time.monotonic()
    async with scheduler.call("org"):
        waited = time.monotonic() - started
    assert waited >= 0.3 - 1e-3
    assert scheduler.rate_limited == 1


async def test_organisations_take_turns_when_the_app_window_is_full() -> None:
    scheduler = CallScheduler(Limits(app_per_minute=2, per_minute=100, minute_s=0.1))
    order: list[str] = []

    async def call(org: str) -> None:
        async with scheduler.call(org):
            order.append(org)

    await asyncio.gather(*(call("a") for _ in range(6)), *(call("b") for _ in range(2)))
    # "a" queued six calls first, yet "b" is served before "a" has had them all.
    assert order.index("b") < 4 and order[-1] == "a"


async def test_an_app_minute_spent_elsewhere_pauses_every_organisation() -> None:
    scheduler = CallScheduler(Limits(minute_s=0.3))
    scheduler.observe("a", 200, {"x-appminlimit-remaining": "0"})
    started = time.monotonic()
    async with scheduler.call("b"):
        waited = time.monotonic() - started
    assert waited >= 0.3 - 1e-3
