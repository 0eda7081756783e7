"""The web layer's CPU in one JSON post, in-process: what a post costs besides the engine.

Run from the repository root::

    .venv/bin/python benchmarks/measure_http_post.py [--posts 300 --rounds 3]
    .venv/bin/python benchmarks/measure_http_post.py --ab /tmp/base-src   # A/B, alternating

The app is ``isso_compare.threadkit_app()`` (the HTTP comparison's own) on a
fresh SQLite file. Each post is what ``isso_compare``'s posters send: a new
session opened with ``GET <prefix>/api/me`` (untimed), then the timed JSON
``POST <prefix>/api/threads/<key>/comments`` with the CSRF header, the cookie
and a new ``X-Forwarded-For``. Requests are WSGI calls on prebuilt environs
(as a server would make them, no test client), and the answer's body is read.

Per post it prints the CPU time (``time.process_time``) of the whole request,
of ``CommentEngine.post`` inside it, and their difference: the web layer
(Flask, the session cookie, CSRF, parsing, sealing, the answer). ``--ab DIR``
runs each round twice in fresh processes, alternating: once with the
``threadkit_flask`` and ``threadkit_web`` packages found under ``DIR`` (for
example a ``git archive`` of an older commit's ``adapters/*/src``) and once with
the working tree's, and prints both and their ratio.
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

    builder = EnvironBuilder(path=path, method=method, headers=headers, data=body)
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


def measure(posts: int, *, stub: bool = False) -> dict[str, float]:
    """Post ``posts`` comments (after a warm-up); return CPU ms per post: total, engine, web.

    ``stub``: after the warm-up, ``CommentEngine.post`` answers the last comment
    it stored without asking the store, so the total is the web layer alone.
    """
    os.environ["ISSO_COMPARE_TK_DB"] = str(Path(tempfile.mkdtemp()) / "tk.db")
    from isso_compare import threadkit_app

    from threadkit.engine import CommentEngine

    app = threadkit_app()
    spent = [0.0]
    original = CommentEngine.post

    last: list[Any] = [None]

    def timed_post(self: CommentEngine, *args: Any, **kwargs: Any) -> Any:
        began = time.process_time()
        try:
            if stub and last[0] is not None:
                return last[0]
            last[0] = original(self, *args, **kwargs)
            return last[0]
        finally:
            spent[0] += time.process_time() - began

    CommentEngine.post = timed_post  # type: ignore[method-assign]
    warm = _posts(app, 1, 50)
    timed = _posts(app, 51, posts)
    for environ in warm:
        _call(app, environ)
    spent[0] = 0.0
    began = time.process_time()
    for environ in timed:
        status, _, body = _call(app, environ)
        assert status.startswith(("201", "202")), (status, body)
    total = (time.process_time() - began) / posts * 1000
    engine = spent[0] / posts * 1000
    return {"total": total, "engine": engine, "web": total - engine}


def _child(src: str | None, posts: int, stub: bool) -> dict[str, float]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join(
            [f"{src}/adapters/threadkit-flask/src", f"{src}/adapters/threadkit-web/src"]
        )
    out = subprocess.run(
        [sys.executable, __file__, "--posts", str(posts), "--json", *(["--stub"] if stub else [])],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse the arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ab", metavar="DIR", help="a source tree to compare with (A)")
    parser.add_argument(
        "--stub", action="store_true", help="the engine answers a stored comment: web layer only"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.posts, stub=args.stub)))
        return
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    labels = ("A", "B") if args.ab else ("now",)
    for round_ in range(args.rounds):
        row = []
        for label in labels:
            got = _child(args.ab if label == "A" else None, args.posts, args.stub)
            row.append(got)
            print(
                f"round {round_ + 1} {label:>3}: total {got['total']:.3f} ms  "
                f"engine {got['engine']:.3f} ms  web {got['web']:.3f} ms CPU per post"
            )
        if args.ab:
            print(f"          web B/A {row[1]['web'] / row[0]['web']:.2f}  "
                  f"total B/A {row[1]['total'] / row[0]['total']:.2f}")  # fmt: skip
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
