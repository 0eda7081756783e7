"""Helpers for threadkit-server's tests: an app over a fresh SQLite file, tokens, subprocesses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import Flask
from flask.testing import FlaskClient
from threadkit_server import create_app, load_config

SITE_A = "https://a.example"
SITE_B = "https://b.example"
SECRET = "server test secret"


def make_app(db: Path, *extra: str) -> Flask:
    """Build the server for sites A and B over the SQLite file ``db``."""
    argv = ["--site", SITE_A, "--site", SITE_B, "--db", f"sqlite:///{db}", "--upgrade"]
    argv += ["--secret-key", SECRET, *extra]
    app = create_app(load_config(argv, environ={}))
    app.config["TESTING"] = True
    return app


def token(client: FlaskClient, origin: str) -> str:
    """Ask for an anonymous token as a page on ``origin``."""
    answer = client.post("/api/session", headers={"Origin": origin})
    assert 200 == answer.status_code, answer.get_data(as_text=True)
    value: str = answer.get_json()["token"]
    return value


def bearer(value: str, origin: str) -> dict[str, str]:
    """Headers of a request from a page on ``origin`` with token ``value``."""
    return {"Authorization": f"Bearer {value}", "Origin": origin}


def server_env(**values: str) -> dict[str, str]:
    """The environment for a subprocess: this one without THREADKIT_SERVER_*, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADKIT_SERVER_")}
    env.update(values)
    return env


def _read_until(stream: IO[str], pattern: str, seconds: float) -> re.Match[str]:
    """Read lines of ``stream`` until one matches ``pattern`` (fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matched {pattern!r}; got:\n{''.join(seen)}")


@contextmanager
def running(
    command: Sequence[str], pattern: str, env: dict[str, str], *, stderr: bool = False
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``command``; yield it and its base URL (from the line matching ``pattern``).

    The process is stopped with SIGTERM on the way out (killed if it does not stop
    within 20 seconds).
    """
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if not stderr else subprocess.PIPE,
        text=True,
        env=env,
    )
    stream = process.stderr if stderr else process.stdout
    assert stream is not None
    try:
        found = _read_until(stream, pattern, 60)
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def script(name: str) -> str:
    """Return the path of a console script installed beside this Python."""
    return str(Path(sys.executable).with_name(name))
