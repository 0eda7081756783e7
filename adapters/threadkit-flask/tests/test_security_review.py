"""Security review of the Flask adapter: properties every route must keep, whatever is posted."""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tkflask_support import HoldWords, api_headers, create_app, form_token

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline
from threadkit.render import url_scheme

_ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "base", "applet"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"})
_SCRIPT_SCHEMES = frozenset({"javascript", "data", "vbscript"})
_ASSET_SCRIPT = "/comments/static/threadkit.js"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVa\tScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    '[x](http://a "javascript:alert(1)")',
    "<a href='javascript:alert(1)'>x</a>",
    '<https://a.example/"onmouseover=alert(1)>',
    "`<script>`",
    "    <script>alert(1)</script>",
    "<!--<script>-->",
    "&lt;script&gt;",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "\u2028\u2029",
    "<style>*{}</style>",
    "<base href=//evil.example>",
    "*a*",
    "\n\n",
    "\x00",
]

_text = st.lists(
    st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=12)), min_size=1, max_size=5
).map("".join)
_printable = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=12
)
_name = st.lists(st.one_of(st.sampled_from(PAYLOADS[:-4]), _printable), min_size=1, max_size=4).map(
    "".join
)
_url = st.one_of(
    st.just(""),
    st.builds(
        "{}{}".format,
        st.sampled_from(["https://a.example/", "example.org/", "http://[::1]/", "//b.example/"]),
        _name,
    ),
    _text,
)


class _ScriptFinder(HTMLParser):
    """Collect everything in an HTML document that a browser could run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if values.get("src") != _ASSET_SCRIPT or len(attrs) != 2:
                self.found.append(f"<script {attrs}>")
        elif tag in _ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in _URL_ATTRIBUTES and url_scheme(value or "") in _SCRIPT_SCHEMES:
                self.found.append(f"{tag} {name}={value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data[:40]!r}")


def active_content(html: str) -> list[str]:
    """Everything in ``html`` that could run script: script tags, handlers, script URLs."""
    finder = _ScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def _html_fields(value: Any) -> Iterator[str]:
    """Every ``body_html`` value anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "body_html" and isinstance(item, str):
                yield item
            else:
                yield from _html_fields(item)
    elif isinstance(value, list):
        for item in value:
            yield from _html_fields(item)


def _feed_html(document: bytes) -> list[str]:
    """The HTML of every entry's content in an Atom feed (the part readers render)."""
    root = ElementTree.fromstring(document)
    return [el.text or "" for el in root.iter("{http://www.w3.org/2005/Atom}content")]


def _problems_in(response: Any) -> list[str]:
    """Active content in one response, read the way its media type is read."""
    mimetype = response.mimetype
    raw = response.get_data()
    if mimetype == "text/html":
        return active_content(raw.decode("utf-8"))
    if mimetype in ("application/json", "application/problem+json"):
        return [p for html in _html_fields(json.loads(raw)) for p in active_content(html)]
    if mimetype == "application/atom+xml":
        return [p for html in _feed_html(raw) for p in active_content(html)]
    return []


def _fresh_app() -> Flask:
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([HoldWords()]))
    return create_app(engine)


_APP = _fresh_app()
_KEYS = itertools.count()


def test_the_checker_finds_script() -> None:
    """The active-content checker itself spots each way a page could run script."""
    page = (
        '<script src="/comments/static/threadkit.js" defer></script><script>x()</script>'
        '<a href=" javascript:x()">a</a><img src=x onerror=x()><iframe></iframe>'
    )
    assert 5 == len(active_content(page))
    assert [] == active_content('<script src="/comments/static/threadkit.js" defer></script>')


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(body=_text, name=_name, url=_url, via_json=st.booleans(), held=st.booleans())
def test_no_input_ever_yields_active_script(
    body: str, name: str, url: str, via_json: bool, held: bool
) -> None:
    """Any body, name and website, posted by form or JSON, never runs as script anywhere."""
    key = f"prop-{next(_KEYS)}"
    author, moderator = _APP.test_client(), _APP.test_client()
    moderator.get("/login/mod")
    text = body + (" HOLDME" if held else "")
    fields = {"body": text, "name": name, "url": url}
    if via_json:
        posted = author.post(
            f"/comments/api/threads/{key}/comments", json=fields, headers=api_headers(author)
        )
    else:
        token = form_token(author.get(f"/posts/{key}").get_data(as_text=True))
        posted = author.post(
            f"/comments/threads/{key}/comments",
            data={**fields, "csrf_token": token, "next": f"/posts/{key}"},
        )
    responses = [posted]
    routes = [
        f"/posts/{key}",
        f"/comments/fragments/threads/{key}",
        f"/comments/api/threads/{key}",
        f"/comments/feeds/threads/{key}.atom",
        "/comments/feeds/recent.atom",
        f"/comments/feeds/threads/{quote(text, safe='')}.atom",
        f"/comments/fragments/threads/{quote(name, safe='')}",
    ]
    ids = [n["id"] for n in _thread_nodes(author, key)]
    for cid in ids:
        routes += [
            f"/comments/comments/{cid}",
            f"/comments/fragments/comments/{cid}",
            f"/comments/api/comments/{cid}",
            f"/comments/comments/{cid}/edit",
            f"/comments/comments/{cid}/edit?fragment=1",
            f"/comments/comments/{cid}/delete",
        ]
    for client in (author, moderator, _APP.test_client()):
        responses += [client.get(route) for route in routes]
    responses += [
        moderator.get("/comments/moderation"),
        moderator.get("/comments/api/moderation/queue"),
    ]
    found = {r.request.path: _problems_in(r) for r in responses if _problems_in(r)}
    assert {} == found


