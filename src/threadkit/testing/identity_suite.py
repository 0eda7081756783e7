"""Conformance suites for identity providers: subclass, provide fixtures, run.

Each suite is a plain pytest class whose tests check one provider kind's
contract from :mod:`threadkit.ports`. Name your subclass ``Test...`` so pytest
collects it and override the fixtures it asks for::

    from threadkit.identity import AnonymousProvider
    from threadkit.testing.identity_suite import FormProviderSuite

    class TestAnonymous(FormProviderSuite):
        @pytest.fixture
        def provider(self) -> AnonymousProvider:
            return AnonymousProvider(require_email=True)

        @pytest.fixture
        def valid_fields(self) -> dict[str, str]:
            return {"name": "Ada", "email": "ada@example.org"}

:class:`FormProviderSuite`
    fixtures ``provider`` and ``valid_fields``.
:class:`SessionProviderSuite`
    fixtures ``provider``, ``logged_in_request`` and ``anonymous_request``.
:class:`RedirectProviderSuite`
    fixtures ``provider``, ``redirect_uri`` and ``login``: a callable that
    plays the browser and the identity provider's consent screen, taking the
    authorization URL from ``begin`` and returning the query parameters the
    provider would send to the callback after the user approves. The suite
    checks that ``state`` is bound to the saved values and single-use, that a
    replayed callback, a lost session and a declined consent are refused with
    :class:`~threadkit.errors.AuthenticationRequiredError`, that PKCE uses
    S256, and that a login yields a verified identity with a stable key.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import parse_qsl, urlsplit

import pytest

from threadkit.errors import AuthenticationRequiredError, ValidationError
from threadkit.models import Identity
from threadkit.ports import (
    FormIdentityProvider,
    RedirectIdentityProvider,
    SessionIdentityProvider,
)

__all__ = ["FormProviderSuite", "LoginHarness", "RedirectProviderSuite", "SessionProviderSuite"]

LoginHarness = Callable[[str], Mapping[str, str]]
"""Given an authorization URL, return the callback parameters after the user approves."""

_SECRETS = ("state", "code_verifier", "nonce")
_HOSTILE = ("\x00", "\x1b[2J", "\u202e", "\r\n")


def _text_fields(identity: Identity) -> Iterator[tuple[str, str]]:
    """Yield the identity's string attributes as ``(attribute, value)`` pairs."""
    for attribute in ("provider", "subject", "name", "email", "url", "avatar"):
        value = getattr(identity, attribute)
        if isinstance(value, str):
            yield attribute, value


def _controls(identity: Identity) -> list[tuple[str, str]]:
    """List every control character in the identity's public text, with its attribute."""
    return [
        (attribute, char)
        for attribute, value in _text_fields(identity)
        if attribute in ("name", "url", "avatar")
        for char in value
        if unicodedata.category(char) == "Cc" or char in "\u202a\u202b\u202c\u202d\u202e"
    ]


def _identify(
    provider: FormIdentityProvider, fields: Mapping[str, str]
) -> Identity | ValidationError:
    """Return the identity for ``fields``, or the ``ValidationError`` refusing them."""
    try:
        return provider.identify(fields, "browser-1")
    except ValidationError as error:
        return error


class FormProviderSuite:
    """The contract of a :class:`~threadkit.ports.FormIdentityProvider`.

    Override ``provider`` (the provider under test) and ``valid_fields`` (form
    fields it accepts, every field it reads filled in). Each field in
    ``valid_fields`` is also fed hostile values; the provider must refuse
    them with a ``ValidationError`` naming that field, or clean them.
    """

    @pytest.fixture
    def provider(self) -> FormIdentityProvider:
        """Return the provider under test; override this fixture."""
        raise NotImplementedError("override the 'provider' fixture")

    @pytest.fixture
    def valid_fields(self) -> Mapping[str, str]:
        """Form fields the provider accepts; override this fixture."""
        raise NotImplementedError("override the 'valid_fields' fixture")

    def test_is_a_form_provider(self, provider: FormIdentityProvider) -> None:
        """The provider implements the port and says it is of kind "form"."""
        assert isinstance(provider, FormIdentityProvider)
        assert ("form", True) == (provider.kind, bool(provider.name))

    def test_valid_fields_give_an_unverified_identity_of_this_provider(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str]
    ) -> None:
        """Typed-in fields give an identity of this provider that is not marked verified."""
        identity = provider.identify(valid_fields, "browser-1")
        assert (provider.name, False) == (identity.provider, identity.verified)
        assert identity.subject
        assert identity.name

    def test_same_fields_and_browser_give_the_same_identity(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str]
    ) -> None:
        """Identifying is deterministic: the same input gives an equal identity."""
        first = provider.identify(valid_fields, "browser-1")
        second = provider.identify(dict(valid_fields), "browser-1")
        assert first == second

    def test_the_browser_decides_the_account_key(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str]
    ) -> None:
        """Two browsers typing the same name are two accounts; one browser keeps its key."""
        one = provider.identify(valid_fields, "browser-1")
        other = provider.identify(valid_fields, "browser-2")
        assert one.key != other.key

    def test_the_email_stays_out_of_public_fields(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str]
    ) -> None:
        """The private email never appears in the key, name, website or avatar."""
        identity = provider.identify(valid_fields, "browser-1")
        if not identity.email:
            pytest.skip("the provider keeps no email for these fields")
        leaks = [
            attribute
            for attribute, value in _text_fields(identity)
            if attribute != "email" and identity.email.lower() in value.lower()
        ]
        assert [] == leaks

    @pytest.mark.parametrize("hostile", _HOSTILE)
    def test_control_characters_are_refused_or_removed(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str], hostile: str
    ) -> None:
        """Control and bidi-override characters in any field never reach the identity."""
        for field, value in valid_fields.items():
            fields = {**valid_fields, field: value[:1] + hostile + value[1:]}
            outcome = _identify(provider, fields)
            if isinstance(outcome, ValidationError):
                assert (field, True) == (outcome.field, bool(outcome.message))
            else:
                assert [] == _controls(outcome)

    def test_huge_values_are_refused_or_bounded(
        self, provider: FormIdentityProvider, valid_fields: Mapping[str, str]
    ) -> None:
        """A 100 000-character value is refused with its field named, or cut down."""
        for field, value in valid_fields.items():
            fields = {**valid_fields, field: value + "x" * 100_000}
            outcome = _identify(provider, fields)
            if isinstance(outcome, ValidationError):
                assert field == outcome.field
            else:
                assert [] == [a for a, v in _text_fields(outcome) if len(v) > 10_000]


