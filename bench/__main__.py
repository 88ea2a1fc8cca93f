"""`python -m bench`: the benchmark (run by hand, never asserted in tests).

    .venv/bin/python -m bench [--scale quick|full] [--only lifecycle,reports,...]
                              [--keep DIR] [--json FILE]

Prints a table per section and, at the end, one JSON document with every figure, its target
and whether it was met, and the machine it was measured on. `--keep DIR` keeps the built
databases (the big one is reused while its stamp matches); without it a temporary folder is
used and removed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result, console, machine, show

SECTIONS = ("lifecycle", "reports", "startup", "import", "concurrency")


def _commit(root: Path) -> str:
    """The checked-out commit, read from .git (no git command)."""
    try:
        head = (root / ".git" / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            loose = root / ".git" / ref
            if loose.exists():
                return loose.read_text().strip()
            for line in (root / ".git" / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        return head
    except OSError:
        return "unknown"


def run_section(name: str, workdir: Path, scale: str) -> list[Result]:
    """Run one section and return its results."""
    if name == "lifecycle":
        from bench import lifecycle

        return lifecycle.run(workdir, scale)
    if name == "reports":
        from bench import build, reports

        return reports.run(build.big_db(workdir, scale))
    if name == "startup":
        from bench import build, startup

        return startup.run(build.big_db(workdir, scale))
    if name == "import":
        from bench import imports

        return imports.run(workdir, scale)
    from bench import concurrency

    return concurrency.run(workdir, scale)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the sections, print the tables and the JSON."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=("quick", "full"), default="quick")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help="comma-separated sections: " + ", ".join(SECTIONS))
    ap.add_argument("--keep", type=Path, help="folder for the built databases, kept")
    ap.add_argument("--json", type=Path, help="also write the JSON document to this file")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    root = Path(__file__).resolve().parent.parent
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rma-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"machine": machine(), "commit": _commit(root), "scale": args.scale,
                           "sections": {}, "results": []}
    failed: list[str] = []
    try:
        for name in only:
            console.rule(f"[bold]{name}[/] ({args.scale})")
            t0 = time.perf_counter()
            try:
                results = run_section(name, workdir, args.scale)
            except Exception as e:  # one broken section must not lose the others' figures
                console.print_exception()
                failed.append(f"{name}: {e!r}")
                continue
            seconds = time.perf_counter() - t0
            show(f"{name} ({seconds:.0f} s)", results)
            doc["sections"][name] = {"seconds": round(seconds, 1)}
            doc["results"] += [r.as_dict() for r in results]
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    doc["failed_sections"] = failed
    judged = [r for r in doc["results"] if r["passed"] is not None]
    doc["summary"] = {"targets": len(judged), "met": sum(r["passed"] for r in judged),
                      "missed": [r["section"] + ": " + r["name"] for r in judged
                                 if not r["passed"]]}
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
