"""Isso and threadkit side by side, over HTTP on 127.0.0.1 (a standalone script, not a test).

Run from the repository root::

    .venv/bin/python benchmarks/isso_compare.py                 # 1k and 10k comments
    .venv/bin/python benchmarks/isso_compare.py --with-100k     # also 100k (Isso: many minutes)

What it does, all in one temporary folder that it deletes at the end:

1. installs the latest Isso from PyPI into its own virtualenv (``uv`` if the
   repository's ``.venv`` has it, else ``python -m venv`` and pip);
2. generates each thread once (``isso_setup.py``; :func:`threadkit.testing.generate.generate_rows`,
   seeded) and stores the same comments in both systems: threadkit through
   ``SqlCommentStore.bulk_load`` (SQLite, ``synchronous=FULL``, the default),
   Isso by writing its SQLite database directly with Isso's own Python (its
   schema from ``isso.db``). Isso keeps one level of replies, so each reply's
   parent becomes its top-level ancestor, as Isso does itself: the same
   comments, not the same shapes. Statuses map to Isso's modes (approved 1,
   pending and spam 2, deleted placeholder 4);
3. starts three servers, each under gunicorn with one sync worker on a random
   127.0.0.1 port: threadkit (Flask adapter, ``default_pipeline``, its default
   in-process page cache), Isso with its guard off and Isso with its guard on
   (``[guard]`` defaults; a copy of the same database), both ``isso.run``.
   Every worker runs the same gunicorn hook once its app is loaded:
   ``gc.collect(); gc.freeze()``, as docs/server.md advises a host (threadkit-server
   does it itself); ``--no-freeze`` leaves the collector alone. Without it a full
   collection walks threadkit's ~110,000 start-up objects during whichever post
   triggers one: 15-30 ms on a fast machine, 70-120 ms on a slow one (a tenth to
   a fifth of a round of 200 posts); frozen, 3 ms. Then every server gets
   ``--warm-up`` untimed posts (300) in a thread of their own, so no measured
   round pays for a server's first requests. Posts carry ``X-Forwarded-For`` with a new
   address per post, trusted by both (Isso's ``trusted-proxies``, werkzeug's
   ``ProxyFix`` for threadkit), so rate limits keyed by address do not trip
   but are still checked. threadkit's flood control stays on at 15 s; its
   clock moves 16 s per reading, so it queries the store and never trips;
4. measures, in rounds that alternate between the systems (best of
   ``--rounds``): every comment of the thread as JSON (Isso: one
   ``GET /?uri=``; threadkit: every page, ``limit=200&total_limit=2000``, plus any
   ``/replies`` pages), the first page (Isso: ``limit=20&nested_limit=5``;
   threadkit: the default page, up to 20 top-level comments and 500 in all),
   and posting (half replies), in comments per second over all rounds, the
   systems taking turns of ``POST_BATCH`` posts within each round (so a slow
   stretch of the shared machine falls on all of them; the table also gives
   the range of the rounds' own ratios); every threadkit post
   comes from its own new browser session (a first-time poster: cookie and
   CSRF token fetched before the timed loop), as every Isso post is. Reads are *cold* (the
   first read after a write: each round's posts, or the bulk load before round
   one, changed the thread) and *warm* (the same read again at once); Isso has no
   cache, so its two are the same work. A whole-thread read also counts its
   requests and bytes and splits its time: *on the wire* (request sent to last
   byte received, summed over its requests) and the client's ``json.loads`` of
   the answers; both are in the "every comment" time, and the table has a row
   with the time on the wire alone (a client that decodes faster than the
   standard library, or a browser, pays less than this script for the same
   bytes);
5. prints a Markdown table of the times and ratios (threadkit's speed-up), each
   row with the load average seen during its rounds, and ``uptime`` at the
   start, after every round and at the end: the machine may be shared, and
   only the ratios of one run compare. Threads of 100,000 comments or more run
   ``--big-rounds`` rounds (default 1), since Isso's whole-thread read alone
   takes minutes; there Isso's whole thread is read once per round and stands
   for its warm read too (Isso has no cache: the same work).

threadkit's store runs with ``lean_public_reads`` on (public pages read only
the public columns), as a site serving only public pages would.

Posted comments land in the measured threads, so later rounds read a few
hundred more comments than the first; both systems get the same posts.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

# A sibling module: its folder is on sys.path when run (and under gunicorn's --chdir).
from isso_setup import (  # type: ignore[import-not-found, unused-ignore]
    ISSO_CONF,
    ROOT,
    SEED,
    fill,
    install_isso,
    ip_for,
    key_of,
    uri_of,
)

TIMEOUT = 900.0  # seconds for one HTTP request by default (Isso's whole 100k thread is slow)
POST_BUDGET = 90.0  # seconds per posting round (all three systems) at most
POST_BATCH = 10  # posts one system makes before the next system's turn
POSTING = ("isso", "threadkit", "isso-guard")  # the servers posted to, by name
WARM_UP_URI = "/warm-up/"  # Isso's thread for the untimed first posts (threadkit: "warm-up")
# gunicorn's hook for every server here, as docs/server.md advises any host: once the
# worker has loaded its app, collect and freeze the start-up heap (gc.freeze), so a full
# collection during a request walks only what requests made.
FREEZE_HOOK = """import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
"""
_SENTENCES = (
    "I *really* liked the part about indexes; it matches what we saw in production.",
    "Has anyone tried this with **PostgreSQL** replicas? The numbers would be interesting.",
    "Thanks for writing this up, café-grade prose as always. 👍",
    "See [the docs](https://example.org/docs/paging) for the keyset pagination details.",
    "Disagree: a flat list is fine for most blogs, nesting is overrated.",
    "日本語のコメントも表示されますか。Ελληνικά too?",
    "Great post. Bookmarked.",
)


class Server(NamedTuple):
    """A server process under test."""

    name: str
    port: int
    process: subprocess.Popen[bytes]


# ----------------------------------------------------------------------------- helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """Send one request on a new connection; return (status, body, response)."""
    timeout = float(os.environ.get("ISSO_COMPARE_TIMEOUT", TIMEOUT))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, response


class Tally:
    """What one read took: requests, bytes, seconds on the wire and decoding JSON."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0
        self.wire = 0.0  # from sending the request to the last byte of the answer
        self.decode = 0.0  # the client's json.loads of the answers


