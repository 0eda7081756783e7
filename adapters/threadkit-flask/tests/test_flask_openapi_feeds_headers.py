from __future__ import annotations

import re
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask.openapi import UNDOCUMENTED
from tkflask_support import create_app, new_comment

from threadkit.engine import CommentEngine

ATOM = "{http://www.w3.org/2005/Atom}"


def _blueprint_operations(app: Flask) -> set[tuple[str, str, str]]:
    prefix = app.config["THREADKIT_URL_PREFIX"]
    found = set()
    for rule in app.url_map.iter_rules():
        name = rule.endpoint.removeprefix("threadkit.")
        if not rule.endpoint.startswith("threadkit.") or name in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(prefix))
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower(), rule.endpoint.removeprefix("threadkit.")))
    return found


def test_openapi_document_matches_the_routes(app: Flask, client: FlaskClient) -> None:
    """Every route is in openapi.json (same path, method, endpoint) and nothing else is."""
    doc = client.get("/comments/openapi.json").get_json()
    documented = {
        (path, method, operation["x-endpoint"])
        for path, methods in doc["paths"].items()
        for method, operation in methods.items()
    }
    assert _blueprint_operations(app) == documented
    assert "3.1.0" == doc["openapi"]
    assert [{"url": "/comments"}] == doc["servers"]


def test_openapi_operation_ids_are_unique(client: FlaskClient) -> None:
    """Each operation has its own operationId."""
    doc = client.get("/comments/openapi.json").get_json()
    ids = [op["operationId"] for methods in doc["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))


def test_openapi_schema_refs_resolve(client: FlaskClient) -> None:
    """Every $ref points at a schema the document defines."""
    doc = client.get("/comments/openapi.json")
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', doc.get_data(as_text=True)))
    assert refs <= set(doc.get_json()["components"]["schemas"])


def test_openapi_follows_a_custom_prefix(engine: CommentEngine) -> None:
    """The document's server URL is the configured prefix."""
    app = create_app(engine, config={"THREADKIT_URL_PREFIX": "/talk"})
    doc = app.test_client().get("/talk/openapi.json").get_json()
    assert [{"url": "/talk"}] == doc["servers"]
    assert _blueprint_operations(app) == {
        (p, m, o["x-endpoint"]) for p, ms in doc["paths"].items() for m, o in ms.items()
    }


def test_thread_feed_lists_comments_as_atom(client: FlaskClient) -> None:
    """The thread feed is Atom with one entry per published comment, newest first."""
    new_comment(client, body="first")
    new_comment(client, body="second <b>bold</b>")
    new_comment(client, body="HOLDME hidden")
    client.get("/posts/post-1")
    response = client.get("/comments/feeds/threads/post-1.atom")
    assert "application/atom+xml; charset=utf-8" == response.headers["Content-Type"]
    root = ElementTree.fromstring(response.data)
    contents = [(e.findtext(f"{ATOM}content") or "").strip() for e in root.findall(f"{ATOM}entry")]
    assert ["<p>second &lt;b&gt;bold&lt;/b&gt;</p>", "<p>first</p>"] == contents


def test_recent_feed_survives_control_characters(client: FlaskClient) -> None:
    """Characters XML cannot carry never break the feed."""
    new_comment(client, body="bell \x07 and vt \x0b", name="Ada")
    response = client.get("/comments/feeds/recent.atom")
    assert 200 == response.status_code
    root = ElementTree.fromstring(response.data)
    assert 1 == len(root.findall(f"{ATOM}entry"))


def test_feed_of_unknown_thread_is_404(client: FlaskClient) -> None:
    """There is no feed for a thread that does not exist."""
    assert 404 == client.get("/comments/feeds/threads/nope.atom").status_code


def test_feed_links_only_http_urls(client: FlaskClient) -> None:
    """Entry links and author uris in feeds are always http(s)."""
    new_comment(client, body="x", url="https://ada.example")
    client.get("/posts/post-1")
    text = client.get("/comments/feeds/recent.atom").get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]+)"', text) + re.findall(r"<uri>([^<]+)</uri>", text)
    assert hrefs
    assert all(h.startswith(("http://", "https://")) for h in hrefs)


def test_security_headers_on_threadkit_responses(client: FlaskClient) -> None:
    """Every threadkit response has nosniff, a CSP without unsafe-inline, and a UTF-8 charset."""
    new_comment(client)
    for path in (
        "/comments/api/threads/post-1",
        "/comments/api/me",
        "/comments/openapi.json",
        "/comments/feeds/recent.atom",
        "/comments/static/threadkit.js",
        "/comments/comments/1",
        "/comments/api/comments/999",
    ):
        response = client.get(path)
        assert "nosniff" == response.headers["X-Content-Type-Options"], path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        assert "charset=utf-8" in response.headers["Content-Type"], path
        response.close()


def test_app_security_headers_opt_in(engine: CommentEngine) -> None:
    """THREADKIT_APP_SECURITY_HEADERS adds the CSP and nosniff to host pages without a thread."""
    plain = create_app(engine).test_client().get("/")
    assert "Content-Security-Policy" not in plain.headers
    app = create_app(engine, config={"THREADKIT_APP_SECURITY_HEADERS": True})
    page = app.test_client().get("/")
    assert "nosniff" == page.headers["X-Content-Type-Options"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_cors_is_off_by_default(client: FlaskClient) -> None:
    """Without an allowlist no Access-Control-Allow-Origin is ever sent."""
    response = client.get("/comments/api/me", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_allowlist_turns_it_on_for_the_api(engine: CommentEngine) -> None:
    """Listed origins may call the JSON API (preflight included); others may not."""
    app = create_app(engine, config={"THREADKIT_CORS_ORIGINS": ["https://friend.example"]})
    client = app.test_client()
    allowed = client.get("/comments/api/me", headers={"Origin": "https://friend.example"})
    assert "https://friend.example" == allowed.headers["Access-Control-Allow-Origin"]
    preflight = client.options(
        "/comments/api/threads/post-1/comments",
        headers={"Origin": "https://friend.example", "Access-Control-Request-Method": "POST"},
    )
    assert "X-Threadkit-CSRF" in preflight.headers["Access-Control-Allow-Headers"]
    other = client.get("/comments/api/me", headers={"Origin": "https://enemy.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    page = client.get("/comments/comments/1", headers={"Origin": "https://friend.example"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_undocumented_endpoints_are_only_static_and_the_catch_all(app: Flask) -> None:
    """Nothing but static files and the API's error catch-all escapes the OpenAPI check."""
    endpoints = {r.endpoint.removeprefix("threadkit.") for r in app.url_map.iter_rules()}
    assert {"static", "api_unknown"} == UNDOCUMENTED
    assert UNDOCUMENTED <= endpoints
