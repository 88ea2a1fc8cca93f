"""The suite does not depend on the calendar: tests that hand the desk dates it compares
with the real clock (follow-ups due, days closed, unknown phones and slips named past a due
date) run again in a child pytest with the clock years ahead, under Debian's `faketime`
(which moves every clock the child and its own processes read).

A literal date in such a test ("--due 2026-12-01") passes until its day and then fails for
a reason the test is not about; here it fails at once. Without `faketime` the child moves
its own clock with time-machine (`tests/clock_ahead.py`), which is enough for these tests:
they run the desk in the child's process. Where `RMA_TEST_REQUIRE_FAKETIME=1` (CI, whose
`.ci/run` installs it) a missing `faketime` fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The tests that pass dates the desk compares with today.
SAMPLE = (
    "tests/test_cli_customers.py",
    "tests/test_cli_finance.py",
    "tests/test_bad_input_cli.py::test_unknown_things_exit_1_naming_them",
)


AHEAD_DAYS = 1100


def _child(*mover: str, plugin: tuple[str, ...] = (), **env_extra: str
           ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(env_extra)
    return subprocess.run(
        [*mover, sys.executable, "-m", "pytest", "-q", "-n0", "-p", "no:cacheprovider",
         *plugin, "-m", "not postgresql", *SAMPLE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_the_date_bound_tests_pass_with_the_clock_years_ahead() -> None:
    faketime = shutil.which("faketime")
    if faketime is not None:
        result = _child(faketime, "-f", f"+{AHEAD_DAYS}d")
    elif os.environ.get("RMA_TEST_REQUIRE_FAKETIME") == "1":
        pytest.fail("faketime is required here (apt-get install faketime)")
    else:
        result = _child(plugin=("-p", "clock_ahead"),
                        RMA_TEST_CLOCK_AHEAD_DAYS=str(AHEAD_DAYS),
                        PYTHONPATH=os.pathsep.join([str(ROOT / "tests"),
                                                    os.environ.get("PYTHONPATH", "")]))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_clock_plugin_moves_the_clock(tmp_path: Path) -> None:
    # Without this the time-machine way could pass by moving nothing.
    probe = tmp_path / "test_probe.py"
    probe.write_text("from datetime import date\n"
                     "def test_ahead():\n"
                     f"    ahead = (date.today() - date.fromisoformat('{date.today()}')).days\n"
                     f"    assert ahead in ({AHEAD_DAYS}, {AHEAD_DAYS + 1})\n",  # midnight
                     encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(RMA_TEST_CLOCK_AHEAD_DAYS=str(AHEAD_DAYS),
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), env.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n0", "-p", "no:cacheprovider",
         "-p", "clock_ahead", str(probe)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-1000:]
