"""A local stand-in for Akismet's REST API 1.1, for tests (127.0.0.1 only).

It speaks the protocol the real service documents: ``verify-key`` answers
``valid`` / ``invalid``; ``comment-check`` answers ``true`` / ``false`` /
``invalid`` (with ``X-akismet-debug-help``), honouring the documented test
triggers (author ``akismet-guaranteed-spam`` is spam, ``user_role=administrator``
is ham) and a filled honeypot; ``submit-spam`` / ``submit-ham`` thank you.
Every request is recorded, and faults can be switched on: slowness, HTTP 500,
a garbage body, ``X-akismet-error``, ``X-akismet-pro-tip: discard`` and
``X-akismet-recheck-after``.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply

THANKS = "Thanks for making the web a better place."
GUARANTEED_SPAM = "akismet-guaranteed-spam"


@attrs.frozen
class Recorded:
    """One request the fake received."""

    method: str
    form: dict[str, str]
    headers: dict[str, str]


class FakeAkismet(FakeHTTPServer):
    """Start with ``with FakeAkismet() as fake:``; point the step at ``fake.endpoint``."""

    def __init__(self, valid_keys: tuple[str, ...] = ("test-key",)) -> None:
        super().__init__()
        self.valid_keys = valid_keys
        self.fault: str = ""  # "", "slow", "500", "garbage", "error_header"
        self.delay = 5.0
        self.discard = False
        self.recheck_after = ""
        self._release = threading.Event()

    @property
    def endpoint(self) -> str:
        """The base URL to give the step, like ``https://rest.akismet.com/1.1/``."""
        return f"{self.base_url}/1.1/"

    @property
    def calls_made(self) -> list[Recorded]:
        """Every request, as (Akismet method, form, headers), in order."""
        return [
            Recorded(r.path.removeprefix("/1.1/"), r.form, r.headers) for r in self.requests
        ]

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer one call as Akismet would (after ``delay`` when ``fault`` is "slow")."""
        status, headers, body = self.answer(request.path.removeprefix("/1.1/"), request.form)
        if self.fault == "slow":
            self._release.wait(self.delay)
        return Reply(status, body, headers)

    def answer(self, method: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """Return (status, headers, body) for one call, as Akismet would."""
        if self.fault == "500":
            return 500, {}, "Internal Server Error"
        if self.fault == "garbage":
            return 200, {}, "<html><body>Bad gateway</body></html>"
        if self.fault == "error_header":
            return 200, {"X-akismet-error": "Your site key is suspended."}, "false"
        if method == "verify-key":
            if form.get("api_key") in self.valid_keys and form.get("blog"):
                return 200, {}, "valid"
            return 200, {"X-akismet-debug-help": "We were unable to verify your key."}, "invalid"
        if method not in ("comment-check", "submit-spam", "submit-ham"):
            return 404, {}, "Not found"
        if form.get("api_key") not in self.valid_keys:
            return 200, {"X-akismet-debug-help": "Invalid API key."}, "invalid"
        if not form.get("blog") or "user_ip" not in form:
            return 200, {"X-akismet-debug-help": "Empty 'blog' or 'user_ip' value."}, "invalid"
        if method != "comment-check":
            return 200, {}, THANKS
        honeypot = form.get("honeypot_field_name", "")
        spam = (
            form.get("comment_author") == GUARANTEED_SPAM
            or (bool(honeypot) and bool(form.get(honeypot)))
        ) and form.get("user_role") != "administrator"
        headers = {"X-akismet-guid": "0123456789abcdef"}
        if spam and self.discard:
            headers["X-akismet-pro-tip"] = "discard"
        if not spam and self.recheck_after:
            headers["X-akismet-recheck-after"] = self.recheck_after
        return 200, headers, "true" if spam else "false"

    def calls(self, method: str) -> list[dict[str, str]]:
        """The forms of every request to ``method``, in order."""
        return [r.form for r in self.calls_made if r.method == method]

    def __exit__(self, *exc_info: Any) -> None:
        self._release.set()  # let a "slow" answer finish, so shutdown does not wait for it
        super().__exit__(*exc_info)
