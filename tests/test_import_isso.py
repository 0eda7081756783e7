"""threadkit-import isso: a database written by a real Isso 0.14 (from PyPI) comes across whole.

The test installs Isso 0.14 into a virtualenv cached under ``.pytest_cache``
(``THREADKIT_ISSO_VENV`` names another place), runs it on 127.0.0.1, writes
comments, replies, votes, a deletion and a held comment through its HTTP API,
stops it and imports its database. Without network the test skips, except
under ``CI=true`` where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from threadkit_server import create_app, load_config
from threadkit_sqlalchemy import SqlCommentStore
from threadkit_sqlalchemy.isso import read_isso

from threadkit.importers import ImportFormatError
from threadkit.importers.__main__ import main
from threadkit.importers.isso import MODES, import_isso
from threadkit.models import DELETED_AUTHOR, Status

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ISSO_REQUIREMENT = "isso==0.14.*"

ISSO_CONF = """\
[general]
dbpath = {db}
host = http://127.0.0.1:{port}/
notify = stdout
gravatar = false
[moderation]
enabled = {moderated}
[server]
listen = http://127.0.0.1:{port}
trusted-proxies = 127.0.0.1
[guard]
enabled = false
require-author = false
require-email = false
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but Isso cannot be installed from PyPI: {reason}")
    pytest.skip(f"Isso cannot be installed from PyPI here: {reason}")


RUN_ISSO = "import sys; from isso import main; sys.exit(main())"
"""Isso's command, run by the venv's python (the venv may have been moved into place)."""


