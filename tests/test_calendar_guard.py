"""The suite does not depend on the calendar: tests that hand the desk dates it compares
with the real clock (follow-ups due, days closed, unknown phones and slips named past a due
date) run again in a child pytest with the clock years ahead, under Debian's `faketime`.

A literal date in such a test ("--due 2026-12-01") passes until its day and then fails for
a reason the test is not about; here it fails at once. Without `faketime` the test is
skipped on a developer's machine, and fails where `RMA_TEST_REQUIRE_FAKETIME=1` (CI, whose
`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The tests that pass dates the desk compares with today.
SAMPLE = (
    "tests/test_cli_customers.py",
    "tests/test_cli_finance.py",
    "tests/test_bad_input_cli.py::test_unknown_things_exit_1_naming_them",
)


@pytest.mark.parametrize("ahead", ["+1100d"])
def test_the_date_bound_tests_pass_with_the_clock_years_ahead(ahead: str) -> None:
    faketime = shutil.which("faketime")
    if faketime is None:
        if os.environ.get("RMA_TEST_REQUIRE_FAKETIME") == "1":
            pytest.fail("faketime is required here (apt-get install faketime)")
        pytest.skip("faketime is not installed (apt-get install faketime)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [faketime, "-f", ahead, sys.executable, "-m", "pytest", "-q", "-n0",
         "-p", "no:cacheprovider", "-m", "not postgresql", *SAMPLE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
