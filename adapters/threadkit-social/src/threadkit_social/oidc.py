"""OpenID Connect logins: any issuer from its discovery URL, and Google."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from threadkit.errors import AuthenticationRequiredError
from threadkit.models import Identity
from threadkit_social._base import OAuth2Options, OAuth2Provider, ProfileError

__all__ = ["GoogleProvider", "OIDCProvider"]

_WELL_KNOWN = "/.well-known/openid-configuration"
_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


class OIDCProvider(OAuth2Provider):
    """Log in with any OpenID Connect provider, configured from its discovery URL alone.

    ``discovery_url`` is the issuer's ``/.well-known/openid-configuration``;
    the document must name the same issuer (the URL without that suffix, with
    or without a trailing ``/``; or exactly ``issuer`` if given) and its
    endpoints must be HTTPS (or loopback, for tests). It is fetched on the
    first login and kept; the signing keys (``jwks_uri``) are fetched when
    needed and fetched again when a token is signed with a key not seen before
    (key rotation). Any endpoint can be
    overridden (``authorize_url``, ``token_url``, ``userinfo_url``,
    ``jwks_url``).

    The ID token is validated fully before anything is believed: signature
    against the issuer's keys with an asymmetric algorithm from
    ``algorithms`` (never ``none``, never an HMAC keyed with the client
    secret), ``iss``, ``aud`` (and ``azp`` when there are several audiences),
    ``exp`` and ``iat`` (with ``leeway`` seconds for clock skew), the
    ``nonce`` saved at ``begin``, ``sub``, and ``at_hash`` when present. An
    ``iss`` parameter in the callback (RFC 9207) must match too.

    The identity's ``subject`` is ``"<issuer>#<sub>"``: the issuer-qualified
    subject, the only stable account key OpenID Connect promises (an issuer
    URL has no fragment, so ``#`` separates them unambiguously). The email is
    kept only when ``email_verified`` is true; it is never the key.

    Callback URL to register: ``<prefix>/auth/<name>/callback``.
    """

    default_name: ClassVar[str] = "oidc"
    default_label: ClassVar[str] = "OpenID Connect"
    default_scope: ClassVar[str] = "openid email profile"
    default_discovery_url: ClassVar[str] = ""
    algorithms: ClassVar[tuple[str, ...]] = (
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    )  # fmt: skip

    def __init__(
        self,
        *,
        discovery_url: str | None = None,
        issuer: str | None = None,
        userinfo_url: str | None = None,
        jwks_url: str | None = None,
        leeway: int = 60,
        **options: Unpack[OAuth2Options],
    ) -> None:
        super().__init__(**options)
        self.discovery_url = discovery_url or self.default_discovery_url
        if not self.discovery_url:
            raise ValueError("OIDCProvider needs the issuer's discovery_url")
        self.expected_issuer = issuer or self.discovery_url.removesuffix(_WELL_KNOWN)
        self._issuer_given = issuer is not None
        self.userinfo_url = userinfo_url
        self.jwks_url = jwks_url
        self.leeway = leeway
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ metadata

    @property
    def issuer(self) -> str:
        """The issuer identifier this provider trusts."""
        return self.expected_issuer

    def accepted_issuers(self) -> tuple[str, ...]:
        """Return the ``iss`` values accepted in ID tokens (Google has two spellings)."""
        return (self.expected_issuer,)

    def metadata(self) -> dict[str, Any]:
        """Return the discovery document, fetching and checking it on first use.

        The fetch runs outside the lock: a hung issuer must not make every
        other login (or page) wait behind it.
        """
        with self._lock:
            if self._metadata is not None:
                return self._metadata
        document = self._fetch_metadata()
        with self._lock:
            if self._metadata is None:
                self._metadata = document
            return self._metadata

    def _fetch_metadata(self) -> dict[str, Any]:
        """Fetch the discovery document and check it names our issuer over HTTPS."""
        try:
            response = requests.get(self.discovery_url, timeout=self.timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise self.unavailable(exc) from exc
        if not isinstance(document, dict):
            raise self.unavailable(ValueError("discovery document is not an object"))
        named = document.get("issuer")
        if (
            not self._issuer_given
            and isinstance(named, str)
            and named.rstrip("/") == self.expected_issuer.rstrip("/")
        ):
            # OIDC Discovery drops an issuer's trailing "/" before appending the
            # well-known path (Auth0, Authentik), so the URL alone cannot say
            # whether the issuer has one: the document decides, exactly.
            self.expected_issuer = named
        if named not in self.accepted_issuers():
            raise AuthenticationRequiredError(
                "provider_unavailable",
                f"{self.label}'s configuration names another issuer than {self.expected_issuer}; "
                "the login is disabled until the site's configuration is fixed.",
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            url = document.get(key)
            if not isinstance(url, str) or not is_secure_transport(url):
                raise AuthenticationRequiredError(
                    "provider_unavailable",
                    f"{self.label}'s configuration has no usable {key}; try again later.",
                )
        return document

    def authorization_endpoint(self) -> str:
        """Return the authorization endpoint (overridden or discovered)."""
        return self.authorize_url or str(self.metadata()["authorization_endpoint"])

    def token_endpoint(self) -> str:
        """Return the token endpoint (overridden or discovered)."""
        return self.token_url or str(self.metadata()["token_endpoint"])

    def userinfo_endpoint(self) -> str | None:
        """Return the userinfo endpoint (overridden or discovered), if there is one."""
        url = self.userinfo_url or self.metadata().get("userinfo_endpoint")
        return url if isinstance(url, str) and url else None

    def signing_keys(self, *, refresh: bool = False) -> KeySet:
        """Return the issuer's public keys, fetching them if not cached or ``refresh``.

        Like :meth:`metadata`, the network fetch happens outside the lock.
        """
        with self._lock:
            if self._keys is not None and not refresh:
                return self._keys
        url = self.jwks_url or str(self.metadata()["jwks_uri"])
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
        except (requests.RequestException, ValueError, JoseError) as exc:
            raise self.unavailable(exc) from exc
        with self._lock:
            self._keys = keys
            return keys

    # ---------------------------------------------------------------- flow

    def extra_saved(self) -> dict[str, str]:
        """Add a fresh nonce, checked against the ID token."""
        return {"nonce": secrets.token_urlsafe(32)}

    def extra_authorize_params(self, saved: Mapping[str, str]) -> dict[str, str]:
        """Send the nonce."""
        return {"nonce": saved["nonce"]}

    def check_callback(self, params: Mapping[str, str]) -> None:
        """Refuse a callback whose RFC 9207 ``iss`` names another issuer (mix-up attack)."""
        iss = params.get("iss")
        required = self.metadata().get("authorization_response_iss_parameter_supported") is True
        if (iss is None and required) or (iss is not None and iss not in self.accepted_issuers()):
            raise AuthenticationRequiredError(
                "issuer_mismatch",
                f"This login answer did not come from {self.label}; please log in again.",
            )

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Validate the ID token and build the identity from its claims (and userinfo)."""
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise _invalid(self.label, "no ID token")
        claims = self.validate_id_token(
            id_token, nonce=saved.get("nonce", ""), access_token=token.get("access_token")
        )
        if not isinstance(claims.get("name"), str):
            userinfo_url = self.userinfo_endpoint()
            if userinfo_url:
                info = self.get_json(session, userinfo_url)
                if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
                    raise ProfileError("userinfo is about another subject")
                claims = {**info, **claims}
        verified = claims.get("email_verified") in (True, "true")
        return self.make_identity(
            f"{self.issuer}#{claims['sub']}",
            names=(claims.get("name"), claims.get("preferred_username"), claims.get("nickname")),
            email=claims.get("email") if verified else None,
            url=claims.get("profile") or claims.get("website"),
            avatar=claims.get("picture"),
        )

    def validate_id_token(
        self, id_token: str, *, nonce: str, access_token: object = None
    ) -> dict[str, Any]:
        """Return the ID token's claims after checking signature and claims; raise if any fails."""
        if not nonce:
            raise _invalid(self.label, "no nonce was saved for this login")
        try:
            kid = extract_compact(id_token.encode("ascii")).headers().get("kid")
            keys = self.signing_keys()
            if kid is not None and kid not in {key.kid for key in keys.keys}:
                keys = self.signing_keys(refresh=True)  # a key we have not seen: rotation
            decoded = jwt.decode(id_token, keys, algorithms=self.algorithms)
            registry = jwt.JWTClaimsRegistry(
                leeway=self.leeway,
                iss={"essential": True, "values": list(self.accepted_issuers())},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (ValueError, JoseError) as exc:  # UnicodeError is a ValueError
            raise _invalid(self.label, str(exc)) from exc
        claims = dict(decoded.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if ("azp" in claims or len(audiences) > 1) and claims.get("azp") != self.client_id:
            raise _invalid(self.label, "azp is not this client")
        at_hash = claims.get("at_hash")
        if at_hash is not None and isinstance(access_token, str):
            algorithm = str(decoded.header.get("alg", ""))
            if at_hash != _half_hash(access_token, algorithm):
                raise _invalid(self.label, "at_hash does not match the access token")
        return claims


class GoogleProvider(OIDCProvider):
    """Log in with Google (OpenID Connect).

    Create an OAuth client ("Web application") in the Google Cloud console and
    add ``https://your.site<prefix>/auth/google/callback`` as an authorized
    redirect URI. Google's ID tokens may say ``iss`` either as
    ``https://accounts.google.com`` or ``accounts.google.com``; both are
    accepted, and subjects are always qualified with the ``https://`` form.
    """

    default_name: ClassVar[str] = "google"
    default_label: ClassVar[str] = "Google"
    default_discovery_url: ClassVar[str] = (
        "https://accounts.google.com/.well-known/openid-configuration"
    )

    def accepted_issuers(self) -> tuple[str, ...]:
        """Accept Google's two spellings of its issuer."""
        issuer = self.expected_issuer
        return (issuer, issuer.removeprefix("https://"))


def _half_hash(value: str, algorithm: str) -> str | None:
    """OIDC's ``at_hash``: the left half of the token's hash, base64url without padding."""
    digest = _HASHES.get("512" if algorithm == "EdDSA" else algorithm[-3:])
    if digest is None:
        return None
    full = digest(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(full[: len(full) // 2]).rstrip(b"=").decode("ascii")


def _invalid(label: str, detail: str) -> AuthenticationRequiredError:
    """Return the error for an ID token that fails validation."""
    return AuthenticationRequiredError(
        "invalid_id_token",
        f"{label}'s answer could not be verified ({detail}), so you are not logged in; "
        "please try again.",
    )
