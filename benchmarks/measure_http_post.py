"""The web layer's CPU in one JSON post, in-process: what a post costs besides the engine.

Run from the repository root::

    .venv/bin/python benchmarks/measure_http_post.py [--posts 1000] [--stub]
    .venv/bin/python benchmarks/measure_http_post.py --ab /tmp/base-src   # A/B, alternating

The app is ``isso_compare.threadkit_app()`` (the HTTP comparison's own) on a
fresh SQLite file. Each post is what ``isso_compare``'s posters send: a new
session opened with ``GET <prefix>/api/me`` (untimed), then the timed JSON
``POST <prefix>/api/threads/<key>/comments`` with the CSRF header, the cookie
and a new ``X-Forwarded-For``. Requests are WSGI calls on prebuilt environs
(as a server would make them, no test client), and the answer's body is read.

Per post it prints the CPU time (``time.process_time``) of the whole request,
of ``CommentEngine.post`` inside it, and their difference: the web layer
(Flask, the session cookie, CSRF, parsing, sealing, the answer). ``--stub``
leaves the store out (the engine answers the comment it stored last), so the
total is the web layer alone. ``--ab DIR`` compares two processes, one with
the ``threadkit_flask`` and ``threadkit_web`` packages found under ``DIR`` (for
example ``git archive <commit> adapters/threadkit-flask/src
adapters/threadkit-web/src | tar -x -C DIR``) and one with the working tree's,
in small alternating batches, so a busy machine slows both alike; it prints
both and their ratio. ``--b DIR2`` takes B from another such tree (``--ab DIR
--b DIR`` shows the noise of the method itself).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

_KEY = "bench"


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, headers
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"], body


def _environ(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path=path, method=method, headers=list(headers.items()), data=body)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _session(app: Any, address: str) -> tuple[str, str]:
    """Open a new session like a first-time visitor: return its cookie and CSRF token."""
    status, headers, body = _call(
        app, _environ("GET", "/comments/api/me", {"X-Forwarded-For": address})
    )
    assert status.startswith("200"), status
    cookie = next(v for k, v in headers if k.lower() == "set-cookie").split(";", 1)[0]
    return cookie, json.loads(body)["csrf_token"]


def _posts(app: Any, first: int, count: int) -> list[dict[str, Any]]:
    environs = []
    for serial in range(first, first + count):
        address = f"10.{serial // 65536 % 256}.{serial // 256 % 256}.{serial % 256}"
        cookie, token = _session(app, address)
        payload = {"body": f"Comment {serial}. Some words about *this* and that.",
                   "name": f"Bench {serial}"}  # fmt: skip
        headers = {
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-Threadkit-CSRF": token,
            "X-Forwarded-For": address,
        }
        body = json.dumps(payload).encode()
        environs.append(_environ("POST", f"/comments/api/threads/{_KEY}/comments", headers, body))
    return environs


class Poster:
    """One app on a fresh SQLite file, posting prebuilt requests and timing them."""

    def __init__(self, *, stub: bool = False) -> None:
        os.environ["ISSO_COMPARE_TK_DB"] = str(Path(tempfile.mkdtemp()) / "tk.db")
        from isso_compare import threadkit_app

        from threadkit.engine import CommentEngine

        self.app = threadkit_app()
        self.engine_cpu = 0.0
        self.serial = 1
        original = CommentEngine.post
        last: list[Any] = [None]

        def timed_post(engine: CommentEngine, *args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                if stub and last[0] is not None:
                    return last[0]  # the web layer alone: no store, no pipeline
                last[0] = original(engine, *args, **kwargs)
                return last[0]
            finally:
                self.engine_cpu += time.process_time() - began

        CommentEngine.post = timed_post  # type: ignore[method-assign,assignment]
        self.run(50)  # warm-up: imports, compiled statements, caches

    def run(self, count: int) -> tuple[float, float]:
        """Make ``count`` posts; return (CPU seconds of the posts, of ``engine.post`` in them)."""
        environs = _posts(self.app, self.serial, count)  # new sessions: untimed
        self.serial += count
        engine_before = self.engine_cpu
        began = time.process_time()
        for environ in environs:
            status, _, body = _call(self.app, environ)
            assert status.startswith(("201", "202")), (status, body)
        return time.process_time() - began, self.engine_cpu - engine_before


def _serve(stub: bool) -> None:
    """Child process: build a poster, then answer each ``<count>`` line with its timings."""
    poster = Poster(stub=stub)
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(poster.run(int(line))), flush=True)


def _worker(src: str | None, stub: bool) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if src:
        # The older packages first on the path: they shadow the editable installs.
        env["PYTHONPATH"] = os.pathsep.join(
            [f"{src}/adapters/threadkit-flask/src", f"{src}/adapters/threadkit-web/src"]
        )
    worker = subprocess.Popen(
        [sys.executable, __file__, "--serve", *(["--stub"] if stub else [])],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    return worker


def _ask(worker: subprocess.Popen[str], count: int) -> tuple[float, float]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdin.write(f"{count}\n")
    worker.stdin.flush()
    total, engine = json.loads(worker.stdout.readline())
    return float(total), float(engine)


def main() -> None:
    """Parse the arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=1000, help="timed posts per system")
    parser.add_argument("--batch", type=int, default=25, help="posts per turn when alternating")
    parser.add_argument("--ab", metavar="DIR", help="a source tree to compare with (A)")
    parser.add_argument(
        "--b", metavar="DIR", help="with --ab: the source tree B (default: the working tree)"
    )
    parser.add_argument(
        "--stub", action="store_true", help="the engine answers a stored comment: web layer only"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.stub)
        return
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    sources = {"A": args.ab, "B": args.b} if args.ab else {"now": None}
    workers = {label: _worker(src, args.stub) for label, src in sources.items()}
    totals = {label: [0.0, 0.0] for label in workers}
    turns = max(1, args.posts // args.batch)
    try:
        for turn in range(turns):
            # Alternate which side goes first, so neither always follows the other.
            order = list(workers) if turn % 2 == 0 else list(reversed(workers))
            for label in order:
                total, engine = _ask(workers[label], args.batch)
                totals[label][0] += total
                totals[label][1] += engine
    finally:
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait()
    posts = turns * args.batch
    per: dict[str, tuple[float, float, float]] = {}
    for label, (total, engine) in totals.items():
        per[label] = (total / posts * 1000, engine / posts * 1000, (total - engine) / posts * 1000)
        print(
            f"{label:>3}: total {per[label][0]:.3f} ms  engine {per[label][1]:.3f} ms  "
            f"web {per[label][2]:.3f} ms CPU per post ({posts} posts)"
        )
    if args.ab:
        print(f"B/A: web {per['B'][2] / per['A'][2]:.3f}  total {per['B'][0] / per['A'][0]:.3f}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