def _thread_nodes(client: FlaskClient, key: str) -> list[dict[str, Any]]:
    """The top-level comments of a thread as ``client`` sees them (none if it does not exist)."""
    response = client.get(f"/comments/api/threads/{key}")
    if response.status_code != 200:
        return []
    nodes: list[dict[str, Any]] = response.get_json()["comments"]
    return nodes


# ---------------------------------------------------------------- every write, every read


_ONE_CLICK = {"threadkit.unsubscribe"}  # RFC 8058: the signed token is the authority
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _link(app: Flask, kind: str, comment_id: int, action: str = "approve") -> str:
    """A signed moderation or unsubscribe link, as the notification emails carry."""
    from threadkit_flask import ThreadKit

    with app.test_request_context():
        if kind == "moderate":
            return ThreadKit.moderation_link(comment_id, action, external=False)
        return ThreadKit.unsubscribe_link(comment_id, external=False)


def _url_for_rule(app: Flask, rule: Any, comment_id: int) -> str:
    """A concrete URL for ``rule`` that names a real comment, thread or token."""
    token = _link(app, "moderate", comment_id).rsplit("/", 1)[1]
    values = {"key": "post-1", "comment_id": str(comment_id), "token": token, "name": "x"}
    values.update({"rest": "nothing/here", "seed": "0" * 32, "filename": "threadkit.js"})
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def _moderator_with_comment(app: Flask) -> tuple[FlaskClient, int]:
    """A logged-in moderator and the id of a comment they wrote (every write is theirs to make)."""
    client = app.test_client()
    client.get("/login/mod")
    made = client.post(
        "/comments/api/threads/post-1/comments",
        json={"body": "Mine"},
        headers=api_headers(client),
    )
    assert 201 == made.status_code
    comment_id: int = made.get_json()["id"]
    return client, comment_id


def test_every_write_route_refuses_a_request_without_the_csrf_token(app: Flask) -> None:
    """Every state-changing route answers 403 without the session's token, and changes nothing."""
    client, comment_id = _moderator_with_comment(app)
    store = app.extensions["threadkit"].engine.store
    before = store.get_comment(comment_id)
    refused = {}
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & _WRITE_METHODS
        if not rule.endpoint.startswith("threadkit.") or rule.endpoint in _ONE_CLICK:
            continue
        if rule.endpoint == "threadkit.api_unknown" or not methods:
            continue
        url = _url_for_rule(app, rule, comment_id)
        for method in sorted(methods):
            if rule.endpoint.split(".")[1].startswith("api_"):
                response = client.open(url, method=method, json={"body": "x", "value": 1})
            else:
                form = {"body": "x", "value": "1", "decision": "delete", "next": "/"}
                response = client.open(url, method=method, data=form)
            refused[f"{method} {rule.endpoint}"] = response.status_code
    assert {name: 403 for name in refused} == refused
    assert before == store.get_comment(comment_id)
    assert len(refused) >= 13


def test_json_writes_need_json_even_with_the_csrf_header(app: Flask) -> None:
    """A JSON API write with a body sent as a form (what another site can send) is 415."""
    client, comment_id = _moderator_with_comment(app)
    headers = api_headers(client)
    writes = [
        ("POST", "/comments/api/threads/post-1/comments"),
        ("POST", f"/comments/api/comments/{comment_id}/replies"),
        ("PATCH", f"/comments/api/comments/{comment_id}"),
        ("PUT", f"/comments/api/comments/{comment_id}/vote"),
        ("POST", f"/comments/api/comments/{comment_id}/moderation"),
    ]
    statuses = {
        path: client.open(path, method=method, data={"body": "x"}, headers=headers).status_code
        for method, path in writes
    }
    assert {path: 415 for _, path in writes} == statuses


def _snapshot(app: Flask, ids: list[int]) -> list[Any]:
    """Everything a GET could wrongly change: the comments and their threads."""
    store = app.extensions["threadkit"].engine.store
    comments = [store.get_comment(i) for i in ids]
    return comments + [store.get_thread(c.thread_key) for c in comments if c is not None]


