"""The blog's database timeout setting reaches the comment store."""

from __future__ import annotations

from pathlib import Path

from blog_test_support import example_env
from threadkit_example import create_app


def test_the_database_timeout_setting_reaches_the_store(tmp_path: Path) -> None:
    """THREADKIT_EXAMPLE_DATABASE_TIMEOUT=3 gives the store a 3 s timeout (default 10 s)."""
    env = example_env(tmp_path, THREADKIT_EXAMPLE_DATABASE_TIMEOUT="3")
    app = create_app({"TESTING": True}, env=env)
    store = app.extensions["threadkit_example"]["store"]
    store.close()
    default = create_app({"TESTING": True}, env=example_env(tmp_path / "default"))
    default_store = default.extensions["threadkit_example"]["store"]
    default_store.close()
    assert (3.0, 10.0) == (store.timeout, default_store.timeout)
