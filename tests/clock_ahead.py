"""A pytest plugin that moves the clock `RMA_TEST_CLOCK_AHEAD_DAYS` days ahead for the whole
run (time-machine, ticking): the calendar guard's way when Debian's `faketime` is missing.
It moves the clock of this process only, which is where the sampled tests run the desk."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

_travel: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Start the journey before any test module is imported."""
    global _travel
    days = int(os.environ["RMA_TEST_CLOCK_AHEAD_DAYS"])
    _travel = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
    _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Back to today."""
    if _travel is not None:
        _travel.stop()
