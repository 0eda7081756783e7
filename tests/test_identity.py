"""Tests for threadkit.identity and the identity conformance suites run against it."""

from __future__ import annotations

import doctest
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

import threadkit.identity
from threadkit.errors import AuthenticationRequiredError, ValidationError
from threadkit.identity import AnonymousProvider, CallableSessionProvider, avatar_seed
from threadkit.models import Identity
from threadkit.ports import AuthorizationRequest
from threadkit.testing.identity_suite import (
    FormProviderSuite,
    LoginHarness,
    RedirectProviderSuite,
    SessionProviderSuite,
)


def test_doctests_pass() -> None:
    """The examples in the module's docstrings are true."""
    expected = 0
    actual = doctest.testmod(threadkit.identity).failed
    assert expected == actual


# --------------------------------------------------------- AnonymousProvider


def test_anonymous_identity_is_keyed_by_browser_and_unverified() -> None:
    """Name, email and website become an unverified identity keyed by the browser id."""
    provider = AnonymousProvider()
    fields = {"name": "  Ada ", "email": "Ada@Example.ORG", "url": "ada.example.org"}
    expected = Identity(
        "anonymous", "b-1", "Ada", "Ada@example.org", "https://ada.example.org", None, False
    )
    actual = provider.identify(fields, "b-1")
    assert expected == actual


def test_name_is_required_by_default_and_email_is_not() -> None:
    """By default a missing name is refused and a missing email is fine."""
    provider = AnonymousProvider()
    with pytest.raises(ValidationError) as caught:
        provider.identify({"email": "a@example.org"}, "b-1")
    assert ("required", "name") == (caught.value.code, caught.value.field)
    assert provider.identify({"name": "Ada", "email": "  "}, "b-1").email is None


def test_email_can_be_required_like_wordpress() -> None:
    """require_email=True refuses a form without an email, naming the field."""
    provider = AnonymousProvider(require_email=True)
    with pytest.raises(ValidationError) as caught:
        provider.identify({"name": "Ada"}, "b-1")
    assert ("required", "email") == (caught.value.code, caught.value.field)
    assert ("name", "email") == provider.required_fields


def test_optional_name_falls_back_to_anonymous_label() -> None:
    """With require_name=False a blank name shows as the configured anonymous name."""
    provider = AnonymousProvider(require_name=False, anonymous_name="Guest")
    actual = provider.identify({}, "b-1").name
    assert "Guest" == actual


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Ada", "email": "not-an-email"}, "email"),
        ({"name": "Ada", "url": "javascript:alert(1)"}, "url"),
        ({"name": "A\x00da"}, "name"),
        ({"name": "x" * 41}, "name"),
    ],
)
def test_invalid_fields_are_refused_with_the_field_named(
    fields: dict[str, str], field: str
) -> None:
    """Each bad value is refused by the text validators with its field name."""
    provider = AnonymousProvider(max_name_chars=40)
    with pytest.raises(ValidationError) as caught:
        provider.identify(fields, "b-1")
    assert field == caught.value.field


def test_empty_browser_id_is_a_programming_error() -> None:
    """The web adapter must always pass a browser id; an empty one is not accepted."""
    with pytest.raises(ValueError, match="browser_id"):
        AnonymousProvider().identify({"name": "Ada"}, "")


def test_avatar_is_a_keyed_identicon_seed_only_with_a_secret() -> None:
    """Without a secret there is no avatar; with one it is identicon:<HMAC of the email>."""
    fields = {"name": "Ada", "email": "Ada@Example.org"}
    assert AnonymousProvider().identify(fields, "b-1").avatar is None
    identity = AnonymousProvider(avatar_secret=b"site-secret").identify(fields, "b-1")
    expected = "identicon:" + hmac.new(
        b"site-secret", b"email:ada@example.org", "sha256"
    ).hexdigest()[:32]
    assert expected == identity.avatar


def test_avatar_seed_follows_email_then_browser_and_depends_on_secret() -> None:
    """The seed is the same for one email anywhere, per-browser without email, per-site."""
    one = avatar_seed("ada@example.org", "b-1", secret=b"k1")
    assert one == avatar_seed("ADA@example.org", "b-2", secret=b"k1")
    assert one != avatar_seed("ada@example.org", "b-1", secret=b"k2")
    assert avatar_seed(None, "b-1", secret=b"k1") != avatar_seed(None, "b-2", secret=b"k1")


class TestAnonymousProviderSuite(FormProviderSuite):
    """AnonymousProvider with every field in use passes the form-provider contract."""

    @pytest.fixture
    def provider(self) -> AnonymousProvider:
        return AnonymousProvider(require_email=True, avatar_secret=b"s")

    @pytest.fixture
    def valid_fields(self) -> Mapping[str, str]:
        return {"name": "Ada Lovelace", "email": "ada@example.org", "url": "https://ada.example"}


# -------------------------------------------------- CallableSessionProvider


class FakeRequest:
    """Stands in for a web framework's request carrying the host's session."""

    def __init__(self, user_id: str | None) -> None:
        self.user_id = user_id


def site_user(request: object) -> Identity | None:
    """Map the fake request's logged-in user to an identity, as a host app would."""
    user_id = getattr(request, "user_id", None)
    if user_id is None:
        return None
    return Identity("site", user_id, f"User {user_id}", f"u{user_id}@example.org", verified=True)