def test_no_get_route_changes_anything(app: Flask) -> None:
    """Every GET route, email links included, leaves every comment and thread as it was."""
    client, comment_id = _moderator_with_comment(app)
    stranger = app.test_client()
    held_id = stranger.post(
        "/comments/api/threads/post-1/comments",
        json={"body": "HOLDME please", "name": "S", "notify_replies": True},
        headers=api_headers(stranger),
    ).get_json()["id"]
    ids = [comment_id, held_id]
    before = _snapshot(app, ids)
    urls = [
        _link(app, "moderate", held_id, "delete"),
        _link(app, "moderate", held_id, "spam"),
        _link(app, "unsubscribe", held_id),
    ]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("threadkit.") and "GET" in (rule.methods or set()):
            urls += [_url_for_rule(app, rule, cid) for cid in ids]
    statuses = {}
    for url in urls:
        with client.get(url) as response:
            statuses[url] = response.status_code
    assert before == _snapshot(app, ids)
    assert [] == [url for url, status in statuses.items() if status >= 500]


def test_moderation_links_cannot_be_turned_to_another_action_or_comment(app: Flask) -> None:
    """A signed link acts only as signed: its own comment, its own action, its own purpose."""
    client = app.test_client()
    stranger = app.test_client()
    ids = [
        stranger.post(
            "/comments/api/threads/post-1/comments",
            json={"body": f"HOLDME {n}", "name": "S", "notify_replies": True},
            headers=api_headers(stranger),
        ).get_json()["id"]
        for n in range(2)
    ]
    spam_link = _link(app, "moderate", ids[0], "spam")
    token = form_token(client.get(spam_link).get_data(as_text=True))
    client.post(spam_link, data={"csrf_token": token, "decision": "approve", "comment_id": ids[1]})
    store = app.extensions["threadkit"].engine.store
    statuses = [store.get_comment(i).status.value for i in ids]
    unsubscribe_token = _link(app, "unsubscribe", ids[1]).rsplit("/", 1)[1]
    moderate_token = _link(app, "moderate", ids[1], "approve").rsplit("/", 1)[1]
    page = client.get("/posts/post-1").get_data(as_text=True)
    meta = re.search(r'data-tk-meta="([^"]+)"', page)
    assert meta is not None
    crossed = {
        "unsubscribe as moderate": client.get(f"/comments/moderate/{unsubscribe_token}"),
        "moderate as unsubscribe": client.post(f"/comments/unsubscribe/{moderate_token}"),
        "thread meta as moderate": client.get(f"/comments/moderate/{meta.group(1)}"),
        "moderate link with a changed action": client.get(
            f"/comments/moderate/{_retarget(moderate_token, action='delete')}"
        ),
        "moderate link for another comment": client.get(
            f"/comments/moderate/{_retarget(moderate_token, comment_id=ids[0])}"
        ),
    }
    assert ["spam", "pending"] == statuses
    assert {name: 422 for name in crossed} == {n: r.status_code for n, r in crossed.items()}
    assert store.get_comment(ids[1]).notify_replies is True


def _retarget(token: str, **changes: object) -> str:
    """``token`` with its payload rewritten (and its signature kept), as a forger would try."""
    payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["d"].update(changes)
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature


HIDDEN_READS = [
    "/posts/post-1",
    "/posts/post-1?tk_reply={id}",
    "/",
    "/comments/comments/{id}",
    "/comments/comments/{parent}",
    "/comments/comments/{id}/edit",
    "/comments/comments/{id}/delete",
    "/comments/fragments/threads/post-1",
    "/comments/fragments/comments/{id}",
    "/comments/fragments/comments/{id}/replies",
    "/comments/fragments/comments/{parent}/replies",
    "/comments/api/threads/post-1",
    "/comments/api/comments/{id}",
    "/comments/api/comments/{id}/replies",
    "/comments/api/comments/{parent}/replies",
    "/comments/api/counts?thread=post-1",
    "/comments/feeds/recent.atom",
    "/comments/feeds/threads/post-1.atom",
    "/comments/moderation",
    "/comments/moderation?status=spam",
    "/comments/api/moderation/queue",
]


@pytest.mark.parametrize("word", ["HOLDME", "SPAMME"])
@pytest.mark.parametrize("reader", ["stranger", "logged-in reader"])
def test_held_and_spam_comments_show_nowhere_to_others(app: Flask, word: str, reader: str) -> None:
    """A pending or spam reply's text, and its count, reach no other reader by any route."""
    author = app.test_client()
    headers = api_headers(author)
    parent = author.post(
        "/comments/api/threads/post-1/comments", json={"body": "Open", "name": "A"}, headers=headers
    ).get_json()["id"]
    hidden = author.post(
        f"/comments/api/comments/{parent}/replies",
        json={"body": f"{word} hush-hush", "name": "A"},
        headers=headers,
    ).get_json()
    assert word == {"pending": "HOLDME", "spam": "SPAMME"}[hidden["status"]]
    other = app.test_client()
    if reader != "stranger":
        other.get("/login/reader")
    leaks = {}
    for route in HIDDEN_READS:
        response = other.get(route.format(id=hidden["id"], parent=parent))
        text = response.get_data(as_text=True)
        if "hush-hush" in text or '"post-1": 2' in text:
            leaks[route] = response.status_code
    assert {} == leaks
    assert "hush-hush" in author.get("/posts/post-1").get_data(as_text=True)
