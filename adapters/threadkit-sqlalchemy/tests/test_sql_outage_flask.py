"""The database goes away under a Flask app: 503 within the store's timeout, then recovery.

The Flask adapter over the SQL store on PostgreSQL and MariaDB, reached through
:class:`netproxy.TcpProxy`. The JSON API answers ``application/problem+json``
503 with ``Retry-After`` and a detail free of host, port and driver text (that
goes to the log); the HTML routes answer a 503 page, and a host page still
renders; nothing hangs; the next request after the outage succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from netproxy import TcpProxy
from test_sql_outage import DRIVER_WORDS, store_through, timed
from werkzeug.test import TestResponse

from threadkit.engine import CommentEngine
from threadkit.testing.capabilities import NETWORK_SERVER

threadkit_flask = pytest.importorskip("threadkit_flask", reason="needs the Flask adapter")

pytestmark = pytest.mark.capability(NETWORK_SERVER)

HOST_PAGE = "<main>post</main>{{ threadkit.thread(slug, title='A post', url='/posts/' + slug) }}"


@pytest.fixture
def client(
    shared_url: sa.URL, proxy: TcpProxy, shared_engine: sa.Engine
) -> Iterator[FlaskClient]:
    """A Flask app whose store (timeout 2 s) reaches the emptied database through ``proxy``."""
    store = store_through(proxy, shared_url, shared_engine, "post-1")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="outage tests",
        TESTING=True,
        THREADKIT_THREAD_POLICY="any",
        THREADKIT_BASE_URL="http://localhost",
        THREADKIT_ALLOW_EMPTY_PIPELINE=True,
    )
    threadkit_flask.ThreadKit(app, engine=CommentEngine(store))

    @app.get("/posts/<slug>")
    def post_page(slug: str) -> str:
        return render_template_string(HOST_PAGE, slug=slug)

    # No `with`: requests run in a watchdog thread (see timed), outside any kept context.
    yield app.test_client()
    store.close()


@pytest.fixture(params=["blackhole", "refuse"])
def cut(request: pytest.FixtureRequest, client: FlaskClient, proxy: TcpProxy) -> str:
    """Cut the database once the app is up: bytes vanish (blackhole) or connections reset."""
    how: str = request.param
    getattr(proxy, how)()
    return how


def get_in_time(client: FlaskClient, path: str) -> TestResponse:
    """GET ``path`` in a watchdog thread; fail if it outlasts the bound or raises."""
    answers: list[TestResponse] = []
    _, error = timed(lambda: answers.append(client.get(path)))
    assert error is None
    return answers[0]


def _driver_words(text: str) -> list[str]:
    return [word for word in DRIVER_WORDS if word in text.lower()]


def test_the_json_api_answers_503_problem_within_the_timeout(
    client: FlaskClient, proxy: TcpProxy, cut: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A cut database: 503 problem+json, Retry-After, no driver text; the log has the cause."""
    with caplog.at_level(logging.WARNING, logger="threadkit_sqlalchemy"):
        response = get_in_time(client, "/comments/api/threads/post-1")
    problem = response.get_json()
    detail_words = _driver_words(problem["detail"])
    actual = (response.status_code, response.mimetype, problem["code"], detail_words)
    assert (503, "application/problem+json", "storage_unavailable", []) == actual
    assert int(response.headers["Retry-After"]) > 0
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "comment database unavailable" in logged
    assert "OperationalError: " in logged  # the driver's own error, kept server-side


def test_html_routes_answer_a_503_page_and_a_host_page_still_renders(
    client: FlaskClient, proxy: TcpProxy, cut: str
) -> None:
    """A comment's own page is a 503 page; a host page shows its notice instead of comments."""
    own = get_in_time(client, "/comments/comments/1")
    host = get_in_time(client, "/posts/post-1")
    assert (503, "text/html") == (own.status_code, own.mimetype)
    assert [] == _driver_words(own.get_data(as_text=True))
    assert 200 == host.status_code
    assert "Comments cannot be loaded right now" in host.get_data(as_text=True)


def test_the_app_recovers_by_itself_when_the_database_returns(
    client: FlaskClient, proxy: TcpProxy, cut: str
) -> None:
    """The first request after the outage succeeds, with nothing restarted."""
    failed = get_in_time(client, "/comments/api/threads/post-1")
    proxy.pass_through()
    response = client.get("/comments/api/threads/post-1")
    assert ([503], 200) == ([failed.status_code], response.status_code)
