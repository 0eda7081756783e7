"""A framework-free adapter for tests: a plain request, URLs, a session and a visit.

It is what a new adapter writes over its own framework, and proves the shared
layer needs nothing more: the tests render the shared templates with it and no
web framework loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import attrs
import jinja2
from threadkit_web import jinja, posting
from threadkit_web.openapi import OPERATIONS
from threadkit_web.state import WebState

from threadkit.models import Actor, Identity

ALICE = Identity("github", "1", "Alice", verified=True)
"""A verified login; the tests' state makes her a moderator."""


@attrs.define
class PlainRequest:
    """A request made of plain values."""

    path: str = "/posts/hello"
    query: str = ""
    method: str = "GET"
    mimetype: str = ""
    mimetype_params: Mapping[str, str] = attrs.field(factory=dict)
    remote_addr: str = "127.0.0.1"
    headers: Mapping[str, str] = attrs.field(factory=dict)
    cookies: Mapping[str, str] = attrs.field(factory=dict)
    data: bytes = b""
    scratch: MutableMapping[str, Any] = attrs.field(factory=dict)

    def arg(self, name: str) -> str | None:
        return next((v for k, v in self.arg_items() if k == name), None)

    def arg_list(self, name: str) -> list[str]:
        return [v for k, v in self.arg_items() if k == name]

    def arg_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())

    def cookie(self, name: str) -> str | None:
        return self.cookies.get(name)

    def body(self) -> bytes:
        return self.data


_PATHS = {op.endpoint: op.path for op in OPERATIONS} | {
    "static": "/static/{filename}",
    "avatar": "/avatars/{seed}.svg",
}


class PlainUrls:
    """Paths from the shared route table, under ``/comments``; other values go in the query."""

    def url(self, name: str, /, **values: Any) -> str:
        path = "/comments" + _PATHS[name]
        rest = {}
        for key, value in values.items():
            if "{" + key + "}" in path:
                path = path.replace("{" + key + "}", str(value))
            elif value is not None:
                rest[key] = value
        return path + ("?" + urlencode(rest) if rest else "")


@attrs.define
class PlainVisit:
    """One reader's visit, rendered with :func:`threadkit_web.jinja.environment`."""

    state: WebState
    request: PlainRequest = attrs.field(factory=PlainRequest)
    urls: PlainUrls = attrs.field(factory=PlainUrls)
    identity: Identity | None = None
    lang: str = "en"
    env: jinja2.Environment | None = None

    def actor(self, *, create: bool = False) -> Actor:
        anonymous = posting.anonymous_identity(self.state, self, create=create)
        who = self.identity or anonymous
        return Actor(who, moderator=self.state.is_moderator(self.identity))

    def logged_in(self) -> Identity | None:
        return self.identity

    browser: str | None = None
    author: dict[str, str] = attrs.field(factory=dict)

    def remembered_author(self) -> dict[str, str]:
        return dict(self.author)

    def remember_author(self, fields: Mapping[str, str]) -> None:
        self.author = {key: value for key, value in fields.items() if value}

    def browser_id(self, *, create: bool = False) -> str | None:
        if self.browser is None and create:
            self.browser = "browser-1"
        return self.browser

    def csrf_token(self) -> str:
        return "csrf-123"

    def language(self) -> str:
        return self.lang

    def render(self, template: str, /, **context: Any) -> str:
        if self.env is None:
            self.env = jinja.environment(self.language)
        return self.env.get_template(template).render(**context)
