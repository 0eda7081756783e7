"""Fixtures: the example blog on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from blog_test_support import example_env
from flask import Flask
from flask.testing import FlaskClient
from threadkit_example import create_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app({"TESTING": True}, env=example_env(tmp_path))
    yield application
    application.extensions["threadkit_example"]["store"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
