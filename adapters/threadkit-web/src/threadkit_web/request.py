"""What the shared web code needs from a request, a session and a router: three Protocols.

A web adapter wraps its framework's request in a small class that fits
:class:`WebRequest` (plain strings and bytes, no framework type leaks through),
builds URLs of threadkit's routes through :class:`Urls`, and hands both, with the
reader's identity, to the shared code as a :class:`Visit`. Route names are the
``endpoint`` names of :data:`threadkit_web.openapi.OPERATIONS` (``"api_thread"``,
``"post_comment"``, ``"static"``...), the same in every adapter.

A minimal request, as a test or a new adapter would write one:

>>> class Plain:
...     method, path, mimetype, remote_addr = "GET", "/post", "", "127.0.0.1"
...     mimetype_params: dict[str, str] = {}
...     scratch: dict[str, object] = {}
...     def arg(self, name): return {"tk_sort": "newest"}.get(name)
...     def arg_list(self, name): return []
...     def arg_items(self): return [("tk_sort", "newest")]
...     def header(self, name): return None
...     def cookie(self, name): return None
...     def body(self): return b""
>>> isinstance(Plain(), WebRequest)
True
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Protocol, overload, runtime_checkable

from threadkit.models import Actor, Identity, RequestContext

__all__ = ["Session", "Urls", "Visit", "WebRequest", "request_context"]


@runtime_checkable
class WebRequest(Protocol):
    """One HTTP request as plain values.

    ``path`` has no query string; ``mimetype`` is the media type of the body
    without parameters (``""`` if none), which are in ``mimetype_params``;
    ``scratch`` is a dict that lives as long as the request (caches, counters).
    """

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        ...

    @property
    def path(self) -> str:
        """The path, without the query string."""
        ...

    @property
    def mimetype(self) -> str:
        """The body's media type without parameters (``""`` if none)."""
        ...

    @property
    def remote_addr(self) -> str:
        """The client's address as the server sees it (``""`` if unknown)."""
        ...

    @property
    def mimetype_params(self) -> Mapping[str, str]:
        """Parameters of the Content-Type (``charset``, ``boundary``)."""
        ...

    @property
    def scratch(self) -> MutableMapping[str, Any]:
        """A per-request dict for caches and counters."""
        ...

    def arg(self, name: str) -> str | None:
        """Return the first value of query parameter ``name``, or ``None``."""
        ...

    def arg_list(self, name: str) -> list[str]:
        """Return every value of query parameter ``name``, in order."""
        ...

    def arg_items(self) -> list[tuple[str, str]]:
        """Return every ``(name, value)`` pair of the query string, in order."""
        ...

    def header(self, name: str) -> str | None:
        """Return the value of header ``name`` (case-insensitive), or ``None``."""
        ...

    def cookie(self, name: str) -> str | None:
        """Return the value of cookie ``name``, or ``None``."""
        ...

    def body(self) -> bytes:
        """Return the whole request body (the adapter has already capped its size)."""
        ...


class Urls(Protocol):
    """Builds the path of one of threadkit's routes from its name and values.

    Flask: ``url_for(f"{blueprint}.{name}", **values)``; Django:
    ``reverse(f"threadkit:{name}", kwargs=...)`` plus a query string for values
    the pattern does not take (as ``url_for`` does).
    """

    def url(self, name: str, /, **values: Any) -> str:
        """Return the URL of route ``name`` with ``values`` filled in."""
        ...


class Session(Protocol):
    """The reader's session as the shared code uses it (Flask's and Django's both fit)."""

    # Overloads, as dict's own: a single signature with a default would fit no mapping.
    @overload
    def get(self, key: str, /) -> Any: ...
    @overload
    def get(self, key: str, default: Any, /) -> Any: ...
    def get(self, key: str, default: Any = None, /) -> Any:
        """Return the value stored under ``key``, else ``default``."""
        ...

    def __setitem__(self, key: str, value: Any, /) -> None:
        """Store ``value`` under ``key``."""
        ...

    @overload
    def pop(self, key: str, /) -> Any: ...
    @overload
    def pop(self, key: str, default: Any, /) -> Any: ...
    def pop(self, key: str, default: Any = None, /) -> Any:
        """Remove ``key`` and return its value, else ``default``."""
        ...


class Visit(Protocol):
    """One request as the shared templates and handlers see it.

    The adapter decides who the reader is (its session, its login, a bearer
    token) and which language they read; the shared code only asks.
    """

    @property
    def request(self) -> WebRequest:
        """The request."""
        ...

    @property
    def urls(self) -> Urls:
        """URLs of threadkit's routes."""
        ...

    def actor(self, *, create: bool = False) -> Actor:
        """Return who acts (``create``: give an anonymous browser an id now)."""
        ...

    def logged_in(self) -> Identity | None:
        """Return the identity of a login (host or redirect), else ``None``."""
        ...

    def remembered_author(self) -> dict[str, str]:
        """Return the name / email / url this browser typed last (form defaults)."""
        ...

    def remember_author(self, fields: Mapping[str, str]) -> None:
        """Remember what an anonymous commenter typed (cleaned), for the form next time."""
        ...

    def browser_id(self, *, create: bool = False) -> str | None:
        """Return this browser's random id (an anonymous author's key), made now if asked."""
        ...

    def csrf_token(self) -> str:
        """Return the CSRF token forms of this session carry."""
        ...

    def language(self) -> str:
        """Return the reader's language, one of :data:`threadkit_web.i18n.LANGUAGES`."""
        ...

    def render(self, template: str, /, **context: Any) -> str:
        """Render one of the shared templates (``"threadkit/thread.html"``) to HTML."""
        ...


def request_context(request: WebRequest) -> RequestContext:
    """Return what ``request`` says about a submitter, for the moderation pipeline (bounded)."""
    return RequestContext(
        ip=request.remote_addr,
        user_agent=(request.header("User-Agent") or "")[:500],
        referrer=(request.header("Referer") or "")[:2000],
        language=(request.header("Accept-Language") or "")[:200],
    )
