"""The tests' host app as a module gunicorn can load (``gunicorn_app:app``).

Used by ``test_flask_bodies.py`` to send chunked bodies through gunicorn, a
production server, besides werkzeug's. One worker, so one in-memory store.
"""

from __future__ import annotations

from tkflask_support import HoldWords, create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline

app = create_app(CommentEngine(MemoryStore(), pipeline=Pipeline([HoldWords()])))
