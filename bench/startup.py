"""Section 3: time to the first painted frame and to interactive, and peak memory.

Each app runs in a pseudo-terminal of 120×36 (`os.openpty`, TERM=xterm-256color) started
with `subprocess`. Times are from spawn:

* first frame: the app has switched to the alternate screen and written a full screen's
  worth of output (3,000 bytes after the switch; a 120×36 frame is more than that);
* interactive: key `6` is sent once the first frame is there (and again every 50 ms until
  answered) and the answer is on screen — for the desk, the stock screen's heading with
  its product count (its data read from the database); for the bare app, its Static's new
  text.

Peak RSS is VmHWM from /proc/PID/status, once the desk is interactive and again after key
`0` opened the reports screen and its first report was shown. Median of 5 runs each.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Result, console

ROWS, COLS = 36, 120
FRAME_BYTES = 3000
ALT_SCREEN = b"\x1b[?1049h"
DESK_READY = re.compile("库存（\\d+\\+?）")
DESK_REPORTS = "不显示退货率"  # the rate note under a loaded returns report
BARE_READY = re.compile("ANSWERED-6")


@dataclass
class Run:
    """One start of an app."""

    first_frame_ms: float
    interactive_ms: float
    rss_interactive_mb: float = 0.0
    rss_reports_mb: float = 0.0


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Pty:
    """A child process on a pseudo-terminal, with what it has written so far."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS),
               "LINES": str(ROWS), "LANG": "C.UTF-8"}
        env.pop("TEXTUAL", None)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.out = bytearray()

    def ms(self) -> float:
        """Milliseconds since spawn."""
        return (time.perf_counter() - self.t0) * 1000

    def pump(self, timeout: float) -> None:
        """Read what the child wrote within `timeout` seconds."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.out += os.read(self.master, 65536)
            except OSError:
                pass

    def text(self) -> str:
        """The output so far, decoded."""
        return self.out.decode("utf-8", "replace")

    def send(self, data: bytes) -> None:
        """Type into the terminal."""
        os.write(self.master, data)

    def wait_for(self, done: object, deadline_s: float, resend: bytes | None = None) -> float:
        """Pump until `done(self)` is true; ms since spawn. Resend a key every 50 ms."""
        assert callable(done)
        end = time.perf_counter() + deadline_s
        last_send = 0.0
        while not done(self):
            if time.perf_counter() > end:
                tail = self.text()[-600:]
                raise TimeoutError(f"no answer in {deadline_s} s; last output: {tail!r}")
            if resend is not None and time.perf_counter() - last_send > 0.05:
                self.send(resend)
                last_send = time.perf_counter()
            self.pump(0.01)
        return self.ms()

    def close(self) -> None:
        """Quit politely, then firmly."""
        try:
            self.send(b"q")
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def _first_frame(p: Pty) -> bool:
    i = p.out.find(ALT_SCREEN)
    return i >= 0 and len(p.out) - i >= FRAME_BYTES


def one_run(argv: list[str], cwd: Path, ready: re.Pattern[str], reports: bool) -> Run:
    """Start the app once and measure it."""
    p = Pty(argv, cwd)
    try:
        first = p.wait_for(_first_frame, 60)
        inter = p.wait_for(lambda q: ready.search(q.text()) is not None, 120, resend=b"6")
        run = Run(first, inter)
        if reports:
            run.rss_interactive_mb = _hwm_mb(p.proc.pid)
            mark = len(p.out)
            p.send(b"0")
            p.wait_for(lambda q: DESK_REPORTS in q.out[mark:].decode("utf-8", "replace"), 120)
            run.rss_reports_mb = _hwm_mb(p.proc.pid)
        return run
    finally:
        p.close()


def run(big: Path, runs: int = 5) -> list[Result]:
    """Desk and bare app, `runs` starts each, alternating (so load hits both alike)."""
    root = Path(__file__).resolve().parent.parent
    rma = str(Path(sys.executable).parent / "rma")
    desk_argv = [rma, "--db", str(big), "--user", "owner"]
    bare_argv = [sys.executable, str(root / "bench" / "bare_app.py")]
    # One start of each first, not counted: file caches warm for both alike.
    one_run(bare_argv, root, BARE_READY, False)
    one_run(desk_argv, root, DESK_READY, True)
    desk, bare = [], []
    for i in range(runs):
        bare.append(one_run(bare_argv, root, BARE_READY, False))
        desk.append(one_run(desk_argv, root, DESK_READY, True))
        console.print(f"[dim]  start-up run {i + 1}: desk {desk[-1].first_frame_ms:.0f} / "
                      f"{desk[-1].interactive_ms:.0f} ms, bare {bare[-1].first_frame_ms:.0f} / "
                      f"{bare[-1].interactive_ms:.0f} ms[/]")

    def med(rs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in rs)

    d_first, b_first = med(desk, "first_frame_ms"), med(bare, "first_frame_ms")
    d_int, b_int = med(desk, "interactive_ms"), med(bare, "interactive_ms")
    raw = {"desk": [vars(r) for r in desk], "bare": [vars(r) for r in bare]}
    return [
        Result("startup", "desk: first frame", d_first, "ms", note=f"bare {b_first:.0f} ms",
               extra={"runs": raw}),
        Result("startup", "desk / bare: first frame", d_first / b_first, "ratio", target=1.25),
        Result("startup", "desk: interactive (stock data shown)", d_int, "ms",
               note=f"bare {b_int:.0f} ms"),
        Result("startup", "desk / bare: interactive", d_int / b_int, "ratio", target=2.0),
        Result("startup", "desk: peak RSS when interactive", med(desk, "rss_interactive_mb"),
               "MB", target=150),
        Result("startup", "desk: peak RSS after the reports screen",
               med(desk, "rss_reports_mb"), "MB", target=150),
    ]
