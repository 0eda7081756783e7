"""The server on PostgreSQL: --db postgresql+psycopg://... stores and reads comments."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from server_support import SECRET, SITE_A, bearer, token
from threadkit_server import create_app, load_config

# Reuse the SQL store tests' throwaway databases (skipped without the server, failed under CI).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "threadkit-sqlalchemy" / "tests"))
from sqlstore_backends import Databases, Server

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(tmp_path: Path) -> Iterator[sa.URL]:
    servers: dict[str, Server] = {}
    databases = Databases("postgresql", servers, tmp_path)
    try:
        yield databases.empty()
    finally:
        databases.cleanup()
        for each in servers.values():
            each.admin.dispose()


def test_the_server_runs_on_postgresql(database: sa.URL) -> None:
    """With --db postgresql+psycopg://... and --upgrade, a post is stored and read back."""
    url = database.render_as_string(hide_password=False)
    argv = ["--site", SITE_A, "--db", url, "--upgrade", "--secret-key", SECRET]
    app = create_app(load_config(argv, environ={}))
    client = app.test_client()
    answer = client.post(
        "/api/threads/post-1/comments",
        json={"body": "on PostgreSQL", "name": "Ada"},
        headers=bearer(token(client, SITE_A), SITE_A),
    )
    assert 201 == answer.status_code, answer.get_data(as_text=True)
    page = client.get("/api/threads/post-1", headers={"Origin": SITE_A}).get_json()
    # A public page carries no Markdown source (#12): compare the HTML.
    assert ["<p>on PostgreSQL</p>"] == [node["body_html"].strip() for node in page["comments"]]
    app.extensions["threadkit"].engine.store.engine.dispose()