class SessionProviderSuite:
    """The contract of a :class:`~threadkit.ports.SessionIdentityProvider`.

    Override ``provider``, ``logged_in_request`` (a request object, as your
    web adapter passes it, for which a user is logged in) and
    ``anonymous_request`` (one for which nobody is). Set ``expect_verified =
    False`` on the subclass if the host's accounts are not vouched for.
    """

    expect_verified = True

    @pytest.fixture
    def provider(self) -> SessionIdentityProvider:
        """Return the provider under test; override this fixture."""
        raise NotImplementedError("override the 'provider' fixture")

    @pytest.fixture
    def logged_in_request(self) -> object:
        """Return a request for which a user is logged in; override this fixture."""
        raise NotImplementedError("override the 'logged_in_request' fixture")

    @pytest.fixture
    def anonymous_request(self) -> object:
        """Return a request for which nobody is logged in; override this fixture."""
        raise NotImplementedError("override the 'anonymous_request' fixture")

    def test_is_a_session_provider(self, provider: SessionIdentityProvider) -> None:
        """The provider implements the port and says it is of kind "session"."""
        assert isinstance(provider, SessionIdentityProvider)
        assert ("session", True) == (provider.kind, bool(provider.name))

    def test_nobody_logged_in_gives_none(
        self, provider: SessionIdentityProvider, anonymous_request: object
    ) -> None:
        """An anonymous request gives None, without raising."""
        actual = provider.current(anonymous_request)
        assert actual is None

    def test_logged_in_user_gives_identity_of_this_provider(
        self, provider: SessionIdentityProvider, logged_in_request: object
    ) -> None:
        """A logged-in user's identity carries this provider's name and the verified flag."""
        identity = provider.current(logged_in_request)
        assert identity is not None
        assert (provider.name, self.expect_verified) == (identity.provider, identity.verified)
        assert identity.subject
        assert identity.name

    def test_the_key_is_stable_across_requests(
        self, provider: SessionIdentityProvider, logged_in_request: object
    ) -> None:
        """Asking twice for the same user gives the same account key."""
        first = provider.current(logged_in_request)
        second = provider.current(logged_in_request)
        assert first is not None
        assert second is not None
        assert first.key == second.key


