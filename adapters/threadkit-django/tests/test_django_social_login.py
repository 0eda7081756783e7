"""Social logins through the Django adapter, on Django's session, against a real OIDC server.

``<prefix>/auth/<name>/login`` and ``/callback`` are driven with Django's test
client (CSRF enforced); the browser's trip to the provider goes over HTTP to
:class:`~threadkit_social.testing_server.IdentityServer` on 127.0.0.1. The
providers come from ``THREADKIT["PROVIDERS"]``, as a Django site configures them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from social_support import (
    OIDC_NAME,
    POST,
    PREFIX,
    browser,
    callback,
    log_in,
    login_url,
    me,
    query,
    social_site,
)
from threadkit_django import get_state
from threadkit_social.testing import (
    IdentityServerProviderSuite,
    check_authorize_redirect,
    free_port_url,
    oidc_at,
)
from threadkit_social.testing_server import IdentityServer
from threadkit_web.login import SAVED_PREFIX

from threadkit.ports import RedirectIdentityProvider
from threadkit.testing.html_forms import hidden_fields

pytestmark = pytest.mark.django_db

CLEAR_ERROR_STATUSES = frozenset([*range(400, 500), 502, 503])


@pytest.fixture
def idp() -> Iterator[IdentityServer]:
    """The authorization server (switches at their defaults), configured as the site's logins."""
    with social_site() as server:
        yield server


@pytest.fixture
def client(idp: IdentityServer) -> Client:
    return browser()


def page(client: Client, path: str = POST) -> str:
    """Return the post page's HTML."""
    response = client.get(path)
    assert 200 == response.status_code
    return str(response.content.decode())


def assert_clear_error(response: Any, words: str) -> None:
    """The response is an HTML error page (not a 500) whose message contains ``words``."""
    html = response.content.decode()
    assert (True, "text/html") == (
        response.status_code in CLEAR_ERROR_STATUSES,
        response["Content-Type"].split(";")[0],
    ), f"{response.status_code}: {html[:300]}"
    assert words in html
    assert "Traceback" not in html


def token_requests(idp: IdentityServer) -> list[tuple[str, str, str]]:
    """The requests the identity server received at its token endpoint."""
    return [entry for entry in idp.requests if entry[1] == "/token"]


def post_form(client: Client, body: str) -> int:
    """Post ``body`` with the page's comment form; return the new comment's id."""
    fields = hidden_fields(page(client), "tk-form")
    response = client.post(fields.pop("action"), {**fields, "body": body})
    assert 303 == response.status_code, response.content[:500]
    return int(response["Location"].rsplit("#comment-", 1)[1])


# ------------------------------------------------------------------ success


def test_login_redirect_carries_state_pkce_s256_and_nonce(
    idp: IdentityServer, client: Client
) -> None:
    """The OIDC login redirects with state, S256 PKCE and nonce kept in Django's session."""
    url = login_url(client, OIDC_NAME)
    saved = client.session[SAVED_PREFIX + OIDC_NAME]["saved"]
    redirect_uri = f"http://testserver{PREFIX}/auth/{OIDC_NAME}/callback"
    check_authorize_redirect(url, saved, idp=idp, redirect_uri=redirect_uri)


def test_form_offers_the_configured_logins(client: Client) -> None:
    """Before logging in, the form offers "Log in with Test IdP" and "with GitHub"."""
    html = page(client)
    assert "Log in with Test IdP" in html
    assert f"{PREFIX}/auth/github/login?next=%2Fposts%2Fhello%2F%23respond-tk1" in html


@pytest.mark.parametrize(("name", "label"), [(OIDC_NAME, "Test IdP"), ("github", "GitHub")])
def test_round_trip_shows_who_is_commenting(
    idp: IdentityServer, client: Client, name: str, label: str
) -> None:
    """After consent the callback returns to next and the form says "You are commenting as"."""
    response = log_in(client, idp, name)
    assert (303, POST) == (response.status_code, response["Location"])
    html = page(client)
    assert "You are commenting as <strong>Ada Lovelace</strong>" in html
    assert f"({label})." in html
    assert ">Log out</button>" in html
    assert "Log in to comment" not in html


def test_comment_carries_the_verified_oidc_identity(idp: IdentityServer, client: Client) -> None:
    """A form post after an OIDC login is by the issuer-qualified, verified identity."""
    log_in(client, idp, OIDC_NAME)
    comment_id = post_form(client, "Hello from the IdP")
    author = get_state().engine.get_comment(comment_id).author
    assert (OIDC_NAME, f"{idp.issuer}#248289761001", "Ada Lovelace", True) == (
        author.provider,
        author.subject,
        author.name,
        author.verified,
    )


def test_json_post_after_login_is_by_the_login(idp: IdentityServer, client: Client) -> None:
    """A JSON post with the CSRF header from /api/me is by the verified GitHub identity."""
    log_in(client, idp, "github")
    who = me(client)
    response = client.post(
        f"{PREFIX}/api/threads/hello/comments",
        {"body": "Hello from GitHub"},
        content_type="application/json",
        headers={"X-Threadkit-CSRF": who["csrf_token"]},
    )
    assert 201 == response.status_code, response.content
    author = response.json()["author"]
    assert ("github", True, "Ada Lovelace") == (
        author["provider"],
        author["verified"],
        author["name"],
    )
    assert (True, "github") == (who["logged_in"], who["identity"]["provider"])


