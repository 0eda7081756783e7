"""Filling Isso's and threadkit's databases with the same threads (for ``isso_compare.py``).

Isso is installed from PyPI into its own virtualenv; each generated thread is
stored in threadkit through ``SqlCommentStore.bulk_load`` and in Isso by writing
its SQLite file with Isso's own Python (see ``isso_compare.py``'s docstring).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261125

ISSO_FILL = r"""
import json, sqlite3, sys
from isso import config
from isso.db import SQLite3
from isso.utils import Bloomfilter

conf_path, db_path, uri, rows_path, out_path = sys.argv[1:]
conf = config.load(config.default_file(), conf_path)
db = SQLite3(db_path, conf)  # creates Isso's schema
if uri not in db.threads:
    db.threads.new(uri, "A busy post")
tid = db.threads[uri]["id"]
with open(rows_path, encoding="utf-8") as f:
    rows = json.load(f)
con = sqlite3.connect(db_path)
cur = con.cursor()
ids, voters = {}, {}
for gid, root_gid, created, mode, ip, text, author, email, website, likes, dislikes in rows:
    blob = voters.get(ip)
    if blob is None:
        blob = voters[ip] = bytes(Bloomfilter(iterable=[ip]).array)
    cur.execute(
        "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author,"
        " email, website, likes, dislikes, voters, notification)"
        " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        (tid, None if root_gid is None else ids[root_gid], created, mode, ip, text, author,
         email, website, likes, dislikes, blob),
    )
    ids[gid] = cur.lastrowid
con.commit()
con.close()
with open(out_path, "w", encoding="utf-8") as f:
    json.dump(ids, f)
"""

ISSO_CONF = """\
[general]
dbpath = {db}
host = http://127.0.0.1:{port}/
notify = stdout
gravatar = false
[moderation]
enabled = false
[server]
listen = http://127.0.0.1:{port}
trusted-proxies = 127.0.0.1
[guard]
enabled = {guard}
ratelimit = 2
direct-reply = 3
reply-to-self = false
require-author = false
require-email = false
"""


def ip_for(serial: int) -> str:
    """Return a distinct IPv4 address per serial (Isso keeps only the first three bytes)."""
    return f"10.{(serial // 250) % 250}.{serial % 250}.1"


ISSO_REQUIREMENTS = ("isso>=0.14,<0.15", "gunicorn>=23")


def install_isso(folder: Path) -> tuple[Path, str]:
    """Install Isso 0.14 and gunicorn into a new virtualenv under ``folder``; (python, version)."""
    venv = folder / "isso-venv"
    uv = ROOT / ".venv" / "bin" / "uv"
    if uv.exists():
        subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run(
            [str(uv), "pip", "install", "-q", "--python", str(python), *ISSO_REQUIREMENTS],
            check=True,
            timeout=600,
        )
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *ISSO_REQUIREMENTS], check=True, timeout=600
        )
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('isso'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return python, version


def isso_rows(rows: Sequence[Any], ip_of: Callable[[Any], str]) -> list[list[Any]]:
    """Turn generated rows into Isso comment rows (parent: the top-level ancestor)."""
    from threadkit.models import Status

    mode = {Status.APPROVED: 1, Status.PENDING: 2, Status.SPAM: 2, Status.DELETED: 4}
    out = []
    for row in rows:
        deleted = row.status is Status.DELETED
        out.append(
            [
                row.id,
                None if row.parent_id is None else row.root_id,
                row.created_at.timestamp(),
                mode[row.status],
                ip_of(row),
                row.body_source,
                None if deleted else row.author.name,
                None if deleted else row.author.email,
                None if deleted else row.author.url,
                row.upvotes,
                row.downvotes,
            ]
        )
    return out


def fill(
    folder: Path, isso_python: Path, sizes: Sequence[int], *, analyze: bool = False
) -> tuple[Path, Path, dict[int, dict[str, dict[int, int]]], dict[int, list[int]]]:
    """Fill a threadkit and an Isso SQLite database with the same threads.

    Returns the two paths, per size the id maps ({"tk": {gen: id}, "isso": ...})
    and per size the generated ids of approved comments (reply targets).
    ``analyze`` runs SQLite's ``ANALYZE`` on threadkit's file afterwards.
    """
    from threadkit_sqlalchemy import SqlCommentStore

    from threadkit.models import Status
    from threadkit.testing.generate import generate_rows, with_context

    tk_db, isso_db = folder / "threadkit.db", folder / "isso.db"
    conf = folder / "fill.cfg"
    conf.write_text(ISSO_CONF.format(db=isso_db, port=1, guard="false"))
    store = SqlCommentStore(f"sqlite:///{tk_db}", upgrade=True)
    ids: dict[int, dict[str, dict[int, int]]] = {}
    targets: dict[int, list[int]] = {}
    try:
        for size in sizes:
            rows = generate_rows(size, seed=SEED + size)

            def author_ip(author: Any) -> str:
                return ip_for(sum(map(ord, author.key)) * 7919 % 60_000)

            def ip_of(row: Any) -> str:
                return "" if row.status is Status.DELETED else author_ip(row.author)

            loads = with_context(rows, author_ip)
            began = time.perf_counter()
            tk_ids = store.bulk_load(key_of(size), loads)
            tk_seconds = time.perf_counter() - began
            rows_file, ids_file = folder / f"rows-{size}.json", folder / f"ids-{size}.json"
            rows_file.write_text(json.dumps(isso_rows(rows, ip_of)), encoding="utf-8")
            began = time.perf_counter()
            subprocess.run(
                [
                    str(isso_python),
                    "-c",
                    ISSO_FILL,
                    str(conf),
                    str(isso_db),
                    uri_of(size),
                    str(rows_file),
                    str(ids_file),
                ],
                check=True,
                timeout=1800,
            )
            isso_seconds = time.perf_counter() - began
            isso_ids = {int(k): v for k, v in json.loads(ids_file.read_text()).items()}
            ids[size] = {"tk": tk_ids, "isso": isso_ids}
            targets[size] = [row.id for row in rows if row.status is Status.APPROVED]
            print(
                f"filled {size:,} comments: threadkit bulk_load {tk_seconds:.1f} s,"
                f" Isso direct SQLite {isso_seconds:.1f} s",
                flush=True,
            )
        if analyze:
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        store.close()
    return tk_db, isso_db, ids, targets


def key_of(size: int) -> str:
    """Return the threadkit thread key of a generated thread."""
    return f"post-{size}"


def uri_of(size: int) -> str:
    """Return the Isso thread URI of a generated thread."""
    return f"/post-{size}/"
