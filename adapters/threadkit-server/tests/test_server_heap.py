"""The WSGI factory freezes the start-up heap; an app built from a config leaves the GC alone.

Each case runs in a child process: ``gc.freeze`` is process-wide, and the test
process must keep its collector as it is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server_support import SITE_A, server_env

_CHILD = """
import gc, json, sys, time
from threadkit_server import create_app, load_config
if sys.argv[1] == "factory":
    app = create_app()
else:
    flags = ["--site", sys.argv[2], "--dev", "--db", "sqlite://", "--upgrade"]
    app = create_app(load_config(flags))
assert app.test_client().get("/embed.js").status_code == 200
began = time.perf_counter()
gc.collect()
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "enabled": gc.isenabled(), "full_ms": (time.perf_counter() - began) * 1e3}))
"""


def _child(tmp_path: Path, mode: str) -> dict[str, object]:
    env = server_env(
        THREADKIT_SERVER_SITES=SITE_A,
        THREADKIT_SERVER_DB=f"sqlite:///{tmp_path / 'heap.db'}",
        THREADKIT_SERVER_UPGRADE="true",
        THREADKIT_SERVER_SECRET_KEY="heap test secret",
    )
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, SITE_A],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_wsgi_factory_freezes_the_start_up_heap(tmp_path: Path) -> None:
    """create_app() leaves the collector on, with the app's objects out of its full passes."""
    seen = _child(tmp_path, "factory")
    assert seen["enabled"] is True
    frozen, tracked = seen["frozen"], seen["tracked"]
    assert isinstance(frozen, int)
    assert isinstance(tracked, int)
    # Flask, SQLAlchemy, templates, translations: tens of thousands of objects frozen,
    # and what one request made since is a small remainder for a full pass to walk.
    assert frozen > 20_000, seen
    assert tracked < frozen / 5, seen


def test_an_app_built_from_a_config_leaves_the_collector_alone(tmp_path: Path) -> None:
    """create_app(config) (tests, hosts building several apps) freezes nothing."""
    seen = _child(tmp_path, "config")
    assert seen["enabled"] is True
    assert seen["frozen"] == 0, seen
