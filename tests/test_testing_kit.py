"""The public test kit: one clock, one serve-in-a-thread helper, one fake HTTP server base."""

from __future__ import annotations

import ast
import socket
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings

from threadkit.clock import ManualClock
from threadkit.models import Comment
from threadkit.testing import strategies
from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply, serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_manual_clock_stands_still_until_moved() -> None:
    """Without a step, readings repeat; tick() moves one second and one microsecond."""
    clock = ManualClock(START)
    assert (START, START) == (clock.now(), clock.now())
    assert START + timedelta(seconds=2, microseconds=1) == clock.tick(2)
    assert START + timedelta(seconds=2, microseconds=1, minutes=5) == clock.advance(minutes=5)


def test_manual_clock_with_a_step_moves_on_every_reading() -> None:
    """step= makes each reading later than the last (what load tests need); moment peeks."""
    clock = ManualClock(START, step=timedelta(seconds=16))
    readings = [clock.now(), clock.now(), clock.now()]
    assert [START + timedelta(seconds=16 * n) for n in (1, 2, 3)] == readings
    assert readings[-1] == clock.moment


class Echo(FakeHTTPServer):
    def handle(self, request: RecordedRequest) -> Reply:
        return Reply(201, f"{request.method} {request.form.get('name', '')}", {"X-Seen": "1"})


def test_fake_http_server_records_and_answers() -> None:
    """A subclass answers from handle(); every request is recorded with its form."""
    with Echo() as echo:
        request = urllib.request.Request(
            echo.base_url + "/hook?x=1", data=b"name=Ada&empty=", method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = (response.status, response.read(), response.headers["X-Seen"])
    assert (201, b"POST Ada", "1") == answer
    (recorded,) = echo.requests
    assert ("POST", "/hook?x=1") == (recorded.method, recorded.path)
    assert {"name": "Ada", "empty": ""} == recorded.form
    assert "15" == recorded.headers["content-length"]


def test_serve_in_thread_frees_the_port_and_the_thread() -> None:
    """After the with block nothing listens on the port and the serving thread is gone."""
    before = {thread.name for thread in threading.enumerate()}
    with Echo() as echo:
        port = int(echo.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    # The request thread of that bare connection ends when it reads the client's EOF,
    # which may be a moment after the block exits (ThreadingHTTPServer does not join it).
    deadline = time.monotonic() + 10
    while (after := {t.name for t in threading.enumerate()}) != before:
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert before == after
    with socket.socket() as probe:
        assert 0 != probe.connect_ex(("127.0.0.1", port))


def test_serve_in_thread_stops_a_server_even_when_the_block_fails() -> None:
    """An exception inside the block still shuts the server down and closes its socket."""
    server = Echo()._server
    try:
        with serve_in_thread(server):
            raise RuntimeError("test body failed")
    except RuntimeError:
        pass
    assert -1 == server.socket.fileno()


# A smoke test that both flavours live in one module; their properties are tested elsewhere.
@settings(max_examples=10)
@given(strategies.any_comments(), strategies.comments())
def test_both_strategy_flavours_draw_comments(wild: Comment, realistic: Comment) -> None:
    """The one strategies module draws round-trip (any_) and realistic comments."""
    assert (realistic.depth == 0) == (realistic.parent_id is None)
    assert isinstance(wild, Comment)


def private_core_imports(path: Path) -> set[str]:
    """Return the private threadkit modules (a ``_name`` part) that ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            private = any(p.startswith("_") and not p.startswith("__") for p in parts[1:])
            if parts[0] == "threadkit" and private:
                found.add(name)
    return found


def test_adapter_and_example_tests_use_only_the_public_kit() -> None:
    """Tests outside the core import no threadkit._* or threadkit.testing._* module."""
    files = [
        *ROOT.glob("adapters/*/tests/**/*.py"),
        *ROOT.glob("examples/*/tests/**/*.py"),
        *ROOT.glob("benchmarks/**/*.py"),
    ]
    assert len(files) > 20
    found = {str(p.relative_to(ROOT)): private_core_imports(p) for p in files}
    assert {} == {path: hits for path, hits in found.items() if hits}


def test_the_private_import_scan_can_fail(tmp_path: Path) -> None:
    """The scan above flags a private import (so it can fail)."""
    sample = tmp_path / "bad.py"
    sample.write_text("from threadkit.testing import _store_kit\nimport threadkit._rules\n")
    assert {"threadkit.testing._store_kit", "threadkit._rules"} == private_core_imports(sample)
