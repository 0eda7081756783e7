"""A real OAuth 2.0 / OpenID Connect authorization server for tests, on 127.0.0.1.

Built from Authlib's server components (``AuthorizationServer``, the
authorization-code grant, PKCE and the OpenID Connect code extension) and
served by the standard library's ``wsgiref`` in a thread, so every provider's
full login runs over HTTP: redirect, code exchange, ID-token validation,
profile fetch. Nothing here is for production.

It serves, under one base URL:

=============================================  =================================
``/.well-known/openid-configuration``          discovery (issuer = base URL)
``/jwks``                                       the signing keys
``/authorize``                                  consent (auto-approve or deny)
``/token``                                      code exchange (PKCE required)
``/userinfo``                                   OIDC userinfo
``/github/user``, ``/github/user/emails``       GitHub-shaped profile
``/facebook/me``                                Facebook Graph-shaped profile
``/x/2/users/me``                               X-shaped profile
``/wpcom/rest/v1/me``                           WordPress.com-shaped profile
=============================================  =================================

Use it from any test (the Flask adapter's browser tests too)::

    server = IdentityServer().start()
    try:
        provider = server.provider("github")   # a GitHubProvider pointed here
        login = provider.begin("http://127.0.0.1:5000/auth/github/callback")
        params = server.login(login.url)       # the browser + consent screen
        identity = provider.complete(redirect_uri, params, login.saved)
    finally:
        server.stop()

or, when only the base URL matters, ``base_url, stop = start_oidc_server()``.
A real browser can follow ``login.url`` too: ``/authorize`` answers with a
302 to the callback. Switches on the server change what it does next:
``approve`` (consent given or ``access_denied``), ``id_token_claims``
(override claims: a wrong ``nonce``, ``aud``, ``iss`` or a past ``exp``;
``None`` removes a claim), ``issuer_override``,
``id_token_alg`` (``"none"`` sends an unsigned token, ``"HS256"`` one MACed
with the client secret), ``sign_with_unknown_key``, ``require_pkce`` (on by
default: an authorization request without an S256 challenge is refused) and
``fail_status`` (every endpoint answers with that HTTP status).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import secrets
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidRequestError,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from threadkit.ports import RedirectIdentityProvider
from threadkit.testing.http_server import serve_in_thread

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "DEFAULT_USER", "IdentityServer", "start_oidc_server"]

CLIENT_ID = "threadkit-test-client"
"""The one client the server knows."""

CLIENT_SECRET = "threadkit-test-secret"  # a test fixture, not a credential
"""Its secret (accepted as HTTP Basic or in the POST body)."""

DEFAULT_USER: dict[str, Any] = {
    "sub": "248289761001",
    "name": "Ada Lovelace",
    "login": "ada",
    "email": "ada@example.org",
    "email_verified": True,
    "picture": "https://avatars.example/ada.png",
    "blog": "javascript:alert(document.cookie)",
}
"""The user who logs in, unless a test sets ``IdentityServer.user``."""

Json = dict[str, Any] | list[Any]
_Response = tuple[int, bytes, list[tuple[str, str]]]


class _Client(ClientMixin):  # type: ignore[misc]  # Authlib is untyped
    """The registered test client; any http(s) redirect URI is accepted unless restricted."""

    def __init__(self, server: IdentityServer) -> None:
        self._server = server

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        allowed = self._server.redirect_uris
        if allowed:
            return redirect_uri in allowed
        return redirect_uri.startswith(("http://", "https://"))

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class _Code(AuthorizationCodeMixin):  # type: ignore[misc]  # Authlib is untyped
    """An issued authorization code and what it was issued for."""

    def __init__(self, code: str, request: Any, user: dict[str, Any]) -> None:
        data = request.payload.data
        self.code = code
        self.user = user
        self.redirect_uri = data.get("redirect_uri", "")
        self.scope = data.get("scope", "")
        self.nonce = data.get("nonce")
        self.code_challenge = data.get("code_challenge")
        self.code_challenge_method = data.get("code_challenge_method")
        self.auth_time = int(time.time())

    def get_redirect_uri(self) -> str:
        return str(self.redirect_uri)

    def get_scope(self) -> str:
        return str(self.scope)

    def get_nonce(self) -> str | None:
        return str(self.nonce) if self.nonce else None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]  # Authlib is untyped
    """Authorization-code grant storing codes in the server's memory, single use."""

    def save_authorization_code(self, code: str, request: Any) -> None:
        self.server.store.codes[code] = _Code(code, request, request.user)

    def query_authorization_code(self, code: str, client: Any) -> _Code | None:
        codes: dict[str, _Code] = self.server.store.codes
        return codes.get(code)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.server.store.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> dict[str, Any]:
        return authorization_code.user


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]  # Authlib is untyped
    """OIDC extension: issues the ID token, with the test server's tampering switches."""

    def __init__(self, server: IdentityServer) -> None:
        super().__init__(require_nonce=True)
        self._server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in self._server.codes.values())

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        return self._server.userinfo_claims(user)

    def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
        code = request.authorization_code
        return self._server.make_id_token(
            code.user,
            nonce=code.nonce,
            auth_time=code.auth_time,
            access_token=token.get("access_token"),
        )