def _query(url: str) -> dict[str, str]:
    """Return the query parameters of ``url`` (the last value of each)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _refused(
    provider: RedirectIdentityProvider,
    redirect_uri: str,
    params: Mapping[str, str],
    saved: Mapping[str, str],
) -> AuthenticationRequiredError:
    """Complete a login that must be refused; return the refusal."""
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.complete(redirect_uri, params, saved)
    return caught.value


def _refused_answer(
    provider: RedirectIdentityProvider, redirect_uri: str, answer: Mapping[str, str]
) -> AuthenticationRequiredError:
    """Start a login, come back with ``answer`` and the right state; return the refusal."""
    request = provider.begin(redirect_uri)
    params = {**answer, "state": request.saved["state"]}
    return _refused(provider, redirect_uri, params, request.saved)


class RedirectProviderSuite:
    """The contract of a :class:`~threadkit.ports.RedirectIdentityProvider`.

    Override ``provider``, ``login`` (see :data:`LoginHarness`) and, if your
    identity provider only accepts registered callback URLs, ``redirect_uri``.
    Set ``expect_pkce = False`` on the subclass for a provider whose
    authorization server does not support PKCE.

    ``state`` is found in the saved values under ``"state"`` and in the
    authorization URL's ``state`` parameter, as in OAuth 2.
    """

    expect_pkce = True

    @pytest.fixture
    def provider(self) -> RedirectIdentityProvider:
        """Return the provider under test; override this fixture."""
        raise NotImplementedError("override the 'provider' fixture")

    @pytest.fixture
    def redirect_uri(self, provider: RedirectIdentityProvider) -> str:
        """Return the callback URL the login returns to; override if it must be registered."""
        return f"https://comments.example/auth/{provider.name}/callback"

    @pytest.fixture
    def login(self) -> LoginHarness:
        """Play the browser and the consent screen; override this fixture."""
        raise NotImplementedError("override the 'login' fixture")

    def test_is_a_redirect_provider(self, provider: RedirectIdentityProvider) -> None:
        """The provider implements the port, is of kind "redirect" and has a label."""
        assert isinstance(provider, RedirectIdentityProvider)
        expected = ("redirect", True, True)
        assert expected == (provider.kind, bool(provider.name), bool(provider.label))

    def test_begin_puts_the_saved_state_in_the_url(
        self, provider: RedirectIdentityProvider, redirect_uri: str
    ) -> None:
        """The authorization URL carries the state kept in the session; it is unguessable."""
        request = provider.begin(redirect_uri)
        assert urlsplit(request.url).scheme in ("http", "https")
        state = request.saved["state"]
        assert state == _query(request.url).get("state")
        assert len(state) >= 22  # at least 128 bits in URL-safe base64

    def test_every_login_gets_a_fresh_state(
        self, provider: RedirectIdentityProvider, redirect_uri: str
    ) -> None:
        """Two logins never share a state, PKCE verifier or nonce."""
        first = provider.begin(redirect_uri).saved
        second = provider.begin(redirect_uri).saved
        assert [] == [key for key in _SECRETS if key in first and first[key] == second.get(key)]

    def test_pkce_uses_s256_and_keeps_the_verifier_secret(
        self, provider: RedirectIdentityProvider, redirect_uri: str
    ) -> None:
        """The URL carries an S256 challenge of the saved verifier, never the verifier."""
        if not self.expect_pkce:
            pytest.skip("this provider's server does not support PKCE")
        request = provider.begin(redirect_uri)
        verifier = request.saved["code_verifier"]
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        params = _query(request.url)
        assert ("S256", challenge) == (
            params.get("code_challenge_method"),
            params.get("code_challenge"),
        )
        assert verifier not in request.url

    def test_login_gives_a_verified_identity_of_this_provider(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """A completed login yields a verified identity named after this provider."""
        request = provider.begin(redirect_uri)
        identity = provider.complete(redirect_uri, login(request.url), request.saved)
        assert (provider.name, True) == (identity.provider, identity.verified)
        assert identity.subject
        assert identity.name
        secrets = [request.saved[key] for key in _SECRETS if request.saved.get(key)]
        assert [] == [a for a, v in _text_fields(identity) for s in secrets if s in v]

    def test_the_same_account_gets_the_same_key(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """Logging in twice as the same user gives the same account key."""
        keys = []
        for _ in range(2):
            request = provider.begin(redirect_uri)
            keys.append(provider.complete(redirect_uri, login(request.url), request.saved).key)
        assert keys[0] == keys[1]

    def test_a_tampered_state_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """A callback whose state differs from the saved one is refused."""
        request = provider.begin(redirect_uri)
        params = {**login(request.url), "state": request.saved["state"][:-2] + "xx"}
        _refused(provider, redirect_uri, params, request.saved)

    def test_a_missing_state_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """A callback without state is refused."""
        request = provider.begin(redirect_uri)
        params = {k: v for k, v in login(request.url).items() if k != "state"}
        _refused(provider, redirect_uri, params, request.saved)

    def test_a_callback_from_another_login_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """Login CSRF: the attacker's callback does not complete the victim's login."""
        attacker = provider.begin(redirect_uri)
        victim = provider.begin(redirect_uri)
        _refused(provider, redirect_uri, login(attacker.url), victim.saved)

    def test_a_lost_session_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """A callback arriving with no saved values (expired session) is refused."""
        request = provider.begin(redirect_uri)
        _refused(provider, redirect_uri, login(request.url), {})

    def test_a_replayed_callback_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str, login: LoginHarness
    ) -> None:
        """The same callback completes once; the second time it is refused."""
        request = provider.begin(redirect_uri)
        params = login(request.url)
        provider.complete(redirect_uri, params, request.saved)
        _refused(provider, redirect_uri, params, request.saved)

    def test_a_forged_code_is_refused(
        self, provider: RedirectIdentityProvider, redirect_uri: str
    ) -> None:
        """A made-up authorization code with the right state is refused, not crashed on."""
        _refused_answer(provider, redirect_uri, {"code": "forged-code"})

    def test_declined_consent_is_refused_with_access_denied(
        self, provider: RedirectIdentityProvider, redirect_uri: str
    ) -> None:
        """The user saying no (error=access_denied) gives a clear access_denied error."""
        refusal = _refused_answer(provider, redirect_uri, {"error": "access_denied"})
        assert "access_denied" == refusal.code
        assert refusal.message != "access denied"
