"""The server as a process: the CLI serves and stops, gunicorn runs the CMD, the worker runs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest
from server_support import SITE_A, bearer, make_app, running, script, server_env, token

from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply

pytestmark = pytest.mark.slow

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def fetch(url: str, origin: str | None = None) -> tuple[int, str, str]:
    """GET ``url``; return status, Content-Type and body."""
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers["Content-Type"], answer.read().decode("utf-8")


def test_the_cli_serves_on_an_ephemeral_port_and_stops_cleanly(tmp_path: Path) -> None:
    """threadkit-server --port 0 answers the embed and the API, and exits 0 on SIGTERM."""
    command = [
        script("threadkit-server"),
        "--port", "0",
        "--site", SITE_A,
        "--db", f"sqlite:///{tmp_path / 'cli.db'}",
        "--upgrade",
        "--dev",
    ]
    with running(command, r"serving on (http://127\.0\.0\.1:\d+)", server_env()) as (process, url):
        status, kind, _ = fetch(url + "/embed.js")
        assert (200, "text/javascript; charset=utf-8") == (status, kind)
        status, _, body = fetch(url + "/api/me", SITE_A)
        assert (200, False) == (status, json.loads(body)["logged_in"])
        process.send_signal(signal.SIGTERM)
        assert 0 == process.wait(30)
        assert process.stdout is not None
        assert "threadkit-server: stopped" in process.stdout.read()


def test_gunicorn_serves_the_dockerfiles_app_factory(tmp_path: Path) -> None:
    """The Dockerfile's CMD (gunicorn 'threadkit_server:create_app()') serves, configured by env."""
    found = re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert found is not None
    command = json.loads(found.group(1))
    assert "threadkit_server:create_app()" == command[-1]
    # Docker runs it on 0.0.0.0:8080; here on a free loopback port.
    command[command.index("--bind") + 1] = "127.0.0.1:0"
    command[0] = script(command[0])
    env = server_env(
        THREADKIT_SERVER_SITES=SITE_A,
        THREADKIT_SERVER_DB=f"sqlite:///{tmp_path / 'gunicorn.db'}",
        THREADKIT_SERVER_UPGRADE="true",
        THREADKIT_SERVER_SECRET_KEY="gunicorn test secret",
    )
    with running(command, r"Listening at: (http://127\.0\.0\.1:\d+)", env) as (_, url):
        status, kind, _ = fetch(url + "/embed.js")
        assert (200, "text/javascript; charset=utf-8") == (status, kind)
        status, _, body = fetch(url + "/api/counts?thread=post-1", SITE_A)
        assert (200, {"post-1": 0}) == (status, json.loads(body)["counts"])


class Hook(FakeHTTPServer):
    """A webhook receiver that accepts everything."""

    def handle(self, request: RecordedRequest) -> Reply:
        return Reply(204, "")


def test_the_worker_delivers_the_outbox_once(tmp_path: Path) -> None:
    """threadkit-server worker --once delivers a queued webhook and says how many it handled."""
    db = tmp_path / "worker.db"
    with Hook() as hook:
        notify = ["--webhook-url", hook.base_url + "/hook", "--webhook-secret", "hook secret"]
        client = make_app(db, *notify).test_client()
        answer = client.post(
            "/api/threads/post-1/comments",
            json={"body": "hello", "name": "Ada"},
            headers=bearer(token(client, SITE_A), SITE_A),
        )
        assert 201 == answer.status_code, answer.get_data(as_text=True)
        command = [
            script("threadkit-server"),
            "worker",
            "--once",
            "--db", f"sqlite:///{db}",
            "--secret-key", "worker secret",
            *notify,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, env=server_env(), check=False
        )
        assert 0 == done.returncode, done.stderr
        assert "handled 1 message(s)" in done.stdout
        assert ["/hook"] == [request.path for request in hook.requests]
