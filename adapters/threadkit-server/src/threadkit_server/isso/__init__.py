"""An Isso-compatible API: Isso 0.14's own ``embed.js`` runs against threadkit unchanged.

threadkit-server mounts :data:`blueprint` at ``/isso``; a page switches from
Isso by pointing ``data-isso`` at ``https://comments.example/isso``. See
``docs/isso.md`` for the routes and how identities, modes, nesting and votes
map between the two.
"""

from __future__ import annotations

from flask import Flask

from .views import blueprint

__all__ = ["URL_PREFIX", "blueprint", "install"]

URL_PREFIX = "/isso"
"""Where threadkit-server serves the Isso API."""


def install(app: Flask, url_prefix: str = URL_PREFIX) -> None:
    """Mount the Isso API on ``app`` (which must carry ``threadkit_flask.ThreadKit``)."""
    app.register_blueprint(blueprint, url_prefix=url_prefix)
