"""The OAuth 2.0 authorization-code flow shared by every provider."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Required, TypedDict

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from threadkit.errors import AuthenticationRequiredError, ValidationError
from threadkit.models import Identity
from threadkit.ports import AuthorizationRequest
from threadkit.text import clean_email, clean_name, clean_url

__all__ = ["OAuth2Options", "OAuth2Provider", "ProfileError"]

log = logging.getLogger("threadkit_social")


class ProfileError(Exception):
    """The provider answered, but not with what its API documents."""


class OAuth2Options(TypedDict, total=False):
    """The keyword arguments every provider takes (see :class:`OAuth2Provider`)."""

    client_id: Required[str]
    client_secret: Required[str]
    name: str | None
    label: str | None
    scope: str | None
    authorize_url: str | None
    token_url: str | None
    use_pkce: bool
    timeout: float


class OAuth2Provider:
    """A login with an OAuth 2.0 authorization server (authorization-code flow).

    Subclasses set the class defaults (``default_name`` and ``default_label``
    are required: the name is in the callback path, so no two logins may share
    one; ``default_scope`` and the endpoints when they are fixed) and implement
    :meth:`profile`, which turns the token into an
    :class:`~threadkit.models.Identity`. This class does the rest, the same
    way for every provider:

    * ``begin`` makes a fresh ``state`` (256 bits) and, when ``use_pkce``, a
      PKCE ``code_verifier`` whose S256 challenge goes into the URL; both are
      returned in ``saved`` for the web adapter's session, not kept here.
    * ``complete`` compares ``state`` in constant time with the saved one
      before anything else, turns ``error=access_denied`` into a clear
      :class:`AuthenticationRequiredError`, exchanges the code (with the
      verifier) and fetches the profile. The access token lives only inside
      ``complete``; it is not stored nor put in the identity.
    * Any network failure, timeout, 5xx or malformed answer becomes
      ``AuthenticationRequiredError("provider_unavailable")``; a code the
      server refuses (replayed, expired, forged) becomes ``"code_rejected"``.

    Register ``<your prefix>/auth/<name>/callback`` as the callback URL with
    the provider (see :meth:`callback_path`); the web adapter mounts one
    callback per provider, which also defends against mix-up attacks.
    """

    kind: Literal["redirect"] = "redirect"
    default_name: ClassVar[str]
    default_label: ClassVar[str]
    default_scope: ClassVar[str] = ""
    default_authorize_url: ClassVar[str] = ""
    default_token_url: ClassVar[str] = ""
    token_endpoint_auth_method: ClassVar[str] = "client_secret_basic"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        name: str | None = None,
        label: str | None = None,
        scope: str | None = None,
        authorize_url: str | None = None,
        token_url: str | None = None,
        use_pkce: bool = True,
        timeout: float = 10.0,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError(f"{type(self).__name__} needs a client_id and a client_secret")
        self.client_id = client_id
        self.client_secret = client_secret
        default_name: str = getattr(self, "default_name", "")
        default_label: str = getattr(self, "default_label", "")
        self.name = name or default_name
        self.label = label or default_label
        if not self.name or not self.label:
            raise TypeError(
                f"{type(self).__name__} needs a default_name and a default_label "
                "on the class (or name= and label= here)"
            )
        self.scope = self.default_scope if scope is None else scope
        self.authorize_url = authorize_url or self.default_authorize_url
        self.token_url = token_url or self.default_token_url
        self.use_pkce = use_pkce
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client_id={self.client_id!r})"

    def callback_path(self, prefix: str = "") -> str:
        """Return the callback path to register, e.g. ``/auth/github/callback``."""
        return f"{prefix.rstrip('/')}/auth/{self.name}/callback"

    # ------------------------------------------------------------- the flow

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        """Start a login that will come back to ``redirect_uri``."""
        saved = {"state": secrets.token_urlsafe(32)}
        if self.use_pkce:
            saved["code_verifier"] = secrets.token_urlsafe(48)
        saved.update(self.extra_saved())
        authorize_url = self.authorization_endpoint()
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(
                authorize_url,
                state=saved["state"],
                code_verifier=saved.get("code_verifier"),
                **self.extra_authorize_params(saved),
            )
        return AuthorizationRequest(str(url), saved)

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        """Finish the login from the callback's ``params`` and the ``saved`` values."""
        expected = saved.get("state") or ""
        received = params.get("state") or ""
        if not expected:
            raise AuthenticationRequiredError(
                "login_expired",
                f"Your {self.label} login expired or was started in another browser; "
                "please log in again.",
            )
        if not hmac.compare_digest(expected.encode(), received.encode()):
            raise AuthenticationRequiredError(
                "bad_state",
                f"This {self.label} login does not match the one this browser started; "
                "please log in again.",
            )
        error = params.get("error")
        if error == "access_denied":
            raise AuthenticationRequiredError(
                "access_denied",
                f"You declined to share your {self.label} account, so you are not logged in. "
                "You can log in another way or comment as a guest.",
            )
        if error:
            raise AuthenticationRequiredError(
                "provider_error",
                f"{self.label} could not log you in ({error}); please try again.",
            )
        code = params.get("code")
        if not code:
            raise AuthenticationRequiredError(
                "missing_code", f"{self.label} sent no authorization code; please log in again."
            )
        self.check_callback(params)
        try:
            with self._session(redirect_uri) as session:
                extra = {}
                if saved.get("code_verifier"):
                    extra["code_verifier"] = saved["code_verifier"]
                token = session.fetch_token(
                    self.token_endpoint(), code=code, grant_type="authorization_code", **extra
                )
                return self.profile(session, dict(token), saved)
        except OAuthError as exc:
            raise AuthenticationRequiredError(
                "code_rejected",
                f"{self.label} did not accept this login ({exc.error}); it may have expired "
                "or been used already. Please log in again.",
            ) from None
        except AuthenticationRequiredError:
            raise
        except (requests.RequestException, ValueError, ProfileError) as exc:
            log.warning("%s login failed: %s", self.name, exc)
            raise self.unavailable(exc) from exc
        except Exception as exc:  # an answer so odd that parsing it broke: still no raw error
            log.exception("%s login failed on an unexpected answer", self.name)
            raise self.unavailable(exc) from exc

    # ---------------------------------------------------------------- hooks

    def authorization_endpoint(self) -> str:
        """Return the authorization endpoint URL."""
        return self.authorize_url

    def token_endpoint(self) -> str:
        """Return the token endpoint URL."""
        return self.token_url

    def extra_saved(self) -> dict[str, str]:
        """Return more values to keep in the session for this login (OIDC: the nonce)."""
        return {}

    def extra_authorize_params(self, saved: Mapping[str, str]) -> dict[str, str]:
        """Return more query parameters for the authorization URL."""
        return {}

    def check_callback(self, params: Mapping[str, str]) -> None:
        """Check provider-specific callback parameters (OIDC: ``iss``); raise to refuse."""

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Return the identity for this token; raise :class:`ProfileError` on a bad answer."""
        raise NotImplementedError

    # -------------------------------------------------------------- helpers

    def unavailable(self, cause: BaseException) -> AuthenticationRequiredError:
        """Return the error for a provider that cannot be reached or answers nonsense."""
        return AuthenticationRequiredError(
            "provider_unavailable",
            f"{self.label} could not be reached or gave an unexpected answer; please try "
            "again in a few minutes, or log in another way.",
        )

    def get_json(self, session: OAuth2Session, url: str, **kwargs: Any) -> Any:
        """GET ``url`` with the access token and return its JSON; raise on an error status."""
        response = session.get(url, **kwargs)
        if response.status_code >= 400:
            raise ProfileError(f"{url} answered {response.status_code}")
        return response.json()

    def _session(self, redirect_uri: str) -> OAuth2Session:
        """Return a new Authlib client session (closed by the caller's ``with``)."""
        return OAuth2Session(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scope or None,
            redirect_uri=redirect_uri,
            code_challenge_method="S256" if self.use_pkce else None,
            token_endpoint_auth_method=self.token_endpoint_auth_method,
            default_timeout=self.timeout,
        )

    def make_identity(
        self,
        subject: object,
        *,
        names: tuple[object, ...],
        email: object = None,
        url: object = None,
        avatar: object = None,
    ) -> Identity:
        """Build a verified identity from profile values, cleaning each one.

        ``subject`` must be a non-empty string or integer (else
        :class:`ProfileError`). The first of ``names`` that is valid plain text
        becomes the name (cut to 100 characters), falling back to ``"<label>
        user"``. An email, website or avatar that does not pass
        :mod:`threadkit.text` (a ``javascript:`` "blog" field, say) is dropped.
        """
        if isinstance(subject, bool) or not isinstance(subject, str | int) or subject == "":
            raise ProfileError(f"{self.label} sent no usable user id")
        return Identity(
            provider=self.name,
            subject=str(subject),
            name=_first_name(names) or f"{self.label} user",
            email=_maybe(clean_email, email),
            url=_maybe(clean_url, url),
            avatar=_maybe(clean_url, avatar),
            verified=True,
        )


def _first_name(candidates: tuple[object, ...]) -> str | None:
    """Return the first candidate that cleans to a valid name, cut to 100 characters."""
    for candidate in candidates:
        if isinstance(candidate, str):
            try:
                return clean_name(candidate[:100])
            except ValidationError:
                continue
    return None


def _maybe(clean: Any, value: object) -> str | None:
    """Return ``clean(value)`` for a non-empty string, or ``None`` if absent or invalid."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        result: str = clean(value)
    except ValidationError:
        return None
    return result