def get_json(port: int, path: str, tally: Tally | None = None) -> Any:
    """GET ``path`` and decode its JSON (any status but 200 is an error).

    With ``tally``, the request's time on the wire and the decoding are added
    to it separately (the client's ``json.loads`` of a big answer is a good
    part of a whole-thread read's time, for both systems).
    """
    began = time.perf_counter()
    status, data, _ = request(port, "GET", path)
    received = time.perf_counter()
    if status != 200:
        raise RuntimeError(f"GET {path} on :{port} answered {status}: {data[:300]!r}")
    payload = json.loads(data)
    if tally is not None:
        tally.requests += 1
        tally.bytes += len(data)
        tally.wire += received - began
        tally.decode += time.perf_counter() - received
    return payload


def wait_until_up(server: Server, path: str, log: Path, limit: float = 60.0) -> None:
    """Poll ``path`` until the server answers (bounded); raise with its log if it dies."""
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            request(server.port, "GET", path)
            return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {limit} s: {log.read_text()[-3000:]}")


def stop(server: Server) -> None:
    """Terminate a server process (kill it if it does not stop within 10 s)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


# ----------------------------------------------------------------------------- servers


def start_servers(
    folder: Path, isso_python: Path, tk_db: Path, isso_db: Path, *, freeze: bool = True
) -> list[Server]:
    """Start threadkit, Isso (guard off) and Isso (guard on); each on its own port.

    With ``freeze`` every worker runs :data:`FREEZE_HOOK` once its app is loaded.
    """
    servers: list[Server] = []
    hooks: list[str] = []
    if freeze:
        hook = folder / "gunicorn_freeze.py"
        hook.write_text(FREEZE_HOOK, encoding="utf-8")
        hooks = ["-c", str(hook)]
    guarded_db = folder / "isso-guarded.db"
    shutil.copyfile(isso_db, guarded_db)
    plans: list[tuple[str, int, list[str], dict[str, str], str]] = []
    tk_port = free_port()
    plans.append(
        (
            "threadkit",
            tk_port,
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                *gunicorn_options(tk_port),
                *hooks,
                "--chdir",
                str(Path(__file__).resolve().parent),
                "isso_compare:threadkit_app()",
            ],
            {"ISSO_COMPARE_TK_DB": str(tk_db)},
            "/comments/api/counts?thread=x",
        )
    )
    for name, db, guard in (("isso", isso_db, "false"), ("isso-guard", guarded_db, "true")):
        port = free_port()
        conf = folder / f"{name}.cfg"
        conf.write_text(ISSO_CONF.format(db=db, port=port, guard=guard))
        gunicorn = isso_python.parent / "gunicorn"
        command = [str(gunicorn), *gunicorn_options(port), *hooks, "isso.run"]
        plans.append((name, port, command, {"ISSO_SETTINGS": str(conf)}, "/?uri=/nothing/"))
    try:
        for name, port, command, env, probe in plans:
            log = folder / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}
                )
            server = Server(name, port, process)
            servers.append(server)
            wait_until_up(server, probe, log)
    except BaseException:
        for server in servers:
            stop(server)
        raise
    return servers


def gunicorn_options(port: int) -> list[str]:
    """One sync worker on 127.0.0.1:``port``; a long timeout (Isso's whole 100k thread)."""
    timeout = os.environ.get("ISSO_COMPARE_TIMEOUT", str(TIMEOUT))
    return [
        "-w",
        "1",
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        f"{float(timeout):.0f}",
    ]


# ----------------------------------------------------------------------------- threadkit server


def threadkit_app() -> Any:
    """Build threadkit's Flask app on ``$ISSO_COMPARE_TK_DB`` (gunicorn's app factory)."""
    from flask import Flask
    from threadkit_flask import ThreadKit
    from threadkit_sqlalchemy import SqlCommentStore
    from werkzeug.middleware.proxy_fix import ProxyFix

    from threadkit.clock import ManualClock
    from threadkit.engine import CommentEngine
    from threadkit.moderation import default_pipeline

    store = SqlCommentStore(f"sqlite:///{os.environ['ISSO_COMPARE_TK_DB']}", upgrade=True)
    # Every public-visibility read here ends in a public page: read only the public columns.
    store.lean_public_reads = True
    # Moves 16 s per reading, so flood control (15 s) asks the store but never trips.
    clock = ManualClock(datetime.now(UTC), step=timedelta(seconds=16))
    engine = CommentEngine(store, pipeline=default_pipeline(store), clock=clock)
    app = Flask("threadkit-bench")
    app.secret_key = "isso-compare"
    # Like Isso, the first comment creates a thread (no page renders them here).
    app.config["THREADKIT_THREAD_POLICY"] = "any"
    ThreadKit(app, engine=engine)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    return app


# ----------------------------------------------------------------------------- measurements


def tk_every_comment(port: int, key: str, tally: Tally | None = None) -> int:
    """Read every comment of a threadkit thread page by page; return how many."""
    seen: set[int] = set()
    # Big pages (the API's total_limit cap) so a whole-thread read takes few requests.
    pending = [f"/comments/api/threads/{key}?limit=200&total_limit=2000"]
    while pending:
        path = pending.pop()
        page = get_json(port, path, tally)
        stack = list(page["comments"])
        while stack:
            node = stack.pop()
            seen.add(node["id"])
            stack.extend(node["replies"])
            if node["more_replies"]:
                pending.append(f"/comments/api/comments/{node['id']}/replies?total_limit=2000")
        if page.get("next_cursor"):
            base = path.split("?", 1)[0]
            glue = "?limit=200&total_limit=2000&" if "/threads/" in base else "?total_limit=2000&"
            pending.append(f"{base}{glue}cursor={page['next_cursor']}")
    return len(seen)


def isso_count(payload: dict[str, Any]) -> int:
    """Count the comments of an Isso fetch answer."""
    return sum(1 + len(reply.get("replies", ())) for reply in payload["replies"])


def tk_count(payload: dict[str, Any]) -> int:
    """Count the comments of a threadkit page."""
    stack, count = list(payload["comments"]), 0
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node["replies"])
    return count


