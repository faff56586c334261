"""Every test run's plugins and markers.

Fixtures shared across test trees are plugins (``pytest_plugins``), never imported into a test
module. A test that is neither ``integration`` nor ``e2e`` is a ``unit`` test: no network, no
processes, no Kafka or Postgres, so ``make unit`` (``pytest -m unit``) runs in seconds.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.support.fixtures_publisher", "tests.support.fixtures_qbo"]

_NOT_UNIT = ("integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(name) for name in _NOT_UNIT):
            item.add_marker(pytest.mark.unit)
