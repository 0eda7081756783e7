"""A local demo login, so the logged-in path can be tried without the internet.

It plays both halves of a redirect login: :class:`DemoLoginProvider` is the
identity provider threadkit talks to, and the two views in
:func:`register_demo_login_views` are the "login site" it redirects to. It is
enabled only in this example (and only when no real provider is configured),
never by the library.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, has_request_context, redirect, render_template, request, session
from werkzeug.wrappers import Response

from threadkit import AuthenticationRequiredError, Identity, ValidationError
from threadkit.identity import avatar_seed
from threadkit.ports import AuthorizationRequest
from threadkit.redirects import safe_next
from threadkit.signing import TokenSigner

__all__ = ["MODERATOR_KEY", "DemoLoginProvider", "register_demo_login_views"]

MODERATOR_KEY = "demo:moderator"
"""The account key of the demo moderator (what ``is_moderator`` checks)."""

_TTL = timedelta(minutes=10)


def _now() -> datetime:
    return datetime.now(UTC)


def _subject(name: str, moderator: bool) -> str:
    if moderator:
        return "moderator"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "reader"
    return f"reader-{slug}"


class DemoLoginProvider:
    """A redirect identity provider whose login page is part of the example app."""

    name = "demo"
    label = "Demo login (local)"
    kind: Literal["redirect"] = "redirect"

    def __init__(self, secret: str, login_path: str = "/demo-login") -> None:
        self._signer = TokenSigner(secret)
        self._avatar_secret = secret.encode()
        self._login_path = login_path

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        """Send the browser to the demo login page, remembering a fresh state."""
        state = secrets.token_urlsafe(24)
        # The page the reader started from (threadkit's login route got it as ?next=):
        # the login page's Cancel goes back there, not to the front page.
        back = safe_next(request.args.get("next", ""), "/") if has_request_context() else "/"
        data = {"state": state, "redirect_uri": redirect_uri, "back": back}
        ticket = self._signer.dumps("demo-begin", data, now=_now(), ttl=_TTL)
        return AuthorizationRequest(
            f"{self._login_path}?{urlencode({'ticket': ticket})}", {"state": state}
        )

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        """Check state and the signed code, then return the demo identity."""
        if "error" in params:
            raise AuthenticationRequiredError("login_cancelled", "The demo login was cancelled.")
        state = params.get("state", "")
        if not state or not secrets.compare_digest(state, saved.get("state", "")):
            raise AuthenticationRequiredError(
                "bad_state", "The login expired or was tampered with; please try again."
            )
        try:
            data = self._signer.loads("demo-code", params.get("code", ""), now=_now())
        except ValidationError:
            raise AuthenticationRequiredError(
                "bad_code", "The login could not be verified; please try again."
            ) from None
        if data.get("state") != state:
            raise AuthenticationRequiredError(
                "bad_code", "The login could not be verified; please try again."
            )
        name = str(data["name"])
        moderator = data.get("moderator") == 1
        subject = _subject(name, moderator)
        seed = avatar_seed(None, f"demo:{subject}", secret=self._avatar_secret)
        return Identity("demo", subject, name, avatar=f"identicon:{seed}", verified=True)

    # -- the "login site" half -------------------------------------------------

    def read_ticket(self, ticket: str) -> tuple[str, str]:
        """Return (state, redirect_uri) from a begin ticket, or raise ValidationError."""
        data = self._signer.loads("demo-begin", ticket, now=_now())
        return str(data["state"]), str(data["redirect_uri"])

    def page_of(self, ticket: str) -> str:
        """Return the page the reader began the login on (a same-site path), else ``/``."""
        try:
            data = self._signer.loads("demo-begin", ticket, now=_now())
        except ValidationError:
            return "/"
        return safe_next(str(data.get("back", "")), "/")

    def make_code(self, state: str, name: str, moderator: bool) -> str:
        """Return the signed code the login page hands back to the callback."""
        return self._signer.dumps(
            "demo-code",
            {"state": state, "name": name, "moderator": int(moderator)},
            now=_now(),
            ttl=_TTL,
        )


def _from_this_machine() -> bool:
    """Whether the browser is on the machine running the blog (no proxy in between).

    The demo moderator is a local-only account: an example blog left reachable
    from elsewhere must not hand moderation to anyone who ticks a box.
    """
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
    return local and "X-Forwarded-For" not in request.headers


def register_demo_login_views(app: Flask, provider: DemoLoginProvider) -> None:
    """Add the demo login page (GET shows the form, POST logs in) to ``app``."""

    def show() -> str:
        try:
            provider.read_ticket(request.args.get("ticket", ""))
        except ValidationError:
            abort(400, "This login link is invalid or has expired; start again from the post.")
        csrf = session.setdefault("demo_login_csrf", secrets.token_urlsafe(24))
        return render_template(
            "demo_login.html",
            state=request.args["ticket"],
            csrf=csrf,
            cancel=provider.page_of(request.args["ticket"]),
            offer_moderator=_from_this_machine(),
        )

    def submit() -> Response:
        expected = session.get("demo_login_csrf", "")
        if not expected or not secrets.compare_digest(expected, request.form.get("csrf", "")):
            abort(400, "The form expired; please go back and try again.")
        try:
            state, redirect_uri = provider.read_ticket(request.form.get("state", ""))
        except ValidationError:
            abort(400, "This login link is invalid or has expired; start again from the post.")
        name = " ".join(request.form.get("name", "").split())[:60] or "Demo Reader"
        moderator = request.form.get("moderator") == "1"
        if moderator and not _from_this_machine():
            abort(403, "The demo moderator can only log in from the machine running the blog.")
        code = provider.make_code(state, "Demo Moderator" if moderator else name, moderator)
        # The callback is on this site: keep only its path, so a ticket begun under a
        # forged Host header cannot send the reader (and the code) to another origin.
        callback = urlsplit(redirect_uri).path
        if safe_next(callback, "") != callback:
            abort(400, "This login link is invalid; start again from the post.")
        return redirect(f"{callback}?{urlencode({'state': state, 'code': code})}")

    app.add_url_rule("/demo-login", "demo_login", show, methods=["GET"])
    app.add_url_rule("/demo-login", "demo_login_submit", submit, methods=["POST"])
