from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from threadkit_flask import ThreadKit, get_state
from threadkit_flask.config import DEFAULT_CSP
from tkflask_support import create_app, new_comment

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore


def test_state_lives_in_app_extensions() -> None:
    """init_app keeps its state in app.extensions["threadkit"], not on the extension."""
    ext = ThreadKit(store=MemoryStore())
    app = Flask(__name__)
    app.secret_key = "s"
    ext.init_app(app)
    assert get_state(app) is app.extensions["threadkit"]
    assert not hasattr(ext, "app")


def test_one_extension_serves_two_apps_with_their_own_engines() -> None:
    """Several apps per process: each keeps its own engine and prefix."""
    ext = ThreadKit()
    first, second = Flask("first"), Flask("second")
    for app in (first, second):
        app.secret_key = "s"
        app.config["THREADKIT_THREAD_POLICY"] = "any"  # posts to a key no page rendered
    second.config["THREADKIT_URL_PREFIX"] = "/talk"
    store_one, store_two = MemoryStore(), MemoryStore()
    ext.init_app(first, store=store_one)
    ext.init_app(second, store=store_two)
    one = first.test_client()
    two = second.test_client()
    assert (
        201
        == one.post(
            "/comments/api/threads/a/comments",
            json={"body": "hi", "name": "Ada"},
            headers={"X-Threadkit-CSRF": one.get("/comments/api/me").get_json()["csrf_token"]},
        ).status_code
    )
    assert {"a": 1} == one.get("/comments/api/counts?thread=a").get_json()["counts"]
    assert {"a": 0} == two.get("/talk/api/counts?thread=a").get_json()["counts"]
    assert 404 == two.get("/comments/api/counts?thread=a").status_code


def test_init_app_refuses_a_second_setup() -> None:
    """Setting up threadkit twice on one app is a programming error."""
    app = Flask(__name__)
    app.secret_key = "s"
    ThreadKit(app, store=MemoryStore())
    with pytest.raises(RuntimeError):
        ThreadKit(app, store=MemoryStore())


def test_init_app_needs_an_engine_or_store() -> None:
    """Without an engine or a store there is nothing to serve."""
    app = Flask(__name__)
    app.secret_key = "s"
    with pytest.raises(TypeError):
        ThreadKit(app)


def test_init_app_needs_a_secret() -> None:
    """The signed session and emailed links need a secret key."""
    with pytest.raises(RuntimeError):
        ThreadKit(Flask(__name__), store=MemoryStore())


def test_duplicate_provider_names_are_refused() -> None:
    """Two providers with one name would share account keys."""
    from threadkit.identity import AnonymousProvider

    app = Flask(__name__)
    app.secret_key = "s"
    with pytest.raises(ValueError, match="anonymous"):
        ThreadKit(app, store=MemoryStore(), providers=[AnonymousProvider(), AnonymousProvider()])


def test_config_defaults_are_filled_in(app: Flask) -> None:
    """Every THREADKIT_ key has a default visible in app.config."""
    assert "/comments" == app.config["THREADKIT_URL_PREFIX"]
    assert DEFAULT_CSP == app.config["THREADKIT_CSP"]
    assert timedelta(days=7) == get_state(app).settings.moderate_link_ttl


def test_bad_config_values_are_refused() -> None:
    """A prefix without a leading slash or a non-positive limit fails at init_app."""
    for key, value in (("THREADKIT_URL_PREFIX", "comments"), ("THREADKIT_MAX_BODY_BYTES", 0)):
        app = Flask(__name__)
        app.secret_key = "s"
        app.config[key] = value
        with pytest.raises((ValueError, TypeError)):
            ThreadKit(app, store=MemoryStore())


def test_thread_helper_renders_in_host_template(client) -> None:
    """{{ threadkit.thread(...) }} renders the comment section inside the host's page."""
    html = client.get("/posts/post-1").get_data(as_text=True)
    assert '<section class="tk-thread"' in html
    assert "Leave a Reply" in html
    assert 'name="csrf_token"' in html


def test_count_helper_counts_many_threads(client) -> None:
    """threadkit.counts() gives a post list its "N thoughts" numbers in one call."""
    new_comment(client, "post-2")
    new_comment(client, "post-2", body="again")
    html = client.get("/").get_data(as_text=True)
    assert "post-2</a>: 2 thoughts" in html
    assert "post-1</a>: 0 thoughts" in html


def test_host_can_shadow_a_template(engine: CommentEngine, tmp_path) -> None:
    """A template of the same name in the app's folder replaces threadkit's."""
    folder = tmp_path / "threadkit"
    folder.mkdir()
    (folder / "thread.html").write_text("<p>custom thread {{ key }}</p>")
    app = create_app(engine)
    app.template_folder = str(tmp_path)
    html = app.test_client().get("/posts/post-9").get_data(as_text=True)
    assert "<p>custom thread post-9</p>" in html


def test_engine_helper_returns_the_apps_engine(app: Flask, engine: CommentEngine) -> None:
    """ThreadKit.engine(app) is the engine that app was set up with."""
    assert engine is ThreadKit.engine(app)


def test_assets_are_included_once(client) -> None:
    """The script and stylesheet appear once even when the page also calls assets()."""
    html = client.get("/posts/post-1").get_data(as_text=True)
    assert 1 == html.count('src="/comments/static/threadkit.js"')
    assert 1 == html.count('href="/comments/static/threadkit.css"')


def test_thread_includes_assets_unless_told_not_to(engine: CommentEngine) -> None:
    """thread() brings its own tags; THREADKIT_INCLUDE_ASSETS=False leaves them to the host."""
    for include, expected in ((True, 1), (False, 0)):
        app = create_app(engine, config={"THREADKIT_INCLUDE_ASSETS": include})
        with app.test_request_context("/posts/x"):
            from flask import render_template_string

            html = render_template_string('{{ threadkit.thread("x") }}')
        assert expected == html.count("threadkit.js")


def test_count_helper_for_one_thread(client, app: Flask) -> None:
    """threadkit.count(key) is the number of published comments of one thread."""
    new_comment(client, "post-7")
    new_comment(client, "post-7", body="HOLDME")
    with app.test_request_context("/"):
        from flask import render_template_string

        assert "1" == render_template_string('{{ threadkit.count("post-7") }}')
