"""threadkit-server: a standalone comment server for any site, static or not.

``threadkit-server --site https://blog.example --dev --upgrade`` runs it;
``create_app()`` builds the same app for a WSGI server (``gunicorn
'threadkit_server:create_app()'``), reading the configuration from the
environment (``THREADKIT_SERVER_*``) and the file named by
``THREADKIT_SERVER_CONFIG``. See ``docs/server.md``.

>>> app = create_app(load_config(
...     ["--site", "https://blog.example", "--dev", "--db", "sqlite://", "--upgrade"]))
>>> app.test_client().get("/embed.js").headers["Content-Type"]
'text/javascript; charset=utf-8'
"""

from __future__ import annotations

from flask import Flask

# Lockstep with the core: one version for every threadkit distribution.
from threadkit import __version__ as __version__

from ._app import build_worker, create_app_from
from ._heap import settle_heap
from .config import OPTIONS, ConfigError, ServerConfig, Site, load_config

__all__ = [
    "OPTIONS",
    "ConfigError",
    "ServerConfig",
    "Site",
    "build_worker",
    "create_app",
    "load_config",
]


def create_app(config: ServerConfig | None = None) -> Flask:
    """Build the server's Flask app; without ``config``, from the environment and its file.

    Without ``config`` this is a WSGI server's factory (``gunicorn
    'threadkit_server:create_app()'``), called once in the process that serves:
    it then also freezes the start-up heap (``settle_heap``), so a full GC pass
    during a request walks only what requests made (a worker's start-up heap
    alone took 15-30 ms to walk). With a ``config`` (tests, hosts that build
    several apps) the collector is left as it is.
    """
    if config is not None:
        return create_app_from(config)
    app = create_app_from(load_config([]))
    settle_heap()
    return app
