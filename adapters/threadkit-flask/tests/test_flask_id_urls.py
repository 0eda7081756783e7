"""A comment's URL pasted from halves learned once gives exactly what ``url_for`` gives.

Whatever the request's shape (script root, url prefix, host, subdomain, scheme,
method), a host's ``url_defaults``, a ``url_for`` of its own or a build error
handler, and whatever the id, the answer is ``url_for``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from hypothesis import given, settings
from hypothesis import strategies as st
from threadkit_flask import ThreadKit, id_urls
from threadkit_flask.id_urls import MAX_SHAPES, id_url
from threadkit_flask.web import FlaskUrls

from threadkit.memory import MemoryStore

ENDPOINT = "threadkit.api_comment"


def make_app(prefix: str = "/comments", **flask_options: Any) -> Flask:
    app = Flask("id-urls", **flask_options)
    app.secret_key = "id-urls"
    app.config["THREADKIT_URL_PREFIX"] = prefix
    ThreadKit(app, store=MemoryStore())
    return app


def both(app: Flask, value: str, **request: Any) -> tuple[str, str]:
    """``url_for``'s URL and the pasted one, in one request of the given shape (twice: learned)."""
    with app.test_request_context(**request):
        id_url(ENDPOINT, "comment_id", value)  # the first call learns the halves
        return url_for(ENDPOINT, comment_id=value), id_url(ENDPOINT, "comment_id", value)


ids = st.integers(min_value=1, max_value=2**63 - 1).map(str)
segments = st.text(alphabet="abcz019-_.~%:@!$&'()*+,;=é ", min_size=1, max_size=12)
script_roots = st.lists(segments, max_size=3).map(lambda parts: "".join("/" + p for p in parts))


@settings(max_examples=200, deadline=None)
@given(
    value=ids,
    root=script_roots,
    prefix=st.sampled_from(["/comments", "/c/x", ""]),
    host=st.sampled_from(["localhost", "example.org", "sub.example.org", "[::1]:8080"]),
    scheme=st.sampled_from(["http", "https"]),
    method=st.sampled_from(["GET", "POST"]),
)
def test_pasted_url_is_url_fors(
    value: str, root: str, prefix: str, host: str, scheme: str, method: str
) -> None:
    """Any id under any script root, prefix, host, scheme and method: url_for's URL."""
    app = APPS[prefix]
    expected, pasted = both(app, value, base_url=f"{scheme}://{host}{root}/", method=method)
    assert expected == pasted


APPS = {prefix: make_app(prefix) for prefix in ("/comments", "/c/x", "")}