@pytest.fixture(scope="module")
def isso_python() -> Path:
    """The python of a virtualenv with Isso 0.14, installed once and cached.

    Test workers may install at once: each builds its own copy and moves it into
    place; the first one there is kept.
    """
    venv = Path(
        os.environ.get("THREADKIT_ISSO_VENV") or ROOT / ".pytest_cache" / "d" / "isso-0.14" / "venv"
    )
    python = venv / "bin" / "python"
    if (venv / "installed").exists():
        return python
    building = venv.with_name(f"{venv.name}-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    uv = ROOT / ".venv" / "bin" / "uv"
    try:
        if uv.exists():
            make = [str(uv), "venv", "-q", "--python", sys.executable, str(building)]
            subprocess.run(make, check=True, capture_output=True)
            install = [
                str(uv),
                "pip",
                "install",
                "-q",
                "--python",
                str(building / "bin" / "python"),
            ]
        else:
            subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
            install = [str(building / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*install, ISSO_REQUIREMENT], check=True, timeout=600, capture_output=True)
    except (subprocess.SubprocessError, OSError) as error:
        shutil.rmtree(building, ignore_errors=True)
        _unavailable(str(error))
    (building / "installed").write_text(ISSO_REQUIREMENT)
    try:
        building.rename(venv)
    except OSError:  # another worker got there first
        shutil.rmtree(building, ignore_errors=True)
    return python


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Isso:
    """A running Isso: JSON requests with a cookie jar (its edit cookies), from any address."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body: Any = None, ip: str = "10.9.0.1") -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Forwarded-For", ip)  # Isso trusts 127.0.0.1 as a proxy here
        with self.opener.open(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def new(self, uri: str, ip: str, **comment: Any) -> dict[str, Any]:
        found: dict[str, Any] = self.call("POST", f"/new?uri={uri}", comment, ip)
        return found


@contextmanager
def running_isso(isso_python: Path, folder: Path, db: Path, *, moderated: bool) -> Iterator[Isso]:
    """Run Isso on a free loopback port over ``db``; stop it on the way out."""
    port = _free_port()
    conf = folder / f"isso-{port}.cfg"
    conf.write_text(ISSO_CONF.format(db=db, port=port, moderated=str(moderated).lower()))
    log = (folder / f"isso-{port}.log").open("w")
    process = subprocess.Popen(
        [str(isso_python), "-c", RUN_ISSO, "-c", str(conf), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Isso(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.call("GET", "/config")
                break
            except (URLError, ConnectionError, HTTPError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "Isso did not start: " + (folder / f"isso-{port}.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def isso_db(isso_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Isso database with two pages: comments, replies, votes, a deleted parent, a held one."""
    folder = tmp_path_factory.mktemp("isso")
    db = folder / "comments.db"
    with running_isso(isso_python, folder, db, moderated=False) as isso:
        first = isso.new(
            "/post-1/",
            "10.1.0.1",
            text="First *comment*",
            author="Ann",
            email="ann@example.org",
            website="https://ann.example",
            title="Post one",
        )
        isso.new("/post-1/", "10.2.0.1", text="A reply to Ann", author="Bob", parent=first["id"])
        third = isso.new("/post-1/", "10.3.0.1", text="No email here", author="Cy")
        for n in range(3):
            isso.call("POST", f"/id/{first['id']}/like", ip=f"10.{50 + n}.0.1")
        isso.call("POST", f"/id/{first['id']}/dislike", ip="10.60.0.1")
        for n in range(2):
            isso.call("POST", f"/id/{third['id']}/dislike", ip=f"10.{70 + n}.0.1")
        gone = isso.new("/post-2/", "10.4.0.1", text="Soon deleted", author="Ann", title="Post two")
        isso.new("/post-2/", "10.5.0.1", text="Reply that stays", author="Dee", parent=gone["id"])
        isso.call("DELETE", f"/id/{gone['id']}", ip="10.4.0.1")
    with running_isso(isso_python, folder, db, moderated=True) as isso:
        held = isso.new("/post-1/", "10.6.0.1", text="Please approve me", author="Eve")
        assert 2 == held["mode"]
    return db


def isso_rows(db: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(
            "SELECT comments.*, threads.uri, threads.title FROM comments"
            " JOIN threads ON threads.id = comments.tid ORDER BY comments.id"
        ).fetchall()


def test_every_comment_reply_mode_vote_date_and_author_comes_across(
    isso_db: Path, tmp_path: Path
) -> None:
    """Each Isso comment is in the store with its thread, parent, status, votes, date, author."""
    rows = isso_rows(isso_db)
    assert {1, 2, 4} == {row["mode"] for row in rows}  # the fixture wrote every mode
    store = SqlCommentStore(f"sqlite:///{tmp_path / 'tk.db'}", upgrade=True)
    try:
        report = import_isso(store, read_isso(isso_db))
        assert (len(rows), 1, {}) == (
            report.imported,
            report.placeholders,
            report.skipped_by_code(),
        )
        for row in rows:
            comment = store.get_comment(report.ids[str(row["id"])])
            assert comment is not None
            thread = store.get_thread(comment.thread_key)
            assert thread is not None
            parent = None if row["parent"] is None else report.ids[str(row["parent"])]
            assert (row["uri"], row["title"], parent, MODES[row["mode"]]) == (
                comment.thread_key,
                thread.title,
                comment.parent_id,
                comment.status,
            )
            created = datetime.fromtimestamp(row["created"], tz=UTC)
            assert abs(created - comment.created_at).total_seconds() < 0.001
            if comment.status is Status.DELETED:
                assert DELETED_AUTHOR == comment.author
                continue
            assert (row["text"], row["author"], row["email"], row["website"]) == (
                comment.body_source,
                comment.author.name,
                comment.author.email,
                comment.author.url,
            )
            assert (row["likes"], row["dislikes"]) == (comment.upvotes, comment.downvotes)
            assert row["remote_addr"] == comment.context.ip
        assert "<em>comment</em>" in store.get_comment(report.ids["1"]).body_html  # type: ignore[union-attr]
    finally:
        store.close()


def test_importing_twice_adds_nothing(
    isso_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line imports once; a second run adds no comment and no vote."""
    url = f"sqlite:///{tmp_path / 'tk.db'}"
    SqlCommentStore(url, upgrade=True).close()
    command = ["isso", str(isso_db), "--store", "threadkit_sqlalchemy:SqlCommentStore"]
    command += ["--store-arg", url]
    rows = isso_rows(isso_db)
    assert 0 == main(command)
    first = capsys.readouterr().out
    assert f"comments imported: {len(rows)}" in first
    assert 0 == main(command)
    second = capsys.readouterr().out
    assert "comments imported: 0" in second
    assert f"already present (earlier run): {len(rows)}" in second
    store = SqlCommentStore(url)
    try:
        again = import_isso(store, read_isso(isso_db))
        liked = store.get_comment(again.ids["1"])
        assert liked is not None
        assert (0, 3, 1) == (again.imported, liked.upvotes, liked.downvotes)
    finally:
        store.close()


def test_a_file_that_is_not_an_isso_database_is_refused(tmp_path: Path) -> None:
    """A SQLite file without Isso's tables, or not SQLite at all, is a wrong_format error."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE posts (id INTEGER)")
    text = tmp_path / "text.db"
    text.write_text("not a database at all " * 50)
    for path in (other, text):
        with pytest.raises(ImportFormatError) as caught:
            read_isso(path)
        assert "wrong_format" == caught.value.code
    assert 2 == main(["isso", str(text), "--dry-run"])


def test_imported_comments_are_served_by_the_isso_api(isso_db: Path, tmp_path: Path) -> None:
    """Imported with the site's key prefix, threadkit-server's /isso/ answers the old thread."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    SqlCommentStore(url, upgrade=True).close()
    command = ["isso", str(isso_db), "--store", "threadkit_sqlalchemy:SqlCommentStore"]
    assert 0 == main([*command, "--store-arg", url, "--key-prefix", "blog.example:"])
    argv = ["--site", "https://blog.example", "--db", url, "--secret-key", "test only"]
    app = create_app(load_config(argv, environ={}))
    page = {"Origin": "https://blog.example"}
    thread = app.test_client().get("/isso/?uri=/post-1/", headers=page).get_json()
    shown = [
        (c["author"], c["likes"], c["dislikes"], [r["author"] for r in c["replies"]])
        for c in thread["replies"]
    ]
    assert [("Ann", 3, 1, ["Bob"]), ("Cy", 0, 2, [])] == shown  # Eve's is still held