def test_session_provider_returns_what_the_callable_returns() -> None:
    """The host's callable decides who is logged in."""
    provider = CallableSessionProvider("site", site_user)
    assert provider.current(FakeRequest(None)) is None
    assert site_user(FakeRequest("7")) == provider.current(FakeRequest("7"))


def test_session_provider_refuses_an_identity_of_another_provider() -> None:
    """A callable returning another provider's identity is a configuration error."""
    provider = CallableSessionProvider("members", site_user)
    with pytest.raises(ValueError, match="members"):
        provider.current(FakeRequest("7"))


class TestCallableSessionProviderSuite(SessionProviderSuite):
    """CallableSessionProvider passes the session-provider contract."""

    @pytest.fixture
    def provider(self) -> CallableSessionProvider:
        return CallableSessionProvider("site", site_user)

    @pytest.fixture
    def logged_in_request(self) -> object:
        return FakeRequest("42")

    @pytest.fixture
    def anonymous_request(self) -> object:
        return FakeRequest(None)


# ------------------------------------- a custom redirect provider (docs/identity.md)


class FakeCompanySSO:
    """An in-process stand-in for a company single sign-on server."""

    base = "https://sso.example.com"

    def __init__(self) -> None:
        self.tickets: dict[str, dict[str, str]] = {}

    def approve(self, url: str) -> dict[str, str]:
        """Play the browser: the employee is logged in and approves; return callback params."""
        query = dict(parse_qsl(urlsplit(url).query))
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = {"id": "e-1001", "name": "Grace Hopper"}
        return {"ticket": ticket, "state": query["state"]}

    def redeem(self, ticket: str) -> dict[str, str] | None:
        """Exchange a ticket once for the employee's profile."""
        return self.tickets.pop(ticket, None)


class CompanySSO:
    """The docs' worked example: a custom redirect provider in about 30 lines."""

    kind: Literal["redirect"] = "redirect"

    def __init__(self, base_url: str, redeem: Callable[[str], dict[str, str] | None]) -> None:
        self.name, self.label = "corp", "Company login"
        self.base_url, self.redeem = base_url, redeem

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        state = secrets.token_urlsafe(32)
        query = urlencode({"service": redirect_uri, "state": state})
        return AuthorizationRequest(f"{self.base_url}/login?{query}", {"state": state})

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        expected, got = saved.get("state", ""), params.get("state", "")
        if not expected or not hmac.compare_digest(expected, got):
            raise AuthenticationRequiredError("bad_state", "The login expired; please try again.")
        if params.get("error") == "access_denied":
            raise AuthenticationRequiredError(
                "access_denied", "You declined to log in with the company account."
            )
        user = self.redeem(params.get("ticket", ""))
        if user is None:
            raise AuthenticationRequiredError(
                "invalid_ticket", "The login could not be confirmed; please try again."
            )
        return Identity(self.name, user["id"], user["name"], verified=True)


class TestCustomRedirectProviderSuite(RedirectProviderSuite):
    """The docs' custom SSO provider passes the redirect-provider contract."""

    expect_pkce = False

    @pytest.fixture
    def sso(self) -> FakeCompanySSO:
        return FakeCompanySSO()

    @pytest.fixture
    def provider(self, sso: FakeCompanySSO) -> CompanySSO:
        return CompanySSO(sso.base, sso.redeem)

    @pytest.fixture
    def login(self, sso: FakeCompanySSO) -> LoginHarness:
        return sso.approve


class CarelessSSO(CompanySSO):
    """A broken provider that forgets to check state: the suite must catch it."""

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        return super().complete(redirect_uri, params, {**saved, "state": params["state"]})


def test_the_redirect_suite_fails_a_provider_that_skips_the_state_check() -> None:
    """The suite's tampered-state test fails for a provider that ignores state."""
    sso = FakeCompanySSO()
    suite = RedirectProviderSuite()
    provider = CarelessSSO(sso.base, sso.redeem)
    with pytest.raises(pytest.fail.Exception):
        suite.test_a_tampered_state_is_refused(provider, "https://c.example/cb", sso.approve)


class TrustingForm:
    """A broken form provider that keeps control characters: the suite must catch it."""

    name = "trusting"
    kind: Literal["form"] = "form"

    def identify(self, fields: Mapping[str, str], browser_id: str) -> Identity:
        return Identity(self.name, browser_id, fields.get("name", ""))


def test_the_form_suite_fails_a_provider_that_keeps_control_characters() -> None:
    """The suite's control-character test fails for a provider that does not clean input."""
    suite = FormProviderSuite()
    with pytest.raises(AssertionError):
        suite.test_control_characters_are_refused_or_removed(
            TrustingForm(), {"name": "Ada"}, "\x1b[2J"
        )


def test_the_session_suite_fails_a_provider_that_logs_everyone_in() -> None:
    """The suite's anonymous-request test fails for a provider that never returns None."""
    provider = CallableSessionProvider("site", lambda request: Identity("site", "1", "Root"))
    with pytest.raises(AssertionError):
        SessionProviderSuite().test_nobody_logged_in_gives_none(provider, FakeRequest(None))