class Posters:
    """Posts the same stream of comments to every system (bodies, replies, addresses)."""

    def __init__(self, servers: dict[str, Server], ids: dict[str, dict[int, int]]) -> None:
        self.servers = servers
        self.ids = ids
        self.serial = 0
        self.sessions: list[dict[str, str]] = []

    def tk_sessions(self, count: int) -> None:
        """Open ``count`` new threadkit browser sessions (cookie + CSRF token), untimed.

        Each post of a round comes from its own new session: a first-time
        poster, as Isso's posts are (Isso keeps no session).
        """
        port = self.servers["threadkit"].port
        self.sessions = []
        for _ in range(count):
            _, data, response = request(port, "GET", "/comments/api/me")
            cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
            self.sessions.append({"cookie": cookie, "csrf": json.loads(data)["csrf_token"]})

    def plan(self, count: int, targets: Sequence[int], seed: int) -> list[tuple[str, int | None]]:
        """Return ``count`` (body, generated parent id or None) pairs; addresses follow."""
        rng = random.Random(seed)
        posts = []
        for _ in range(count):
            self.serial += 1
            body = f"Comment {self.serial}. " + " ".join(rng.sample(_SENTENCES, rng.randint(1, 3)))
            parent = targets[rng.randrange(len(targets))] if rng.random() < 0.5 else None
            posts.append((body, parent))
        return posts

    def post_one(
        self, name: str, key: str, uri: str, index: int, body: str, parent: int | None
    ) -> None:
        """Make post ``index`` of the round (``body``, generated ``parent``) to one system."""
        server = self.servers[name]
        system = "tk" if name == "threadkit" else "isso"
        address = ip_for(self.serial + index)  # new for every post of a round
        parent_id = None if parent is None else self.ids[system][parent]
        payload: dict[str, Any]
        if system == "tk":
            session = self.sessions[index]
            payload = {"body": body, "name": f"Bench {self.serial + index}"}
            if parent_id is not None:
                payload["parent_id"] = parent_id
            headers = {
                "Content-Type": "application/json",
                "Cookie": session["cookie"],
                "X-Threadkit-CSRF": session["csrf"],
                "X-Forwarded-For": address,
            }
            path = f"/comments/api/threads/{key}/comments"
        else:
            payload = {"text": body, "author": f"Bench {index % 20}", "parent": parent_id}
            if uri == WARM_UP_URI:  # Isso creates a thread it cannot fetch only with a title
                payload["title"] = "Warm-up"
            headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
            path = f"/new?uri={uri}"
        status, data, response = request(
            server.port, "POST", path, json.dumps(payload).encode(), headers
        )
        if status not in (201, 202):
            raise RuntimeError(f"{name} POST answered {status}: {data[:300]!r}")
        if system == "tk":
            cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
            if cookie:
                session["cookie"] = cookie

    def warm_up(self, count: int) -> dict[str, tuple[int, float]]:
        """Post ``count`` untimed top-level comments to every system, in a thread of their own.

        The measured rounds should see servers that have been running a while,
        as a site's have (lazy imports, first statements, the SQLite file's
        first pages). Without it the first size measured came out 0.1-0.3x lower
        than the second in three runs, whichever size came first; with it, on a
        machine whose speed drifts, that gap did not clearly go away.
        """
        plan: list[tuple[str, int | None]] = [
            (f"Warming up {n}. {_SENTENCES[n % len(_SENTENCES)]}", None) for n in range(count)
        ]
        self.serial += count
        self.tk_sessions(count)
        return self.post_round("warm-up", WARM_UP_URI, plan)

    def post_round(
        self, key: str, uri: str, posts: list[tuple[str, int | None]]
    ) -> dict[str, tuple[int, float]]:
        """Post ``posts`` to every system, interleaved; return {name: (posts, seconds)}.

        The systems take turns of :data:`POST_BATCH` posts, the order of the turn
        rotating, so a stretch where the shared machine is slow or fast falls on
        all of them alike (whole rounds one after the other moved the ratio by
        a third on a noisy machine). Each post is timed on its own.
        """
        names = list(POSTING)
        spent = {name: [0, 0.0] for name in names}
        began = time.perf_counter()
        for turn, first in enumerate(range(0, len(posts), POST_BATCH)):
            order = names[turn % len(names) :] + names[: turn % len(names)]
            for name in order:
                for index in range(first, min(first + POST_BATCH, len(posts))):
                    body, parent = posts[index]
                    sent = time.perf_counter()
                    self.post_one(name, key, uri, index, body, parent)
                    spent[name][0] += 1
                    spent[name][1] += time.perf_counter() - sent
            if time.perf_counter() - began > POST_BUDGET:
                break
        return {name: (int(done), float(seconds)) for name, (done, seconds) in spent.items()}