class _WsgiRequest(OAuth2Request):  # type: ignore[misc]  # Authlib is untyped
    """An Authlib request built from a WSGI environ's query string and form body."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: dict[str, str],
        args: dict[str, str],
        form: dict[str, str],
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args = args
        self._form = form
        self.payload = BasicOAuth2Payload({**args, **form})

    @property
    def args(self) -> dict[str, str]:
        """The query parameters."""
        return self._args

    @property
    def form(self) -> dict[str, str]:
        """The form body's parameters."""
        return self._form


class _StrictCodeChallenge(CodeChallenge):  # type: ignore[misc]  # Authlib is untyped
    """PKCE as OAuth 2.1 wants it: an S256 challenge on every request (switch ``require_pkce``)."""

    def __init__(self, server: IdentityServer) -> None:
        super().__init__(required=True)
        self._server = server

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if self._server.require_pkce and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Missing 'code_challenge' with method S256.")
        super().validate_code_challenge(grant, redirect_uri)


class _AuthorizationServer(AuthorizationServer):  # type: ignore[misc]  # Authlib is untyped
    """Authlib's server bound to plain WSGI environs instead of a framework request."""

    def __init__(self, store: IdentityServer) -> None:
        super().__init__(scopes_supported=None)
        self.store = store
        self.register_token_generator(
            "default",
            BearerTokenGenerator(lambda *args, **kwargs: secrets.token_urlsafe(32)),
        )
        self.register_grant(
            _CodeGrant, [_StrictCodeChallenge(store), _OpenIDCode(store)]
        )

    def query_client(self, client_id: str) -> _Client | None:
        return _Client(self.store) if client_id == CLIENT_ID else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        self.store.tokens[token["access_token"]] = request.user

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        environ: WSGIEnvironment = request
        args = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        form = {}
        if environ["REQUEST_METHOD"] == "POST":
            form = dict(parse_qsl(_body(environ).decode()))
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        return _WsgiRequest(environ["REQUEST_METHOD"], _url(environ), headers, args, form)

    def handle_response(
        self, status: int, body: Any, headers: Iterable[tuple[str, str]]
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        payload = json.dumps(body).encode() if isinstance(body, dict) else str(body).encode()
        return status, payload, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Ignore Authlib's signals."""


def _body(environ: WSGIEnvironment) -> bytes:
    """Read the request body once and keep it in the environ."""
    if "threadkit.body" not in environ:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["threadkit.body"] = environ["wsgi.input"].read(length) if length else b""
    body: bytes = environ["threadkit.body"]
    return body


def _url(environ: WSGIEnvironment) -> str:
    """Rebuild the request URL."""
    query = environ.get("QUERY_STRING", "")
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"http://{host}{environ.get('PATH_INFO', '')}" + (f"?{query}" if query else "")


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not log every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request (a browser may open several)."""

    daemon_threads = True


class IdentityServer:
    """An OAuth 2.0 / OpenID Connect authorization server on 127.0.0.1 (see the module).

    Attributes tests may change at any time: ``user`` (the claims of whoever
    logs in), ``approve``, ``id_token_claims``, ``id_token_alg``,
    ``sign_with_unknown_key``, ``require_pkce``, ``issuer_override`` (the
    issuer named in discovery and ID tokens), ``fail_status`` and
    ``redirect_uris`` (when not empty, the only callback URLs the client may
    use); :meth:`reset` puts them back. ``requests`` lists every ``(method, path, query)`` served.
    """

    def __init__(self) -> None:
        self.user: dict[str, Any] = dict(DEFAULT_USER)
        self.approve = True
        self.id_token_claims: dict[str, Any] = {}
        self.id_token_alg = "RS256"
        self.sign_with_unknown_key = False
        self.fail_status: int | None = None
        self.redirect_uris: set[str] = set()
        self.require_pkce = True
        self.issuer_override: str | None = None
        self.codes: dict[str, _Code] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "alg": "RS256"})
        self._first_key = self.key
        self._other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self._authz = _AuthorizationServer(self)
        self._serving = contextlib.ExitStack()
        self.base_url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> IdentityServer:
        """Start serving on a free port of 127.0.0.1; ``base_url`` is then set."""
        httpd = make_server(
            "127.0.0.1", 0, self._app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.base_url = f"http://127.0.0.1:{httpd.server_port}"
        self._serving.enter_context(serve_in_thread(httpd))
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._serving.close()

    def reset(self) -> None:
        """Put every switch back to its default and forget codes, tokens and requests."""
        self.user = dict(DEFAULT_USER)
        self.approve = True
        self.id_token_claims = {}
        self.id_token_alg = "RS256"
        self.sign_with_unknown_key = False
        self.fail_status = None
        self.redirect_uris = set()
        self.require_pkce = True
        self.issuer_override = None
        self.key = self._first_key
        self.codes.clear()
        self.tokens.clear()
        self.requests.clear()

    def __enter__(self) -> IdentityServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        """The OIDC issuer identifier: ``issuer_override`` or the base URL."""
        return self.issuer_override or self.base_url

    # --------------------------------------------------------- test helpers

    def login(self, authorization_url: str) -> dict[str, str]:
        """Play the browser: open the authorization URL, return the callback's parameters.

        The consent screen answers as ``approve`` says. Raises ``AssertionError``
        if the server does not redirect (an invalid request, e.g. an unknown
        client or a missing PKCE challenge).
        """
        parts = urlsplit(authorization_url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            body = response.read()
            location = response.getheader("Location")
        finally:
            connection.close()
        if response.status != 302 or not location:
            raise AssertionError(f"authorize answered {response.status}: {body[:500]!r}")
        return dict(parse_qsl(urlsplit(location).query))

    def provider(self, kind: str, **options: Any) -> RedirectIdentityProvider:
        """Return a threadkit-social provider of ``kind`` with every endpoint pointed here.

        ``kind`` is ``"oidc"``, ``"google"``, ``"github"``, ``"facebook"``, ``"x"``
        or ``"wordpress"``; ``options`` go to the provider's constructor.
        """
        from threadkit_social import (  # here: the package does not import this module
            FacebookProvider,
            GitHubProvider,
            GoogleProvider,
            OIDCProvider,
            WordPressComProvider,
            XProvider,
        )

        from .providers import _ApiProvider

        base = self.base_url
        discovery = f"{base}/.well-known/openid-configuration"
        common: dict[str, Any] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        common.update(options)
        if kind == "oidc":
            common.setdefault("name", "testidp")
            return OIDCProvider(discovery_url=discovery, **common)
        if kind == "google":
            return GoogleProvider(discovery_url=discovery, **common)
        # The API providers, and the path under which this server fakes each one's API.
        apis: dict[str, tuple[type[_ApiProvider], str]] = {
            "github": (GitHubProvider, "github"),
            "facebook": (FacebookProvider, "facebook"),
            "x": (XProvider, "x"),
            "wordpress": (WordPressComProvider, "wpcom"),
        }
        if kind in apis:
            provider_class, api_path = apis[kind]
            return provider_class(
                authorize_url=f"{base}/authorize",
                token_url=f"{base}/token",
                api_url=f"{base}/{api_path}",
                **common,
            )
        raise ValueError(f"unknown provider kind {kind!r}")

    def rotate_key(self) -> None:
        """Sign from now on with a new key (new ``kid``), published in place of the old one."""
        kid = f"test-key-{secrets.token_hex(4)}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256"})

    def userinfo_claims(self, user: dict[str, Any]) -> dict[str, Any]:
        """Return the standard OIDC claims for ``user``."""
        keys = ("sub", "name", "email", "email_verified", "picture")
        return {key: user[key] for key in keys if key in user}

    def make_id_token(
        self,
        user: dict[str, Any],
        *,
        nonce: str | None,
        auth_time: int | None = None,
        access_token: str | None = None,
    ) -> str:
        """Sign an ID token for ``user`` (with ``at_hash``), applying the tampering switches."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "auth_time": auth_time or now,
            **self.userinfo_claims(user),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            digest = hashlib.sha256(access_token.encode()).digest()
            claims["at_hash"] = _b64(digest[:16])
        claims.update(self.id_token_claims)
        claims = {key: value for key, value in claims.items() if value is not None}
        if self.id_token_alg == "none":
            header = {"alg": "none", "typ": "JWT"}
            return ".".join(_b64(json.dumps(part).encode()) for part in (header, claims)) + "."
        if self.id_token_alg == "HS256":
            secret = OctKey.import_key(CLIENT_SECRET)
            return jwt.encode({"alg": "HS256", "kid": self.key.kid}, claims, secret)
        key = self._other_key if self.sign_with_unknown_key else self.key
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)

    # ------------------------------------------------------------- the app

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        """Route one request."""
        path = environ.get("PATH_INFO", "")
        self.requests.append((environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", "")))
        if self.fail_status is not None:
            status, body = self.fail_status, b"unavailable"
            headers = [("Content-Type", "text/plain")]
        else:
            status, body, headers = self._route(path, environ)
        reason = http.client.responses.get(status, "Status")
        start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _route(
        self, path: str, environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Answer one request: (status, body, headers)."""
        if path == "/.well-known/openid-configuration":
            return _json(self._discovery())
        if path == "/jwks":
            return _json({"keys": [self.key.as_dict(private=False)]})
        if path == "/authorize":
            return self._authorize(environ)
        if path == "/token":
            status, body, headers = self._authz.create_token_response(environ)
            return status, body, headers
        profile = self._profiles().get(path)
        if profile is None:
            return 404, b"not found", [("Content-Type", "text/plain")]
        user = self._bearer_user(environ)
        if user is None:
            return _json({"error": "invalid_token"}, 401)
        return profile(user, environ)

    def _discovery(self) -> dict[str, Any]:
        """Return the OpenID Provider metadata."""
        base = self.base_url
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def _authorize(self, environ: WSGIEnvironment) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Validate the request with Authlib, then approve or deny as switched."""
        request = self._authz.create_oauth2_request(environ)
        try:
            grant = self._authz.get_consent_grant(request, end_user=self.user)
        except OAuth2Error as error:
            status, body, headers = self._authz.handle_error_response(request, error)
            return status, body, headers
        user = dict(self.user) if self.approve else None
        status, body, headers = self._authz.create_authorization_response(
            request, grant_user=user, grant=grant
        )
        return status, body, headers

    def _bearer_user(self, environ: WSGIEnvironment) -> dict[str, Any] | None:
        """Return the user the request's bearer token was issued to, if it is valid."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        token = token or dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("access_token", "")
        return self.tokens.get(token)

    def _profiles(self) -> dict[str, Callable[[dict[str, Any], WSGIEnvironment], _Response]]:
        """Return the profile endpoints, by path."""
        return {
            "/userinfo": lambda user, env: _json(self.userinfo_claims(user)),
            "/github/user": self._github_user,
            "/github/user/emails": self._github_emails,
            "/facebook/me": self._facebook_me,
            "/x/2/users/me": self._x_me,
            "/wpcom/rest/v1/me": self._wpcom_me,
        }

    def _github_user(
        self, user: dict[str, Any], environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """GitHub's ``GET /user`` (the public email is often null)."""
        return _json(
            {
                "id": int(user["sub"]),
                "login": user["login"],
                "name": user.get("name"),
                "email": None,
                "html_url": f"https://github.com/{user['login']}",
                "avatar_url": user.get("picture"),
                "blog": user.get("blog", ""),
            }
        )

    def _github_emails(
        self, user: dict[str, Any], environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """GitHub's ``GET /user/emails``: an unverified extra address, then the primary."""
        return _json(
            [
                {"email": "old@example.net", "primary": False, "verified": False},
                {
                    "email": user["email"],
                    "primary": True,
                    "verified": bool(user.get("email_verified")),
                },
            ]
        )

    def _facebook_me(
        self, user: dict[str, Any], environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Graph API ``GET /me?fields=...``, checking ``appsecret_proof`` when sent."""
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        token = environ.get("HTTP_AUTHORIZATION", "")[7:] or query.get("access_token", "")
        proof = hmac.new(CLIENT_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
        if "appsecret_proof" in query and not hmac.compare_digest(proof, query["appsecret_proof"]):
            return _json({"error": {"message": "Invalid appsecret_proof"}}, 400)
        everything = {
            "id": user["sub"],
            "name": user.get("name"),
            "email": user.get("email"),
            "picture": {"data": {"url": user.get("picture")}},
        }
        fields = query.get("fields", "id,name").split(",")
        return _json({key: everything[key] for key in fields if key in everything})

    def _x_me(
        self, user: dict[str, Any], environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """X API v2 ``GET /2/users/me``."""
        return _json(
            {
                "data": {
                    "id": user["sub"],
                    "name": user.get("name"),
                    "username": user["login"],
                    "profile_image_url": user.get("picture"),
                }
            }
        )

    def _wpcom_me(
        self, user: dict[str, Any], environ: WSGIEnvironment
    ) -> tuple[int, bytes, list[tuple[str, str]]]:
        """WordPress.com REST ``GET /rest/v1/me``."""
        return _json(
            {
                "ID": int(user["sub"]),
                "display_name": user.get("name"),
                "username": user["login"],
                "email": user.get("email"),
                "email_verified": bool(user.get("email_verified")),
                "avatar_URL": user.get("picture"),
                "profile_URL": f"https://gravatar.com/{user['login']}",
            }
        )


def _json(value: Json, status: int = 200) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Return a JSON response."""
    return status, json.dumps(value).encode(), [("Content-Type", "application/json")]


def _b64(data: bytes) -> str:
    """Unpadded URL-safe base64, as JOSE wants."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def start_oidc_server() -> tuple[str, Callable[[], None]]:
    """Start an :class:`IdentityServer` and return ``(base_url, stop)``.

    The client is :data:`CLIENT_ID` / :data:`CLIENT_SECRET`; the discovery
    document is at ``base_url + "/.well-known/openid-configuration"``. Call
    ``stop()`` when done (it closes the socket).
    """
    server = IdentityServer().start()
    return server.base_url, server.stop
