"""Fixtures for the Flask adapter's tests: ``app`` and ``client`` from the app factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask.testing import launch_chromium
from tkflask_support import HoldWords, create_app

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline, default_pipeline


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def engine(store: MemoryStore, clock: ManualClock) -> CommentEngine:
    return CommentEngine(
        store,
        clock=clock,
        pipeline=Pipeline([HoldWords()]),
        policy=EnginePolicy(top_limit=3, total_limit=50, max_display_depth=3),
    )


@pytest.fixture
def app(engine: CommentEngine) -> Flask:
    return create_app(engine)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture
def guarded_client(store: MemoryStore, clock: ManualClock) -> FlaskClient:
    """A client of an app whose engine runs the default pipeline (flood control, duplicates)."""
    engine = CommentEngine(store, clock=clock, pipeline=default_pipeline(store))
    return create_app(engine).test_client()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module (skipped without Chromium, failed under CI)."""
    with launch_chromium() as chromium:
        yield chromium
