"""The local admin login (``--admin-password``) and the way to the moderation queue.

``GET /admin/login`` shows a password form; a right password (CSRF-protected
post) logs this browser in as the ``admin`` identity, which moderates every
site, and goes to the Flask adapter's moderation queue (``<prefix>/moderation``:
pending and spam comments across all sites, with approve / spam / delete).
``POST /admin/logout`` forgets it. Nothing here is reachable from the embed: it
is first-party, on the comment server's own origin, with its own cookie.
"""

from __future__ import annotations

import hmac

from flask import Flask, redirect, render_template, request, session, url_for
from threadkit_flask import csrf
from werkzeug.wrappers import Response

from threadkit.errors import ThreadkitError
from threadkit.identity import CallableSessionProvider
from threadkit.models import Identity

from .config import ServerConfig

__all__ = ["SESSION_KEY", "install", "provider"]

SESSION_KEY = "threadkit_server_admin"
"""Session key set while the admin is logged in."""

ADMIN = Identity("admin", "admin", "Administrator", verified=True)
"""Who the admin login comments and moderates as."""


def _current(req: object) -> Identity | None:
    return ADMIN if session.get(SESSION_KEY) is True else None


def provider() -> CallableSessionProvider:
    """Return the session identity provider behind the admin login."""
    return CallableSessionProvider("admin", _current)


def _queue_url() -> str:
    return url_for("threadkit.queue")


def _next_url() -> str | None:
    """Return the admin page the login was asked for (``next=/admin/...``), never off-site."""
    wanted = request.form.get("next", "")
    return wanted if wanted.startswith("/admin/") and "//" not in wanted else None


def install(app: Flask, config: ServerConfig) -> None:
    """Add ``/``, ``/admin/login`` and ``/admin/logout``."""

    def index() -> str:
        return render_template("threadkit_server/index.html", config=config)

    def login() -> Response | tuple[str, int] | str:
        if not config.admin_password:
            return render_template("threadkit_server/login.html", disabled=True), 404
        if request.method == "GET":
            return render_template("threadkit_server/login.html", token=csrf.token())
        csrf.check_form()
        given = request.form.get("password", "").encode("utf-8")
        if not hmac.compare_digest(given, config.admin_password.encode("utf-8")):
            page = render_template(
                "threadkit_server/login.html", token=csrf.token(), wrong=True
            )
            return page, 403
        session.clear()  # a new login: no value from before it survives
        session[SESSION_KEY] = True
        return redirect(_next_url() or _queue_url(), code=303)

    def logout() -> Response:
        csrf.check_form()
        session.clear()
        return redirect(url_for("admin_login"), code=303)

    def error_page(error: ThreadkitError) -> tuple[str, int]:
        page = render_template("threadkit_server/error.html", message=error.message)
        return page, error.http_status

    # The blueprint's own handler answers its routes; this one answers the server's pages.
    app.register_error_handler(ThreadkitError, error_page)
    app.add_url_rule("/", "index", index, methods=["GET"])
    app.add_url_rule("/admin/login", "admin_login", login, methods=["GET", "POST"])
    app.add_url_rule("/admin/logout", "admin_logout", logout, methods=["POST"])