def test_login_renews_the_session_key_and_csrf_token(idp: IdentityServer, client: Client) -> None:
    """The callback cycles Django's session key and CSRF token: ones from before stop working."""
    before_token = me(client)["csrf_token"]
    login_url(client, "github")
    before_key = client.session.session_key
    params = idp.login(login_url(client, "github"))
    callback(client, "github", params)
    refused = client.post(
        f"{PREFIX}/api/threads/hello/comments",
        {"body": "Posted with the token from before the login"},
        content_type="application/json",
        headers={"X-Threadkit-CSRF": before_token},
    )
    assert (False, 403) == (before_key == client.session.session_key, refused.status_code)


# ---------------------------------------------------------------- refusals


def test_forged_state_is_refused_before_the_code_is_used(
    idp: IdentityServer, client: Client
) -> None:
    """A callback whose state was changed is a clear 400; the code never reaches the token URL."""
    params = idp.login(login_url(client, OIDC_NAME))
    idp.requests.clear()
    response = callback(client, OIDC_NAME, {**params, "state": params["state"][:-2] + "xx"})
    assert_clear_error(response, "does not match the one this browser started")
    assert ([], False) == (token_requests(idp), me(client)["logged_in"])


def test_replayed_callback_is_refused(idp: IdentityServer, client: Client) -> None:
    """The saved state is single use: the same callback URL a second time is a clean 4xx."""
    params = idp.login(login_url(client, "github"))
    assert 303 == callback(client, "github", params).status_code
    assert_clear_error(callback(client, "github", params), "expired or was already used")


def test_replayed_code_with_a_copy_of_the_session_is_refused(idp: IdentityServer) -> None:
    """A copy of the session from before the callback replays the code: it is used up."""
    victim, thief = browser(), browser()
    params = idp.login(login_url(victim, "github"))
    before = victim.session
    copy = type(before)()
    for key, value in before.items():
        copy[key] = value
    copy.save()
    thief.cookies["sessionid"] = copy.session_key
    assert 303 == callback(victim, "github", params).status_code
    assert_clear_error(callback(thief, "github", params), "did not accept this login")
    assert False is me(thief)["logged_in"]


def test_wrong_nonce_is_refused(idp: IdentityServer, client: Client) -> None:
    """An ID token whose nonce is not the one this login saved logs nobody in."""
    idp.id_token_claims = {"nonce": "not-the-saved-nonce"}
    response = log_in(client, idp, OIDC_NAME)
    assert_clear_error(response, "could not be verified")
    assert "nonce" in response.content.decode()
    assert False is me(client)["logged_in"]


def test_declined_consent_is_a_clear_403(idp: IdentityServer, client: Client) -> None:
    """error=access_denied from the provider says the reader declined, with a 403."""
    idp.approve = False
    response = log_in(client, idp, "github")
    assert_clear_error(response, "You declined to share your GitHub account")
    assert 403 == response.status_code


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "https://evil.example/posts",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "javascript:alert(1)",
        "/posts/1\r\nLocation: https://evil.example",
        "",
    ],
)
def test_off_site_next_ends_on_the_home_page(
    idp: IdentityServer, client: Client, next_url: str
) -> None:
    """Any next that is not a plain same-site path sends the reader to "/" after login."""
    response = log_in(client, idp, "github", next_url)
    assert (303, "/") == (response.status_code, response["Location"])


def test_same_site_next_keeps_query_and_fragment(idp: IdentityServer, client: Client) -> None:
    """A plain same-site path, with query and fragment, is where the login comes back to."""
    target = "/posts/hello/?page=2#respond-tk1"
    assert target == log_in(client, idp, "github", target)["Location"]


def test_unknown_provider_routes_are_404(client: Client) -> None:
    """Only configured redirect providers have login and callback routes."""
    assert (404, 404, 404) == (
        client.get(f"{PREFIX}/auth/google/login").status_code,
        client.get(f"{PREFIX}/auth/anonymous/login").status_code,
        client.get(f"{PREFIX}/auth/django/callback?code=x&state=y").status_code,
    )


def test_a_provider_named_by_import_path_offers_its_login(client: Client) -> None:
    """PROVIDERS may name a provider object by "module:attribute", as a settings file would."""
    settings = {
        "STORE": "threadkit.memory:MemoryStore",
        "PROVIDERS": ["tkdjango_site.logins:github"],
    }
    with override_settings(THREADKIT=settings):
        offered = "Log in with GitHub" in page(client)
        url = login_url(client, "github")
    assert (True, "https://github.com/login/oauth/authorize", "tk-test-client") == (
        offered,
        url.split("?")[0],
        query(url)["client_id"],
    )


