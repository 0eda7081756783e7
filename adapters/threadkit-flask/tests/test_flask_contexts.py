"""The request's context is found without Flask's proxies, on Flask 3.1 and on 3.2."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from flask import Flask, request
from threadkit_flask._contexts import request_context


def test_the_context_is_the_requests_and_none_outside_one() -> None:
    """Inside a request its context (request, app, URL adapter); in a bare app context, None."""
    app = Flask("contexts")
    with app.app_context():
        assert request_context() is None
    with app.test_request_context("/x"):
        ctx = request_context()
        assert ctx is not None
        assert request._get_current_object() is ctx.request  # type: ignore[attr-defined]
        assert app is ctx.app
        assert ctx.url_adapter is not None


def test_the_extension_imports_where_flask_has_no_request_context_variable() -> None:
    """Flask 3.2 dropped ``flask.globals._cv_request``: threadkit_flask still imports."""
    script = textwrap.dedent(
        """
        import flask.globals

        if hasattr(flask.globals, "_cv_request"):
            del flask.globals._cv_request  # as Flask 3.2 ships it
        import threadkit_flask
        from threadkit_flask._contexts import request_context
        from threadkit_flask.web import current_request

        assert request_context() is None
        try:
            current_request()
        except RuntimeError:
            pass
        else:
            raise AssertionError("a request outside a request")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert (0, "ok") == (done.returncode, done.stdout.strip()), done.stderr
