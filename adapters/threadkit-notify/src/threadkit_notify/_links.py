"""Signed one-click links (moderation, unsubscribe) that emails carry."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from threadkit.clock import SystemClock
from threadkit.ports import Clock
from threadkit.signing import TokenSigner
from threadkit.subscriptions import PENDING_WINDOW

__all__ = ["Links"]


class Links:
    """Build the signed URLs the web adapter answers.

    ``base_url`` is where the threadkit web routes live, e.g.
    ``https://blog.example/comments`` for the Flask blueprint mounted at
    ``/comments``; links are ``{base_url}/moderate/{token}`` and
    ``{base_url}/unsubscribe/{token}``. ``signer`` must use the same secret
    as the web adapter. Tokens use the purposes ``"moderate"`` (data
    ``{"comment_id", "action"}``), ``"unsubscribe"`` (``{"comment_id"}``
    for reply emails, ``{"subscription_id"}`` for a thread subscription) and
    ``"subscribe"`` (``{"subscription_id"}``: confirm a pending subscription,
    at ``{base_url}/subscribe/{token}``, for ``PENDING_WINDOW``).
    """

    def __init__(
        self,
        signer: TokenSigner,
        base_url: str,
        *,
        clock: Clock | None = None,
        moderate_ttl: timedelta = timedelta(days=7),
        unsubscribe_ttl: timedelta = timedelta(days=365),
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.moderate_ttl = moderate_ttl
        self.unsubscribe_ttl = unsubscribe_ttl

    def _link(self, purpose: str, data: dict[str, str | int], ttl: timedelta) -> str:
        """Return ``{base_url}/{purpose}/{token}``: the route is named like the token's purpose."""
        token = self.signer.dumps(purpose, data, now=self.clock.now(), ttl=ttl)
        return f"{self.base_url}/{purpose}/{token}"

    def moderate(self, comment_id: int, action: Literal["approve", "spam"]) -> str:
        """Return a one-click link that applies ``action`` to ``comment_id``."""
        data: dict[str, str | int] = {"comment_id": comment_id, "action": action}
        return self._link("moderate", data, self.moderate_ttl)

    def unsubscribe(self, comment_id: int) -> str:
        """Return a link that stops reply emails about ``comment_id``."""
        return self._link("unsubscribe", {"comment_id": comment_id}, self.unsubscribe_ttl)

    def unsubscribe_thread(self, subscription_id: int) -> str:
        """Return a link that ends one thread subscription (its address, its thread)."""
        return self._link("unsubscribe", {"subscription_id": subscription_id}, self.unsubscribe_ttl)

    def confirm_thread(self, subscription_id: int) -> str:
        """Return the link that confirms a pending thread subscription (double opt-in)."""
        return self._link("subscribe", {"subscription_id": subscription_id}, PENDING_WINDOW)
