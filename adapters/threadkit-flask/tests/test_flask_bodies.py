"""Request bodies: one comment limit, a request cap above it, chunked or not, and UTF-8 forms.

Chunked bodies go through real servers (werkzeug's, in a thread, and gunicorn,
in a subprocess) over a raw socket, because the test client never sends
``Transfer-Encoding: chunked``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask.blueprint import request_cap
from threadkit_flask.testing import free_port, serve
from tkflask_support import api_headers, csrf_token, session_cookie
from werkzeug.test import TestResponse

from threadkit.limits import COMMENT_MAX_BYTES, REQUEST_MAX_BYTES
from threadkit.limits import request_cap as core_cap
from threadkit.memory import MemoryStore
from threadkit.models import SortOrder, Visibility

API = "/comments/api/threads/{key}/comments"
FORM = "/comments/threads/{key}/comments"


def stored_bodies(store: MemoryStore, key: str) -> list[str]:
    """The bodies stored in thread ``key`` (none if the thread does not exist)."""
    if store.get_thread(key) is None:
        return []
    rows = store.page(
        key,
        sort=SortOrder.OLDEST,
        visibility=Visibility(moderator=True),
        top_limit=50,
        total_limit=50,
    )
    return [comment.body_source for comment in rows.comments]


@pytest.fixture
def server(app: Flask) -> Iterator[int]:
    """The app served by werkzeug on 127.0.0.1; yields the port."""
    with serve(app) as base_url:
        yield int(base_url.rsplit(":", 1)[1])


def send_chunked(port: int, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """POST ``body`` with ``Transfer-Encoding: chunked`` over a raw socket; return status, body."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head += "Connection: close\r\n\r\n"
    chunks = b"".join(
        f"{len(body[i : i + 8192]):x}\r\n".encode() + body[i : i + 8192] + b"\r\n"
        for i in range(0, len(body), 8192)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + chunks + b"0\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)  # the server drains what it did not read until EOF
        answer = b""
        while data := sock.recv(65536):
            answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def json_headers(client: FlaskClient) -> dict[str, str]:
    """Headers of a raw JSON write: content type, CSRF token and the session it belongs to."""
    return {
        "Content-Type": "application/json",
        **api_headers(client),
        "Cookie": f"session={session_cookie(client)}",
    }


def form_payload(client: FlaskClient, body: str, **extra: str) -> bytes:
    """An urlencoded comment form, CSRF token first (so a truncated body would still pass it)."""
    fields = {"csrf_token": csrf_token(client), "name": "Ada", **extra, "body": body}
    return urlencode(fields).encode()


def post_form(client: FlaskClient, key: str, body: str) -> TestResponse:
    """POST the comment form (urlencoded, see :func:`form_payload`) to thread ``key``."""
    return client.post(
        FORM.format(key=key),
        data=form_payload(client, body),
        content_type="application/x-www-form-urlencoded",
    )


# ---------------------------------------------------------------- the numbers


def test_request_cap_leaves_room_for_the_worst_escaped_comment() -> None:
    """The default cap holds a comment at the limit with every byte escaped six times over."""
    assert core_cap(COMMENT_MAX_BYTES) == REQUEST_MAX_BYTES
    assert REQUEST_MAX_BYTES > 6 * COMMENT_MAX_BYTES + 6 * (400 + 254 + 2000)


def test_request_cap_follows_the_engine_limit(app: Flask) -> None:
    """Without THREADKIT_MAX_BODY_BYTES the Flask cap is derived from the engine's limit."""
    with app.test_request_context():
        assert core_cap(COMMENT_MAX_BYTES) == request_cap()


# ---------------------------------------------------------------- chunked bodies, real server


def test_chunked_json_over_the_cap_is_413_and_stores_nothing(
    client: FlaskClient, server: int, store: MemoryStore
) -> None:
    """A chunked JSON body over the cap is 413 request_too_large, not a parsed prefix."""
    payload = json.dumps({"name": "Ada", "body": "x" * (REQUEST_MAX_BYTES + 10)}).encode()
    status, text = send_chunked(server, API.format(key="big"), json_headers(client), payload)
    assert (413, "request_too_large") == (status, json.loads(text)["code"])
    assert [] == stored_bodies(store, "big")


def test_chunked_json_at_the_comment_limit_is_stored_whole(
    client: FlaskClient, server: int, store: MemoryStore
) -> None:
    """A chunked JSON post of a comment exactly at the limit (more than 64 KiB) is stored whole."""
    body = "🙂" * 1000 + "x" * (COMMENT_MAX_BYTES - 4000)
    payload = json.dumps({"name": "Ada", "body": body}).encode()  # \ud83d\ude42: 12 bytes each
    status, text = send_chunked(server, API.format(key="whole"), json_headers(client), payload)
    assert 201 == status, text
    assert [body] == stored_bodies(store, "whole")


def test_chunked_form_over_the_cap_is_threadkits_413_page_and_stores_nothing(
    client: FlaskClient, server: int, store: MemoryStore
) -> None:
    """A chunked form over the cap gets threadkit's 413 page naming the limit; nothing is stored."""
    payload = form_payload(client, "word " * (REQUEST_MAX_BYTES // 5 + 10))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"session={session_cookie(client)}",
    }
    status, page = send_chunked(server, FORM.format(key="cut"), headers, payload)
    assert 413 == status
    assert f"{REQUEST_MAX_BYTES:,} bytes" in page
    assert f"{COMMENT_MAX_BYTES:,} bytes" in page
    assert "tk-error" in page  # threadkit's own page, not Werkzeug's
    assert [] == stored_bodies(store, "cut")


def test_chunked_form_within_the_cap_is_stored_whole(
    client: FlaskClient, server: int, store: MemoryStore
) -> None:
    """A chunked form post of 65,535 bytes (more than 64 KiB once encoded) is stored uncut."""
    body = "word " * (COMMENT_MAX_BYTES // 5)
    payload = form_payload(client, body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"session={session_cookie(client)}",
    }
    status, _ = send_chunked(server, FORM.format(key="uncut"), headers, payload)
    assert 303 == status
    assert [body.strip()] == [text.strip() for text in stored_bodies(store, "uncut")]


# ---------------------------------------------------------------- both envelopes hold the limit


def test_json_comment_at_the_limit_with_every_byte_escaped_is_accepted(
    client: FlaskClient, store: MemoryStore
) -> None:
    """A 65,535-byte comment whose JSON is six times larger (U+0001 escaped) still fits."""
    body = "Hello" + "\x01" * (COMMENT_MAX_BYTES - 5)
    payload = json.dumps({"name": "Ada", "body": body})
    assert len(payload) > 6 * (COMMENT_MAX_BYTES - 5)
    response = client.post(
        API.format(key="escaped"),
        data=payload,
        content_type="application/json",
        headers=api_headers(client),
    )
    assert 201 == response.status_code, response.get_data(as_text=True)
    assert [body] == stored_bodies(store, "escaped")


def test_form_comment_at_the_limit_with_every_byte_percent_encoded_is_accepted(
    client: FlaskClient, store: MemoryStore
) -> None:
    """A 65,535-byte comment of two-byte letters, urlencoded to three times its size, fits."""
    body = "a" + "é" * ((COMMENT_MAX_BYTES - 1) // 2)
    response = post_form(client, "encoded", body)
    assert 303 == response.status_code
    assert [body] == stored_bodies(store, "encoded")


def test_form_comment_over_the_limit_shows_the_form_again_with_the_text(
    client: FlaskClient, store: MemoryStore
) -> None:
    """One byte over the comment limit: 422, the form page, the error and the typed text."""
    body = "x" * (COMMENT_MAX_BYTES + 1)
    response = post_form(client, "long", body)
    page = response.get_data(as_text=True)
    assert 422 == response.status_code
    assert f"the limit is {COMMENT_MAX_BYTES:,} bytes" in page
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>([^<]*)</textarea>", page)
    assert textarea is not None
    assert body == textarea.group(1)
    assert [] == stored_bodies(store, "long")


def test_form_over_the_cap_with_a_length_is_threadkits_413_page(
    client: FlaskClient, store: MemoryStore
) -> None:
    """A form with a Content-Length over the cap: threadkit's styled 413 page, never Werkzeug's."""
    response = post_form(client, "huge", "x" * REQUEST_MAX_BYTES)
    page = response.get_data(as_text=True)
    assert (413, "text/html") == (response.status_code, response.mimetype)
    assert f"{REQUEST_MAX_BYTES:,} bytes" in page
    assert "Back button" in page
    assert "Request Entity Too Large" not in page
    assert [] == stored_bodies(store, "huge")


def test_form_over_werkzeugs_part_limit_is_threadkits_413_page(client: FlaskClient) -> None:
    """A multipart form with more parts than Werkzeug reads gets threadkit's 413 page."""
    fields = {"csrf_token": csrf_token(client), "name": "Ada", "body": "hi"}
    fields |= {f"extra{i}": "x" for i in range(1_500)}
    response = client.post(
        FORM.format(key="parts"), data=fields, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert (413, "text/html") == (response.status_code, response.mimetype)
    assert "more fields than a comment form has" in page
    assert "Back button" in page


def test_json_over_the_cap_with_a_length_is_413_request_too_large(client: FlaskClient) -> None:
    """A JSON body with a Content-Length over the cap is problem+json 413 request_too_large."""
    response = client.post(
        API.format(key="huge"),
        data=json.dumps({"name": "Ada", "body": "x" * REQUEST_MAX_BYTES}),
        content_type="application/json",
        headers=api_headers(client),
    )
    problem = response.get_json()
    assert (413, "request_too_large") == (response.status_code, problem["code"])
    assert f"{REQUEST_MAX_BYTES:,}" in problem["detail"]


# ---------------------------------------------------------------- UTF-8


@pytest.mark.parametrize(
    "raw_body",
    [b"a%C0%80b", b"caf%E9", b"a%FFb", b"caf\xe9"],
    ids=["overlong-nul", "latin-1", "ff-byte", "raw-latin-1"],
)
def test_urlencoded_form_with_invalid_utf8_is_refused(
    client: FlaskClient, store: MemoryStore, raw_body: bytes
) -> None:
    """Invalid UTF-8 in an urlencoded form is 400 invalid_utf8, never stored as %C0%80."""
    token = quote(csrf_token(client))
    data = f"csrf_token={token}&name=Ada&body=".encode() + raw_body
    response = client.post(
        FORM.format(key="bytes"), data=data, content_type="application/x-www-form-urlencoded"
    )
    assert 400 == response.status_code
    assert "body&#34; is not valid UTF-8" in response.get_data(as_text=True)
    assert [] == stored_bodies(store, "bytes")


def test_multipart_form_with_invalid_utf8_is_refused(
    client: FlaskClient, store: MemoryStore
) -> None:
    """Invalid UTF-8 in a multipart form field is 400 too, not stored with U+FFFD in it."""
    parts = [("csrf_token", csrf_token(client).encode()), ("name", b"Ada"), ("body", b"a\xc0\x80b")]
    data = (
        b"".join(
            b'--XyZ\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts
        )
        + b"--XyZ--\r\n"
    )
    response = client.post(
        FORM.format(key="multi"), data=data, content_type="multipart/form-data; boundary=XyZ"
    )
    assert 400 == response.status_code
    assert [] == stored_bodies(store, "multi")


def test_valid_utf8_form_fields_pass(client: FlaskClient, store: MemoryStore) -> None:
    """Percent-encoded UTF-8 (and a literal %C0%80 typed by someone) is stored as sent."""
    body = "Zoë 🙂 typed %C0%80 on purpose"
    response = post_form(client, "fine", body)
    assert 303 == response.status_code
    assert [body] == stored_bodies(store, "fine")


# ---------------------------------------------------------------- gunicorn


@pytest.fixture(scope="module")
def gunicorn_port() -> Iterator[int]:
    """tests/gunicorn_app.py served by gunicorn (one worker) on 127.0.0.1; yields the port."""
    executable = Path(sys.executable).with_name("gunicorn")
    if not executable.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("gunicorn is missing; CI installs it from requirements-dev.txt")
        pytest.skip("gunicorn is not installed (pip install -r requirements-dev.txt)")
    tests = Path(__file__).parent
    port = free_port()
    command = [str(executable), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--pythonpath", str(tests), "--chdir", str(tests), "gunicorn_app:app"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _gunicorn_session(port: int) -> dict[str, str]:
    """Headers of a JSON write to the gunicorn app: its session cookie and CSRF token."""
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/comments/api/me")
        response = connection.getresponse()
        token = json.loads(response.read())["csrf_token"]
        cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    finally:
        connection.close()
    return {"Content-Type": "application/json", "X-Threadkit-CSRF": token, "Cookie": cookie}


def _gunicorn_bodies(port: int, key: str) -> list[str]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/comments/api/threads/{key}")
        response = connection.getresponse()
        page = json.loads(response.read())
    finally:
        connection.close()
    if response.status == 404:
        return []
    # A public page carries no Markdown source (#12): read the text of the HTML.
    return [re.sub(r"<[^>]+>", "", c["body_html"]).strip() for c in page["comments"]]


def test_gunicorn_chunked_json_over_the_cap_is_413_and_stores_nothing(gunicorn_port: int) -> None:
    """Through gunicorn too, a chunked body over the cap is 413 and nothing is stored."""
    payload = json.dumps({"name": "Ada", "body": "x" * (REQUEST_MAX_BYTES + 10)}).encode()
    headers = _gunicorn_session(gunicorn_port)
    status, text = send_chunked(gunicorn_port, API.format(key="g-big"), headers, payload)
    assert (413, "request_too_large") == (status, json.loads(text)["code"])
    assert [] == _gunicorn_bodies(gunicorn_port, "g-big")


def test_gunicorn_chunked_json_at_the_comment_limit_is_stored_whole(gunicorn_port: int) -> None:
    """Through gunicorn, a chunked post of a comment exactly at the limit is stored whole."""
    body = "🙂" * 1000 + "x" * (COMMENT_MAX_BYTES - 4000)
    payload = json.dumps({"name": "Ada", "body": body}).encode()
    headers = _gunicorn_session(gunicorn_port)
    status, text = send_chunked(gunicorn_port, API.format(key="g-whole"), headers, payload)
    assert 201 == status, text
    assert [body] == _gunicorn_bodies(gunicorn_port, "g-whole")