def uptime() -> str:
    """Return ``uptime``'s line (the machine is shared: every number carries its load)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``work`` once; return (seconds, its result)."""
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


class Best:
    """The best (lowest) seconds of each measure over the rounds of one size, with notes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.notes: dict[str, str] = {}

    def add(self, name: str, seconds: float, note: str = "") -> None:
        """Keep ``seconds`` (and ``note``) if it beats what ``name`` has."""
        if seconds < self.seconds.get(name, float("inf")):
            self.seconds[name] = seconds
            self.notes[name] = note

    def ms(self, name: str, digits: int = 0) -> str:
        """Return a measure in milliseconds."""
        return f"{self.seconds[name] * 1000:,.{digits}f} ms"

    def ratio(self, name: str) -> str:
        """Return Isso's time over threadkit's for ``name``."""
        return f"{self.seconds['isso ' + name] / self.seconds['tk ' + name]:,.1f}x faster"


def _whole_note(tally: Tally, comments: int) -> str:
    return (
        f"{tally.requests} request{'s' if tally.requests > 1 else ''},"
        f" {tally.bytes / 1e6:,.1f} MB, {comments:,}; decode"
        f" {tally.decode * 1000:,.0f} ms"
    )


def read_whole(best: Best, servers: dict[str, Server], size: int, label: str) -> None:
    """Read every comment of both threads once; keep totals and times on the wire."""
    tk, isso = servers["threadkit"], servers["isso"]
    if label == "warm" and size >= 100_000:
        # Isso has no cache: its second read is the same minutes of work again.
        for name in ("whole", "wire"):
            best.add(f"isso {name} warm", best.seconds[f"isso {name} cold"])
            best.notes[f"isso {name} warm"] = best.notes[f"isso {name} cold"]
    else:
        tally = Tally()
        seconds, payload = timed(lambda: get_json(isso.port, f"/?uri={uri_of(size)}", tally))
        note = _whole_note(tally, isso_count(payload))
        best.add(f"isso whole {label}", seconds, note)
        best.add(f"isso wire {label}", tally.wire, note)
    tally = Tally()
    seconds, count = timed(lambda: tk_every_comment(tk.port, key_of(size), tally))
    best.add(f"tk whole {label}", seconds, _whole_note(tally, count))
    best.add(f"tk wire {label}", tally.wire, _whole_note(tally, count))


def read_first(best: Best, servers: dict[str, Server], size: int) -> None:
    """Read the first page of both threads three times (the first after a write: cold)."""
    tk, isso = servers["threadkit"], servers["isso"]
    uri, key = uri_of(size), key_of(size)
    for attempt in range(3):
        label = "cold" if attempt == 0 else "warm"
        seconds, page = timed(lambda: get_json(isso.port, f"/?uri={uri}&limit=20&nested_limit=5"))
        best.add(f"isso first {label}", seconds, f"{isso_count(page)} comments")
        seconds, page = timed(lambda: get_json(tk.port, f"/comments/api/threads/{key}"))
        best.add(f"tk first {label}", seconds, f"{tk_count(page)} comments")


def measure(
    servers: dict[str, Server],
    poster: Posters,
    size: int,
    targets: list[int],
    rounds: int,
    posts: int,
) -> list[list[str]]:
    """Measure one thread size in alternating rounds; return the table rows.

    ``poster`` has this size's id maps; its serial runs on over the whole run, so
    no two posts of a run (warm-up included) come from the same address.
    """
    key, uri = key_of(size), uri_of(size)
    best = Best()
    posted = {name: [0.0, 0.0] for name in POSTING}  # posts and seconds over all rounds
    ratios: list[float] = []  # each round's threadkit rate over Isso's (guard off)
    loads: list[float] = []
    for number in range(rounds):
        # Cold: the thread changed since the last read (posts, or the bulk load).
        for label in ("cold", "warm"):
            read_whole(best, servers, size, label)
        read_first(best, servers, size)
        plan = poster.plan(posts, targets, SEED + number)
        poster.tk_sessions(len(plan))
        spent = poster.post_round(key, uri, plan)
        for name, (done, seconds) in spent.items():
            posted[name][0] += done
            posted[name][1] += seconds
        this = {name: done / seconds for name, (done, seconds) in spent.items()}
        ratios.append(this["threadkit"] / this["isso"])
        loads.append(os.getloadavg()[0])
        print(
            f"  {size:,} round {number + 1} (load {loads[-1]:.1f}, {uptime()}):"
            f" {best.seconds}, posts/s this round {this}, threadkit/Isso {ratios[-1]:.2f}x",
            flush=True,
        )
    rate = {
        "tk" if name == "threadkit" else name: done / seconds
        for name, (done, seconds) in posted.items()
    }
    return size_rows(size, best, rate, f"{min(loads):.1f}-{max(loads):.1f}", ratios)


def size_rows(
    size: int, best: Best, rate: dict[str, float], load: str, ratios: Sequence[float]
) -> list[list[str]]:
    """Return the table rows of one size (``rate``: posts per second over all rounds)."""
    rows = []
    for name, what, digits in (
        ("whole", "every comment as JSON", 1),
        ("wire", "every comment, on the wire (client's JSON decoding not counted)", 1),
        ("first", "first page as JSON", 2),
    ):
        for label in ("cold", "warm"):
            isso, tk = f"isso {name} {label}", f"tk {name} {label}"
            rows.append(
                [
                    f"{size:,}",
                    f"{what}, {label}",
                    f"{best.ms(isso, 1 if name == 'first' else 0)} ({best.notes[isso]})",
                    f"{best.ms(tk, digits)} ({best.notes[tk]})",
                    best.ratio(f"{name} {label}"),
                    load,
                ]
            )
    for system, guard in (("isso", "off"), ("isso-guard", "on")):
        rows.append(
            [
                f"{size:,}",
                f"posting, Isso guard {guard}",
                f"{rate[system]:,.0f} posts/s",
                f"{rate['tk']:,.0f} posts/s (full pipeline)",
                f"{rate['tk'] / rate[system]:,.2f}x"
                + (f" (rounds {min(ratios):.2f}-{max(ratios):.2f}x)" if system == "isso" else ""),
                load,
            ]
        )
    return rows


def table(rows: list[list[str]]) -> str:
    """Format the results as a Markdown table."""
    head = ["comments stored", "measure", "Isso", "threadkit", "threadkit vs Isso", "load avg"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Install Isso, fill both systems, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000", help="thread sizes (comma separated)")
    parser.add_argument("--with-100k", action="store_true", help="also 100,000 (slow for Isso)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (reads: best of)")
    parser.add_argument("--posts", type=int, default=100, help="posts per system per round")
    parser.add_argument(
        "--big-rounds",
        type=int,
        default=1,
        help="rounds for threads of 100,000 comments or more (Isso needs minutes per read)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=300,
        help="untimed posts each server gets first, in a thread of their own (0: none)",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="do not freeze the workers' start-up heap (the hook every server gets)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        help="seconds one request may take (and gunicorn's worker timeout); on a busy"
        " machine Isso's whole 100k thread took longer than the default",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on threadkit's SQLite file after filling (a what-if: table"
        " statistics change the plan of the duplicate check)",
    )
    args = parser.parse_args(argv)
    os.environ["ISSO_COMPARE_TIMEOUT"] = str(args.timeout)
    sizes = [int(part) for part in args.sizes.split(",") if part]
    if args.with_100k and 100_000 not in sizes:
        sizes.append(100_000)
    folder = Path(tempfile.mkdtemp(prefix="isso-compare-"))
    servers: list[Server] = []
    try:
        print(f"working in {folder}", flush=True)
        isso_python, version = install_isso(folder)
        print(f"installed Isso {version}", flush=True)
        tk_db, isso_db, ids, targets = fill(folder, isso_python, sizes, analyze=args.analyze)
        servers = start_servers(folder, isso_python, tk_db, isso_db, freeze=not args.no_freeze)
        by_name = {server.name: server for server in servers}
        rows: list[list[str]] = []
        poster = Posters(by_name, {})
        if args.warm_up:
            spent = poster.warm_up(args.warm_up)
            rates = {
                name: f"{done} at {done / seconds:.0f}/s" for name, (done, seconds) in spent.items()
            }
            print(f"warmed up, untimed: {rates}", flush=True)
        print(f"start: {uptime()}", flush=True)
        for size in sizes:
            rounds = args.rounds if size < 100_000 else min(args.rounds, args.big_rounds)
            poster.ids = ids[size]
            rows += measure(by_name, poster, size, targets[size], rounds, args.posts)
        print(f"end: {uptime()}", flush=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(
            f"\nIsso {version} vs threadkit, {stamp}, Python {platform.python_version()},"
            f" {os.cpu_count()} CPUs, reads best of {args.rounds} alternating rounds"
            f" ({args.big_rounds} at 100k and more), posting over all rounds,"
            f" {args.posts} posts per system per round, interleaved in turns of {POST_BATCH}"
            f", start-up heaps {'not frozen' if args.no_freeze else 'frozen'},"
            f" {args.warm_up} warm-up posts each"
            f"{', threadkit file ANALYZEd' if args.analyze else ''}\n"
        )
        print(table(rows))
    finally:
        for server in servers:
            stop(server)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
