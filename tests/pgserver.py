"""A throwaway PostgreSQL server for the tests.

`pg_server()` yields an object with `create_database(name, template=None) -> url` and
`drop_database(name)`. It is one of:

- the server named by `RMA_TEST_PG_URL` (e.g. given by CI:
  `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`); databases are created on it
  through that URL's login and dropped at the end;
- else a private server started from Debian's binaries (`/usr/lib/postgresql/*/bin`):
  `initdb` into a fresh temporary folder, listening on 127.0.0.1 on a free port and on a
  unix socket inside that folder, fsync off, trust authentication; stopped and removed
  when the context ends.

`unavailable_reason()` says why no server can be had (no binaries, no psycopg), for a
visible skip that says why; it is None when `pg_server()` can work.
`RMA_TEST_PG_BINDIRS` (a glob, default `/usr/lib/postgresql/*/bin`) says where to look for
the binaries: pointing it at nothing (e.g. `/nonexistent`) shows what a machine without
PostgreSQL does.

A private server is stopped even when the test process is killed outright (SIGKILL, a CI
timeout): a small watchdog process stops it and removes its folder once its parent is gone.

Run as a script (`python tests/pgserver.py`) it starts a server, prints a database URL,
and keeps it up until Ctrl-C: handy for trying `rma --db URL ...` by hand.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

ENV_URL = "RMA_TEST_PG_URL"
ENV_BINDIRS = "RMA_TEST_PG_BINDIRS"
DEFAULT_BINDIRS = "/usr/lib/postgresql/*/bin"
# The OS user that owns the data folder and runs the server when we are root
# (initdb and postgres refuse to run as root).
PG_OS_USER = "postgres"
SUPERUSER = "postgres"
# The private server's default TimeZone (not UTC, on purpose: see `LocalPg.start`).
SERVER_TIMEZONE = "Asia/Shanghai"
# Enough for the race tests' worker processes plus every pooled connection of a test run.
MAX_CONNECTIONS = 300


class PgHost(Protocol):
    """What the tests need from a PostgreSQL server, private or external."""

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (optionally a copy of `template`); return its URL."""
        ...

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, closing its connections."""
        ...


def bindir_glob() -> str:
    """Where the server binaries are looked for (RMA_TEST_PG_BINDIRS, else Debian's place)."""
    return os.environ.get(ENV_BINDIRS) or DEFAULT_BINDIRS


def find_bindir() -> Path | None:
    """The newest `<...>/<major>/bin` of `bindir_glob()` holding initdb and postgres (a
    folder not named by a major version counts as 0)."""
    found: list[tuple[int, Path]] = []
    for d in glob.glob(bindir_glob()):
        p = Path(d)
        major = p.parent.name
        if all((p / b).is_file() for b in ("initdb", "postgres")):
            found.append((int(major) if major.isdigit() else 0, p))
    return max(found)[1] if found else None


def unavailable_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if os.environ.get(ENV_URL):
        return None
    if find_bindir() is None:
        return (f"no PostgreSQL server binaries (initdb, postgres) under {bindir_glob()} and "
                f"{ENV_URL} is not set (run .ci/postgres, or apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam(PG_OS_USER)
        except KeyError:
            return f"running as root but there is no '{PG_OS_USER}' OS user to run the server"
    return None


def fresh_name(prefix: str = "t") -> str:
    """A unique, valid database name (lower case, at most 63 bytes)."""
    clean = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40] or "t"
    return f"{clean}_{uuid.uuid4().hex[:16]}"


def _connect_kwargs(url: str) -> dict[str, Any]:
    """psycopg.connect() keywords for an SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    kw: dict[str, Any] = {"dbname": u.database or "postgres", "user": u.username or SUPERUSER}
    if u.host:
        kw["host"] = u.host
    if u.port:
        kw["port"] = u.port
    if u.password:
        kw["password"] = u.password
    # e.g. ?host=/path/to/socket in the URL
    kw.update({k: v for k, v in u.query.items() if isinstance(v, str)})
    return kw


class _Admin:
    """CREATE / DROP DATABASE through an admin URL (autocommit: they cannot run in a
    transaction)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def _exec(self, stmt: Any) -> None:
        import psycopg

        with psycopg.connect(**_connect_kwargs(self.admin_url), autocommit=True) as conn:
            conn.execute(stmt)

    def url_for(self, name: str) -> str:
        """The SQLAlchemy URL of database `name` on this server."""
        from sqlalchemy.engine import make_url

        u = make_url(self.admin_url).set(drivername="postgresql+psycopg", database=name)
        return u.render_as_string(hide_password=False)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (a copy of `template` if given); return its URL."""
        from psycopg import sql

        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template))
        self._exec(stmt)
        self.created.append(name)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists; FORCE ends sessions still connected (PG 13+)."""
        from psycopg import sql

        self._exec(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        """Drop every database this object created (for an external server)."""
        for name in list(self.created):
            self.drop_database(name)


def _local_url(port: int, database: str = "postgres") -> str:
    return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{database}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Run by a separate Python process (see `_start_watchdog`): argv = parent pid, server folder.
# It polls its parent; once the parent is gone (its parent pid changed), it stops the
# server named by postmaster.pid (SIGQUIT, then SIGKILL after 30 s) and removes the folder.
_WATCHDOG = r"""
import os, shutil, signal, sys, time
parent, root = int(sys.argv[1]), sys.argv[2]
signal.signal(signal.SIGINT, signal.SIG_IGN)
while os.getppid() == parent:
    time.sleep(0.5)

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False

try:
    with open(os.path.join(root, "data", "postmaster.pid")) as f:
        pid = int(f.readline())
except (OSError, ValueError):
    pid = 0
if pid > 0 and alive(pid):
    os.kill(pid, signal.SIGQUIT)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
shutil.rmtree(root, ignore_errors=True)
"""


def _start_watchdog(root: Path) -> subprocess.Popen[bytes]:
    """A process that cleans up after us if we die without stopping the server (SIGKILL,
    a timeout): the server runs in its own session, so nothing else would end it."""
    return subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(root)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


class LocalPg(_Admin):
    """A private server in a temporary folder; `stop()` ends it and removes the folder."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.sock = root / "sock"
        self.log = root / "server.log"
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.watchdog: subprocess.Popen[bytes] | None = None
        super().__init__(_local_url(port))

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        # As root, the server and initdb must run as the postgres OS user.
        user = PG_OS_USER if os.geteuid() == 0 else None
        return subprocess.run(list(args), user=user, capture_output=True, text=True,
                              check=False, cwd=self.root, timeout=120)

    def _check(self, proc: subprocess.CompletedProcess[str], what: str) -> None:
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr.strip()}\n{log}")

    def initdb(self) -> None:
        """Create the cluster: trust auth (local throwaway), UTF8, C collation."""
        self._check(self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        ), "initdb")

    def start(self) -> None:
        """Start on 127.0.0.1:port and a socket in the temp folder; wait until it answers.

        The postmaster is our own child (not daemonised by pg_ctl), so we reap it when it
        stops: the container's init does not, and pg_ctl would leave a zombie behind."""
        import psycopg

        args = [str(self.bindir / "postgres"), "-D", str(self.data),
                "-c", "listen_addresses=127.0.0.1", "-p", str(self.port),
                "-c", f"unix_socket_directories={self.sock}",
                "-c", f"max_connections={MAX_CONNECTIONS}",
                # A throwaway server: durability costs time and buys nothing here.
                "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                # A server in the shops' zone, as one set up in China would be: the app
                # must set its sessions to UTC itself, and every
                # [postgresql] test checks that it does.
                "-c", f"timezone={SERVER_TIMEZONE}"]
        user = PG_OS_USER if os.geteuid() == 0 else None
        with open(self.log, "ab") as log:
            # Own session: a Ctrl-C to pytest must not kill the server before we stop it.
            self.proc = subprocess.Popen(args, user=user, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.root,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                self.proc = None
                log_tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"postgres exited at start:\n{log_tail}")
            try:
                psycopg.connect(**_connect_kwargs(self.admin_url), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self.stop_server()
                    raise RuntimeError("postgres did not answer within 60 s") from None
                time.sleep(0.05)

    def stop_server(self) -> None:
        """Immediate shutdown (SIGQUIT: nothing to keep), and reap the process."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        """Stop the server and remove the folder; then the watchdog has nothing to do."""
        try:
            self.stop_server()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self.watchdog is not None:
                self.watchdog.kill()
                self.watchdog.wait()
                self.watchdog = None


def start_local(bindir: Path | None = None, attempts: int = 3) -> LocalPg:
    """initdb and start a private server; retry on another port if the one picked was taken
    between choosing it and the server binding it."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise RuntimeError(unavailable_reason() or "no PostgreSQL binaries")
    # Not under pytest's tmp_path: that is 0700 root-only, and the postgres OS user must reach it.
    root = Path(tempfile.mkdtemp(prefix="rma-pg-"))
    os.chmod(root, 0o700)
    if os.geteuid() == 0:
        shutil.chown(root, PG_OS_USER, PG_OS_USER)
    server = LocalPg(bindir, root, _free_port())
    server.watchdog = _start_watchdog(root)
    (root / "sock").mkdir()
    if os.geteuid() == 0:
        shutil.chown(root / "sock", PG_OS_USER, PG_OS_USER)
    try:
        server.initdb()
        for i in range(attempts):
            try:
                server.start()
                return server
            except RuntimeError:
                if i == attempts - 1:
                    raise
                server.port = _free_port()
                server.admin_url = _local_url(server.port)
    except BaseException:
        server.stop()
        raise
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def pg_server() -> Iterator[PgHost]:
    """The external server of RMA_TEST_PG_URL, else a private one, for the block's length.
    Raises RuntimeError when neither can be had (check `unavailable_reason()` first)."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    external = os.environ.get(ENV_URL)
    if external:
        admin = _Admin(external)
        try:
            yield admin
        finally:
            admin.drop_all()
        return
    server = start_local()
    try:
        yield server
    finally:
        server.stop()


def _serve_until_signalled() -> None:
    """Manual mode: start a server, print a fresh database URL, stop on SIGINT or SIGTERM."""

    def _stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # Set explicitly: a shell starting us in the background (`&`) ignores SIGINT.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with pg_server() as pg:
        print(pg.create_database(fresh_name("manual")), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover - manual use
    _serve_until_signalled()
