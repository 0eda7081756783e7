"""What every web adapter's JSON API tests send and expect, written once.

The Flask and Django adapters (and the server) answer the same JSON API, so a
behaviour both must have is one function here that sends the requests and
asserts the answers; each adapter's test only wraps its framework's test
client in a :data:`Send` (a few lines) and checks what is its own (cookies,
CORS headers). No framework is imported here.

>>> def send(sent):
...     assert ("POST", "/comments/api/session") == (sent.method, sent.path)
...     return Answer(200, {"token": "t1", "me": {"logged_in": False}}, None)
>>> new_token(send, "/comments/api", "https://a.example")
't1'
>>> bearer("t1", "https://a.example")
{'Authorization': 'Bearer t1', 'Origin': 'https://a.example'}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

__all__ = [
    "Answer",
    "Request",
    "Send",
    "anonymous_session",
    "bearer",
    "check_empty_comment_problem",
    "new_token",
]


class Answer(NamedTuple):
    """A response as the steps read it: status, decoded JSON body, and the framework's own."""

    status: int
    json: Any
    raw: Any


class Request(NamedTuple):
    """A request the steps send: ``body`` (``None``: none) goes as JSON."""

    method: str
    path: str
    body: Mapping[str, Any] | None
    headers: Mapping[str, str]

    def data(self) -> str:
        """Return the body encoded as JSON (``""`` for none)."""
        return "" if self.body is None else json.dumps(dict(self.body))


Send = Callable[[Request], Answer]
"""Sends one :class:`Request` through an adapter's test client and returns the answer."""


def bearer(token: str, origin: str) -> dict[str, str]:
    """Return the headers of a page on ``origin`` calling the API with a bearer ``token``."""
    return {"Authorization": f"Bearer {token}", "Origin": origin}


def new_token(send: Send, api: str, origin: str) -> str:
    """Ask for an anonymous token as a page on ``origin`` (``POST {api}/session``)."""
    answer = send(Request("POST", f"{api}/session", None, {"Origin": origin}))
    assert 200 == answer.status, answer.json
    token: str = answer.json["token"]
    return token


def anonymous_session(send: Send, api: str, origin: str) -> tuple[Answer, Answer]:
    """Ask for a token from an allowed origin, then ``GET {api}/me`` with it; return both answers.

    The session answers a token and an anonymous reader with no CSRF token
    (a bearer needs none); ``/me`` with that token is the same anonymous
    reader. The caller checks its framework's headers (no cookie, CORS).
    """
    answer = send(Request("POST", f"{api}/session", None, {"Origin": origin}))
    me = answer.json["me"]
    assert (200, None, False, "") == (
        answer.status,
        me["identity"],
        me["logged_in"],
        me["csrf_token"],
    )
    seen = send(Request("GET", f"{api}/me", None, bearer(answer.json["token"], origin)))
    assert (200, False) == (seen.status, seen.json["logged_in"])
    return answer, seen


def check_empty_comment_problem(
    send: Send, api: str, thread: str, headers: Mapping[str, str], expected: str
) -> None:
    """POST a blank comment, then a blank preview, as JSON: each a 422 ``empty_body``, ``expected``.

    ``headers`` carry the reader's CSRF token and ``Accept-Language``;
    ``expected`` is the ``empty_body`` message in that language.
    """
    details = []
    for path in (f"{api}/threads/{thread}/comments", f"{api}/preview"):
        answer = send(Request("POST", path, {"body": " ", "name": "Ada"}, headers))
        details.append((answer.status, answer.json["code"], answer.json["detail"]))
    assert [(422, "empty_body", expected)] * 2 == details