def test_an_unreachable_provider_is_a_clear_503(client: Client) -> None:
    """An OIDC issuer on a closed port: the login route answers a clear page, not a 500."""
    provider = oidc_at(free_port_url(), name="deadidp", label="Dead IdP")
    settings = {"STORE": "threadkit.memory:MemoryStore", "PROVIDERS": [provider]}
    with override_settings(THREADKIT=settings):
        response = client.get(f"{PREFIX}/auth/deadidp/login", {"next": POST})
    assert_clear_error(response, "Dead IdP could not be reached")
    assert 503 == response.status_code


def test_wildcard_allowed_hosts_need_the_base_url(idp: IdentityServer, client: Client) -> None:
    """With ALLOWED_HOSTS ["*"] the callback URL is never taken from Host: the setting is named."""
    with override_settings(ALLOWED_HOSTS=["*"]):
        refused = client.get(f"{PREFIX}/auth/github/login")
        with override_settings(THREADKIT_BASE_URL="https://blog.example.org"):
            url = login_url(client, "github")
    assert (500, True) == (refused.status_code, "THREADKIT_BASE_URL" in refused.content.decode())
    assert "https://blog.example.org/comments/auth/github/callback" == query(url)["redirect_uri"]


# ------------------------------------------------------------------ logout


def test_logout_button_forgets_the_login(idp: IdentityServer, client: Client) -> None:
    """The form's Log out button (POST with Django's CSRF token) logs out, back to the form."""
    log_in(client, idp, OIDC_NAME)
    fields = hidden_fields(page(client), "tk-logout")
    response = client.post(fields.pop("action"), fields)
    assert (303, f"{POST}#respond-tk1") == (response.status_code, response["Location"])
    assert False is me(client)["logged_in"]
    assert "Log in with Test IdP" in page(client)


def test_logout_without_the_csrf_token_or_by_get_is_refused(
    idp: IdentityServer, client: Client
) -> None:
    """A cross-site POST without the token (403) or a GET (405) leaves the reader logged in."""
    log_in(client, idp, OIDC_NAME)
    posted = client.post(f"{PREFIX}/auth/logout", {"next": POST})
    got = client.get(f"{PREFIX}/auth/logout")
    assert (403, 405, True) == (posted.status_code, got.status_code, me(client)["logged_in"])


def test_json_logout_needs_the_csrf_header(idp: IdentityServer, client: Client) -> None:
    """POST /api/logout without the header is a 403 problem; with it, the login is forgotten."""
    log_in(client, idp, "github")
    refused = client.post(f"{PREFIX}/api/logout")
    token = me(client)["csrf_token"]
    done = client.post(f"{PREFIX}/api/logout", headers={"X-Threadkit-CSRF": token})
    assert (403, "csrf_failed") == (refused.status_code, refused.json()["code"])
    assert (200, False) == (done.status_code, done.json()["logged_in"])
    assert token != done.json()["csrf_token"]
    assert False is me(client)["logged_in"]


# ------------------------------------------------------- Django users win


def test_django_user_wins_over_a_social_login(idp: IdentityServer, client: Client) -> None:
    """A Django user who logs in over a social login comments as themselves, not as it."""
    log_in(client, idp, "github")
    user = User.objects.create_user("grace", "grace@example.org", "pw", first_name="Grace")
    client.force_login(user)
    who = me(client)
    comment_id = post_form(client, "As the site's own user")
    author = get_state().engine.get_comment(comment_id).author
    assert ("django", f"django:{user.pk}", "Grace") == (
        who["identity"]["provider"],
        author.key,
        author.name,
    )
    assert ">Log out</button>" not in page(client)  # Django's own logout is the site's


def test_django_logout_ends_the_social_login_too(idp: IdentityServer, client: Client) -> None:
    """django.contrib.auth's logout flushes the session: the social login goes with it."""
    log_in(client, idp, "github")
    client.force_login(User.objects.create_user("grace", "grace@example.org", "pw"))
    client.logout()
    assert (False, None) == (me(client)["logged_in"], me(client)["identity"])


def test_threadkit_logout_leaves_a_django_user_logged_in(
    idp: IdentityServer, client: Client
) -> None:
    """POST /api/logout forgets threadkit's login only; the Django user stays who they are."""
    user = User.objects.create_user("grace", "grace@example.org", "pw", first_name="Grace")
    client.force_login(user)
    token = me(client)["csrf_token"]
    assert (
        200 == client.post(f"{PREFIX}/api/logout", headers={"X-Threadkit-CSRF": token}).status_code
    )
    assert ("django", True) == (me(client)["identity"]["provider"], me(client)["logged_in"])


# ------------------------------------------------------------ conformance


class TestProvidersAsDjangoLoadsThem(IdentityServerProviderSuite):
    """The providers in THREADKIT["PROVIDERS"], as the Django adapter built them, conform."""

    callback_base = f"http://testserver{PREFIX}/auth"

    @pytest.fixture(params=[OIDC_NAME, "github"])
    def provider(
        self, request: pytest.FixtureRequest, idp: IdentityServer
    ) -> RedirectIdentityProvider:
        found = get_state().web.providers[request.param]
        assert "redirect" == found.kind
        return found  # type: ignore[return-value]
