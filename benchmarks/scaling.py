"""The production set-up under load: PostgreSQL + gunicorn with 1, 2 and 4 workers (a script).

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and, for more than
one worker, Redis on 127.0.0.1:6379, as on the development machine)::

    .venv/bin/python benchmarks/scaling.py                   # 1, 2, 4 workers, 8 s each
    .venv/bin/python benchmarks/scaling.py --workers 1,2 --seconds 5 --size 2000

What it does, bounded in time (about ``3 x len(workers) x (seconds + 5)``
seconds after the fill):

1. creates a database of its own (``tk_scaling_<random>``, dropped at the end)
   and bulk-loads one thread of ``--size`` comments (seeded);
2. for each worker count, starts ``gunicorn -w N -k sync`` on a random
   127.0.0.1 port serving the Flask adapter (``default_pipeline``, public
   reads lean) three times: with the page cache (in-process LRU for one
   worker, :class:`~threadkit_flask.redis_cache.RedisPageCache` for more, as
   the documented set-up says), then without a page cache, and measures:

   * **read, warm**: ``--clients`` client processes GET the thread's first
     page (default page: 20 top-level comments, 500 at most) as public
     readers for ``--seconds``; all but the first read per worker are cache hits;
   * **read, uncached**: the same against the server without a page cache:
     every read is built (the cold cost; what a cache miss costs);
   * **post**: the clients post comments (full default pipeline) for
     ``--seconds``, each from a new browser session (a first-time poster:
     ``GET /api/me`` for the cookie and CSRF token, then the post; only posts
     are counted, the session fetch is inside the time) and a new
     ``X-Forwarded-For`` address, half of them replies;
3. prints requests per second and the speed-up over one worker, with the load
   average (``uptime``) before and after every measurement.

The clients run on the same machine as the servers and the database: with 2
cores, more workers mostly compete with the clients and PostgreSQL for CPU.
The numbers say how the set-up behaves on this machine, not on a real one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# A sibling script: its folder is on sys.path when run (and under gunicorn's --chdir).
from isso_compare import (  # type: ignore[import-not-found]
    free_port,
    uptime,
)
from isso_compare import request as call

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "THREADKIT_SCALING_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("THREADKIT_SCALING_REDIS_URL", "redis://127.0.0.1:6379/0")
THREAD = "scaling"
SEED = 20261202


# ----------------------------------------------------------------------------- the app


def make_app() -> Any:
    """Build the app gunicorn serves (``scaling:make_app()``), configured by environment."""
    from flask import Flask
    from threadkit_flask import ThreadKit
    from threadkit_flask.redis_cache import RedisPageCache
    from threadkit_sqlalchemy import SqlCommentStore
    from werkzeug.middleware.proxy_fix import ProxyFix

    from threadkit.cache import LruPageCache, NoPageCache, PageCache

    store = SqlCommentStore(os.environ["SCALING_DB_URL"])
    store.lean_public_reads = True  # every public-visibility read here is a public page
    cache: PageCache
    kind = os.environ["SCALING_CACHE"]
    if kind == "redis":
        cache = RedisPageCache.from_url(REDIS_URL, prefix=os.environ["SCALING_PREFIX"])
    elif kind == "lru":
        cache = LruPageCache()
    else:
        cache = NoPageCache()
    app = Flask("threadkit-scaling")
    app.secret_key = "scaling"
    app.config["THREADKIT_THREAD_POLICY"] = "any"
    ThreadKit(app, store=store, page_cache=cache)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    return app


# ----------------------------------------------------------------------------- helpers


def load() -> str:
    """Return the load averages of ``uptime`` (shared machine: every number carries them)."""
    return str(uptime()).split("load average:", 1)[-1].strip()


@contextmanager
def database() -> Iterator[str]:
    """Create a database of its own on the PostgreSQL server; drop it afterwards."""
    import sqlalchemy as sa

    name = f"tk_scaling_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(url: str, size: int) -> list[int]:
    """Bulk-load the thread; return the ids of a few hundred approved comments to reply to."""
    from threadkit_sqlalchemy import SqlCommentStore

    from threadkit.models import Status
    from threadkit.testing.generate import generate_rows

    rows = generate_rows(size, seed=SEED)
    store = SqlCommentStore(url, upgrade=True)
    try:
        ids = store.bulk_load(THREAD, rows)
    finally:
        store.close()
    approved = [ids[row.id] for row in rows if row.status is Status.APPROVED]
    return approved[:: max(1, len(approved) // 300)]


@contextmanager
def server(url: str, workers: int, cache: str) -> Iterator[int]:
    """Run gunicorn with ``workers`` sync workers on 127.0.0.1; yield its port."""
    port = free_port()
    env = {
        **os.environ,
        "SCALING_DB_URL": url,
        "SCALING_CACHE": cache,
        "SCALING_PREFIX": f"tk-scaling-{secrets.token_hex(4)}:",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-w",
        str(workers),
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT / "benchmarks"),
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "scaling:make_app()",
    ]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 180  # a busy machine starts workers slowly
        while True:
            try:
                if call(port, "GET", f"/comments/api/threads/{THREAD}")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn did not come up on port {port}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ----------------------------------------------------------------------------- clients


def _reader(port: int, seconds: float) -> int:
    path = f"/comments/api/threads/{THREAD}"
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, _, _ = call(port, "GET", path)
        if status != 200:
            raise RuntimeError(f"read answered {status}")
        done += 1
    return done


def _poster(port: int, seconds: float, client: int, targets: Sequence[int]) -> int:
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        _, data, response = call(port, "GET", "/comments/api/me")
        cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        serial = client * 1_000_000 + done
        body: dict[str, Any] = {"body": f"Scaling comment {serial}: *hello*.", "name": f"P{serial}"}
        if serial % 2:
            body["parent_id"] = targets[serial % len(targets)]
        headers = {
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-Threadkit-CSRF": json.loads(data)["csrf_token"],
            "X-Forwarded-For": f"10.{client}.{serial // 250 % 250}.{serial % 250 + 1}",
        }
        status, answer, _ = call(
            port,
            "POST",
            f"/comments/api/threads/{THREAD}/comments",
            json.dumps(body).encode(),
            headers,
        )
        if status != 201:
            raise RuntimeError(f"post answered {status}: {answer[:200]!r}")
        done += 1
    return done


def rate(kind: str, port: int, clients: int, seconds: float, targets: Sequence[int]) -> float:
    """Requests (reads) or posts per second with ``clients`` client processes."""
    with multiprocessing.Pool(clients) as pool:
        if kind == "post":
            jobs = [(port, seconds, n, targets) for n in range(clients)]
            counts = pool.starmap(_poster, jobs)
        else:
            counts = pool.starmap(_reader, [(port, seconds)] * clients)
    return sum(counts) / seconds


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Fill, then measure every worker count; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts (comma separated)")
    parser.add_argument("--size", type=int, default=10_000, help="comments in the thread")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.workers.split(",") if part]
    rows: list[tuple[int, int, str, float, str]] = []
    with database() as url:
        began = time.monotonic()
        targets = fill(url, args.size)
        print(f"filled {args.size:,} comments in {time.monotonic() - began:.1f} s", flush=True)
        for workers in counts:
            cached = "lru" if workers == 1 else "redis"
            measures = (
                (f"read, warm ({cached} page cache)", cached, "read"),
                ("read, uncached (no page cache)", "none", "read"),
                ("post (full pipeline, new session each)", cached, "post"),
            )
            for index, (label, cache, kind) in enumerate(measures):
                with server(url, workers, cache) as port:
                    before = load()
                    per_second = rate(kind, port, args.clients, args.seconds, targets)
                    seen = f"{before} -> {load()}"
                rows.append((workers, index, label, per_second, seen))
                print(
                    f"  {workers} worker(s), {label}: {per_second:,.1f}/s (load {seen})", flush=True
                )
    print(
        f"\nPostgreSQL + gunicorn (sync workers), {args.size:,}-comment thread,"
        f" {args.clients} client processes, {args.seconds:g} s per measurement,"
        f" {os.cpu_count()} CPUs shared with the clients and the database\n"
    )
    print(
        f"| workers | measure | per second | vs {counts[0]} worker(s)"
        " | load average (1, 5, 15 min) |"
    )
    print("|---:|---|---:|---:|---|")
    base = {index: value for workers, index, _, value, _ in rows if workers == counts[0]}
    for workers, index, label, value, seen in rows:
        print(f"| {workers} | {label} | {value:,.1f} | {value / base[index]:.2f}x | {seen} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
