"""A small client for Akismet's REST API 1.1 (standard library HTTP only)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import TypedDict

import attrs

from threadkit import __version__

__all__ = [
    "DEFAULT_ENDPOINT",
    "AkismetClient",
    "AkismetConfigurationError",
    "AkismetError",
    "AkismetReply",
    "AkismetUnavailableError",
    "ClientOptions",
]

DEFAULT_ENDPOINT = "https://rest.akismet.com/1.1/"
"""Where Akismet's REST API lives (the key travels as the ``api_key`` form field)."""

_MAX_BODY = 64 * 1024


class AkismetError(Exception):
    """Base of the errors this adapter raises."""


class AkismetConfigurationError(AkismetError):
    """Akismet refused the API key (or the blog URL it is registered for)."""


class AkismetUnavailableError(AkismetError):
    """Akismet could not be asked or did not answer sensibly (timeout, 5xx, garbage)."""


@attrs.frozen
class AkismetReply:
    """One HTTP answer from Akismet: status, headers (lower-cased names) and body text."""

    status: int
    headers: Mapping[str, str]
    body: str

    def header(self, name: str) -> str:
        """Return the header ``name`` (any case), or ``""`` when it is absent."""
        return self.headers.get(name.lower(), "")


class ClientOptions(TypedDict, total=False):
    """How to reach Akismet: the optional keyword arguments of :class:`AkismetClient`."""

    endpoint: str
    timeout: float
    user_agent: str


class AkismetClient:
    """Speak Akismet's protocol: ``verify-key``, ``comment-check``, ``submit-spam/ham``.

    ``blog`` is the site's front page URL the key is registered for; it is
    sent with every call. ``timeout`` (seconds) bounds each network wait.
    Every method raises :class:`AkismetUnavailableError` when Akismet cannot
    be reached or answers with anything but HTTP 200.
    """

    def __init__(
        self,
        api_key: str,
        blog: str,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = 2.0,
        user_agent: str = f"threadkit/{__version__} | threadkit-akismet/{__version__}",
    ) -> None:
        if not api_key:
            raise AkismetConfigurationError("An Akismet API key is required.")
        if not blog.startswith(("http://", "https://")):
            raise AkismetConfigurationError(
                f"The Akismet blog must be the site's full front page URL, got {blog!r}."
            )
        self.api_key = api_key
        self.blog = blog
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.timeout = timeout
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener()

    def call(self, method: str, fields: Mapping[str, str]) -> AkismetReply:
        """POST ``fields`` (plus ``api_key`` and ``blog``) to ``method``; return the reply."""
        form = {"api_key": self.api_key, "blog": self.blog, **fields}
        request = urllib.request.Request(
            self.endpoint + method,
            data=urllib.parse.urlencode(form, encoding="utf-8").encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": self.user_agent,
            },
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                headers = {k.lower(): v for k, v in response.headers.items()}
                raw = response.read(_MAX_BODY)
        except urllib.error.HTTPError as err:
            with err:
                debug = err.headers.get("X-akismet-debug-help", "") if err.headers else ""
            raise AkismetUnavailableError(
                f"Akismet {method} answered HTTP {err.code}" + (f": {debug}" if debug else "")
            ) from None
        except (OSError, http.client.HTTPException, ValueError) as err:
            reason = getattr(err, "reason", None) or err
            raise AkismetUnavailableError(
                f"Akismet {method} failed: {type(reason).__name__}: {reason}"
            ) from err
        if status != 200:
            raise AkismetUnavailableError(f"Akismet {method} answered HTTP {status}")
        return AkismetReply(status, headers, raw.decode("utf-8", errors="replace"))

    def verify_key(self) -> None:
        """Check the key and blog with ``verify-key``.

        Raises :class:`AkismetConfigurationError` when Akismet says
        ``invalid`` (with its debug help), :class:`AkismetUnavailableError`
        when it cannot say.
        """
        reply = self.call("verify-key", {})
        if reply.body == "valid":
            return
        if reply.body == "invalid":
            help_text = reply.header("X-akismet-debug-help")
            raise AkismetConfigurationError(
                f"Akismet refused the API key for {self.blog}"
                + (f": {help_text}" if help_text else ".")
                + " Check the key (akismet.com account) and the blog URL it is registered for."
            )
        raise AkismetUnavailableError(
            f"Akismet verify-key gave an unexpected answer {reply.body[:100]!r}"
        )