def test_subdomains_and_server_name() -> None:
    """A request on another subdomain gets url_for's absolute URL, per subdomain."""
    app = make_app(subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.org"
    for host in ("example.org", "a.example.org", "b.example.org", "a.example.org"):
        for scheme in ("http", "https"):
            expected, pasted = both(app, "51", base_url=f"{scheme}://{host}/")
            assert expected == pasted
    with app.test_request_context(base_url="https://a.example.org/"):
        assert "https://example.org/comments/api/comments/7" == id_url(ENDPOINT, "comment_id", "7")


def test_a_new_script_root_or_host_is_learned_apart() -> None:
    """The same app under two mounts and two hosts: each request gets its own URL."""
    app = make_app()
    assert "/comments/api/comments/5" == both(app, "5")[1]
    assert "/blog/comments/api/comments/5" == both(app, "5", base_url="http://localhost/blog/")[1]
    assert "/comments/api/comments/6" == both(app, "6", base_url="http://other.example/")[1]


@pytest.mark.parametrize("value", ["007", "0", "abc", "\u0663", "1/2", "", "12a", "-1"])
def test_anything_but_a_plain_id_is_url_fors(value: str) -> None:
    """Leading zeros, non-ASCII digits and non-ids are built by url_for, as ever."""
    app = make_app()
    expected, pasted = both(app, value)
    assert expected == pasted


def test_hosts_url_defaults_are_honoured() -> None:
    """A url_defaults function (here adding a query value) still shapes every URL."""
    app = make_app()

    @app.url_defaults
    def add_language(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", "de")

    expected, pasted = both(app, "51")
    assert "/comments/api/comments/51?lang=de" == pasted
    assert expected == pasted


def test_a_blueprint_scoped_url_defaults_is_honoured() -> None:
    """A url_defaults function on threadkit's blueprint name is honoured too."""
    app = make_app()
    app.url_default_functions.setdefault("threadkit", []).append(
        lambda endpoint, values: values.setdefault("v", "2")
    )
    assert "/comments/api/comments/51?v=2" == both(app, "51")[1]


def test_an_own_url_for_and_build_error_handlers_are_asked() -> None:
    """A Flask subclass's url_for is called every time; so is url_for when a handler exists."""
    calls: list[str] = []

    class Counting(Flask):
        def url_for(self, endpoint: str, *args: Any, **values: Any) -> str:
            calls.append(endpoint)
            return super().url_for(endpoint, *args, **values)

    app = Counting("id-urls")
    app.secret_key = "x"
    ThreadKit(app, store=MemoryStore())
    for _ in range(3):
        expected, pasted = both(app, "9")
        assert expected == pasted
    assert len(calls) == 3 * 3  # learning, url_for, then id_url each time: never pasted

    handled = make_app()
    handled.url_build_error_handlers.append(lambda error, endpoint, values: "/somewhere")
    assert both(handled, "9")[0] == both(handled, "9")[1]


def test_a_learned_url_is_pasted_without_url_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once learned for a request shape, building a URL asks url_for nothing."""
    app = make_app()
    with app.test_request_context():
        first = id_url(ENDPOINT, "comment_id", "1")
        built: list[str] = []
        real: Callable[..., str] = url_for

        def counting(endpoint: str, **values: Any) -> str:
            built.append(endpoint)
            return real(endpoint, **values)

        monkeypatch.setattr(id_urls, "url_for", counting)
        assert "/comments/api/comments/1" == first
        assert "/comments/api/comments/123456" == id_url(ENDPOINT, "comment_id", "123456")
        assert [] == built


def test_remembered_shapes_are_bounded() -> None:
    """Each new Host is a new shape: past MAX_SHAPES the memory starts afresh."""
    app = make_app()
    for n in range(MAX_SHAPES + 10):
        expected, pasted = both(app, "3", base_url=f"http://h{n}.example/")
        assert expected == pasted
    assert len(app.extensions["threadkit.id_urls"]) <= MAX_SHAPES


def test_flask_urls_pastes_string_ids_and_builds_the_rest() -> None:
    """The adapter's Urls: a string id is pasted, ints and other routes built by url_for."""
    app = make_app()
    urls = FlaskUrls("threadkit")
    with app.test_request_context():
        assert url_for(ENDPOINT, comment_id="42") == urls.url("api_comment", comment_id="42")
        assert url_for(ENDPOINT, comment_id=42) == urls.url("api_comment", comment_id=42)
        assert url_for("threadkit.api_me") == urls.url("api_me")
        assert url_for("threadkit.static", filename="a.js") == urls.url("static", filename="a.js")


def test_a_converter_that_reformats_ids_is_url_fors() -> None:
    """A padding or int converter (a host's route) never gets a pasted id it would reformat."""
    app = make_app()
    app.add_url_rule("/padded/<int(fixed_digits=4):n>", "padded", lambda n: "")
    app.add_url_rule("/number/<int:n>", "number", lambda n: "")
    with app.test_request_context():
        for value in ("5", "51", "12345", "5", "007"):
            assert url_for("padded", n=value) == id_url("padded", "n", value)
            assert url_for("number", n=value) == id_url("number", "n", value)
        assert "/padded/0051" == id_url("padded", "n", "51")
        assert "/number/7" == id_url("number", "n", "007")


def test_a_converter_that_refuses_a_probe_id_is_url_fors() -> None:
    """A route whose converter refuses big numbers: its real ids still build, by ``url_for``."""
    from werkzeug.routing import BaseConverter, ValidationError

    class Small(BaseConverter):
        def to_url(self, value: Any) -> str:
            if int(value) > 99999:
                raise ValidationError()
            return str(value)

    app = make_app()
    app.url_map.converters["small"] = Small
    app.add_url_rule("/small/<small:n>", "small", lambda n: "")
    with app.test_request_context():
        for value in ("5", "12345", "5"):
            assert url_for("small", n=value) == id_url("small", "n", value)
