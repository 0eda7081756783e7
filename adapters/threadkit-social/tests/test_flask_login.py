"""Social logins through the Flask adapter's web routes, against a real authorization server.

Each test drives ``<prefix>/auth/<name>/login`` and ``<prefix>/auth/<name>/callback``
with Flask's test client while the browser's trip to the provider goes over
HTTP to :class:`~threadkit_social.testing_server.IdentityServer` on 127.0.0.1.
Two providers are configured: an OpenID Connect one (``testidp``) and GitHub.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login_support import (
    OIDC_LABEL,
    OIDC_NAME,
    PREFIX,
    HungServer,
    ada_by_oidc,
    authorize,
    callback,
    create_site,
    github_at,
    hidden_fields,
    log_in,
    login_url,
    me,
    query,
    silent_server,
    social_providers,
)
from threadkit_flask.auth import SAVED_PREFIX
from threadkit_social.testing import check_authorize_redirect, free_port_url, oidc_at, s256
from threadkit_social.testing_server import IdentityServer
from werkzeug.test import TestResponse

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore

KINDS = [OIDC_NAME, "github"]
LABELS = {OIDC_NAME: OIDC_LABEL, "github": "GitHub"}
CLEAR_ERROR_STATUSES = frozenset([*range(400, 500), 502, 503])


@pytest.fixture
def engine() -> CommentEngine:
    return CommentEngine(MemoryStore())


@pytest.fixture
def site(idp: IdentityServer, engine: CommentEngine) -> Flask:
    return create_site(engine, social_providers(idp))


@pytest.fixture
def client(site: Flask) -> Iterator[FlaskClient]:
    with site.test_client() as test_client:
        yield test_client


def page(client: FlaskClient, path: str = "/posts/1") -> str:
    """Return the post page's HTML."""
    response = client.get(path)
    assert 200 == response.status_code
    return response.get_data(as_text=True)


def assert_clear_error(response: TestResponse, words: str) -> None:
    """The response is an HTML error page (not a 500) whose message contains ``words``."""
    html = response.get_data(as_text=True)
    assert (True, "text/html") == (
        response.status_code in CLEAR_ERROR_STATUSES,
        response.mimetype,
    ), f"{response.status_code}: {html[:300]}"
    assert words in html
    assert "Traceback" not in html


def login_link(html: str, name: str) -> str:
    """Return the href of the form's "Log in with ..." link for provider ``name``."""
    marker = f'href="{PREFIX}/auth/{name}/login?'
    start = html.index(marker) + len('href="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def token_requests(idp: IdentityServer) -> list[tuple[str, str, str]]:
    """The requests the identity server received at its token endpoint."""
    return [entry for entry in idp.requests if entry[1] == "/token"]


# ------------------------------------------------------------------ success


def test_oidc_login_sends_state_pkce_s256_and_nonce(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """The OIDC login route redirects to the authorize endpoint with state, S256 PKCE and nonce."""
    url = login_url(client, OIDC_NAME)
    with client.session_transaction() as session:
        saved = session[SAVED_PREFIX + OIDC_NAME]["saved"]
    redirect_uri = f"http://localhost{PREFIX}/auth/{OIDC_NAME}/callback"
    check_authorize_redirect(url, saved, idp=idp, redirect_uri=redirect_uri)


def test_github_login_sends_state_and_pkce_s256(idp: IdentityServer, client: FlaskClient) -> None:
    """The GitHub login route redirects with state and an S256 challenge, and is not cached."""
    response = client.get(f"{PREFIX}/auth/github/login", query_string={"next": "/posts/1"})
    params = query(response.headers["Location"])
    with client.session_transaction() as session:
        saved = session[SAVED_PREFIX + "github"]["saved"]
    assert (302, "no-store") == (response.status_code, response.headers.get("Cache-Control"))
    assert (saved["state"], s256(saved["code_verifier"]), "S256", "read:user user:email") == (
        params["state"],
        params["code_challenge"],
        params["code_challenge_method"],
        params["scope"],
    )


def test_post_page_offers_both_logins(client: FlaskClient) -> None:
    """Before logging in, the comment form offers "Log in with Test IdP" and "with GitHub"."""
    html = page(client)
    assert "Log in with Test IdP" in html
    assert "Log in with GitHub" in html
    assert f"{PREFIX}/auth/github/login?next=/posts/1%23respond-tk1" in html


@pytest.mark.parametrize("name", KINDS)
def test_round_trip_goes_back_to_next_and_shows_who_is_commenting(
    idp: IdentityServer, client: FlaskClient, name: str
) -> None:
    """After the provider approves, the callback returns to next and the form names the reader."""
    response = log_in(client, idp, name, "/posts/1")
    assert (303, "/posts/1") == (response.status_code, response.headers["Location"])
    html = page(client)
    assert "You are commenting as <strong>Ada Lovelace</strong>" in html
    assert f"({LABELS[name]})." in html
    assert ">Log out</button>" in html
    assert "<summary>Change</summary>" in html
    assert "Log in to comment" not in html


def test_next_keeps_the_comment_box_anchor(idp: IdentityServer, client: FlaskClient) -> None:
    """The form's login link carries #respond-...; the reader lands back on the comment box."""
    html = page(client)
    link = login_link(html, "github")
    start = client.get(link)
    back = callback(client, "github", authorize(idp, start.headers["Location"]))
    assert "/posts/1#respond-tk1" == back.headers["Location"]


def test_oidc_comment_records_the_verified_social_identity(
    idp: IdentityServer, client: FlaskClient, engine: CommentEngine
) -> None:
    """A comment posted after an OIDC login is by the issuer-qualified, verified identity."""
    log_in(client, idp, OIDC_NAME)
    fields = hidden_fields(page(client), "tk-form")
    response = client.post(fields.pop("action"), data={**fields, "body": "Hello from the IdP"})
    assert 303 == response.status_code, response.get_data(as_text=True)
    comment_id = int(response.headers["Location"].rsplit("#comment-", 1)[1])
    expected = ada_by_oidc(OIDC_NAME, idp)
    assert expected == engine.get_comment(comment_id).author


@pytest.fixture
def logged_in(idp: IdentityServer, client: FlaskClient) -> None:
    """``client`` has logged in with GitHub (the test IdP's default user)."""
    log_in(client, idp, "github")


def test_github_comment_shows_the_verified_author_in_the_api(
    client: FlaskClient, logged_in: None, engine: CommentEngine
) -> None:
    """A comment posted after a GitHub login carries provider, verified flag and name, no email."""
    response = client.post(
        f"{PREFIX}/api/threads/post-1/comments",
        json={"body": "Hello from GitHub"},
        headers={"X-Threadkit-CSRF": me(client)["csrf_token"]},
    )
    assert 201 == response.status_code, response.get_data(as_text=True)
    author = response.get_json()["author"]
    assert ("github", True, "Ada Lovelace", "https://github.com/ada") == (
        author["provider"],
        author["verified"],
        author["name"],
        author["url"],
    )
    assert "ada@example.org" not in response.get_data(as_text=True)
    stored = engine.get_comment(response.get_json()["id"]).author
    assert ("github:248289761001", "ada@example.org") == (stored.key, stored.email)
    listed = client.get(f"{PREFIX}/api/threads/post-1").get_data(as_text=True)
    assert "Hello from GitHub" in listed
    assert "ada@example.org" not in listed


def test_api_me_reports_the_social_login(idp: IdentityServer, client: FlaskClient) -> None:
    """``/api/me`` says the reader is logged in with the provider, verified."""
    assert False is me(client)["logged_in"]
    log_in(client, idp, OIDC_NAME)
    body = me(client)
    assert (True, OIDC_NAME, True, "Ada Lovelace") == (
        body["logged_in"],
        body["identity"]["provider"],
        body["identity"]["verified"],
        body["identity"]["name"],
    )


def test_change_replaces_one_social_login_with_another(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """Logging in with GitHub, then with the OIDC provider from "Change", switches identity."""
    log_in(client, idp, "github")
    assert "github" == me(client)["identity"]["provider"]
    log_in(client, idp, OIDC_NAME)
    assert OIDC_NAME == me(client)["identity"]["provider"]
    assert "(Test IdP)." in page(client)


def test_provider_display_name_is_escaped_on_the_page(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """A display name with markup from the provider is shown as text, never as HTML."""
    idp.user = {**idp.user, "name": '<img src=x onerror="alert(1)">'}
    log_in(client, idp, "github")
    html = page(client)
    assert "<img src=x" not in html
    assert "You are commenting as <strong>&lt;img src=x" in html


# ------------------------------------------------------------- single use


def test_replayed_callback_is_refused_with_a_message(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """The saved state is single use: the same callback URL a second time is a clean 4xx."""
    params = authorize(idp, login_url(client, "github"))
    assert 303 == callback(client, "github", params).status_code
    replay = callback(client, "github", params)
    assert_clear_error(replay, "expired or was already used")


def test_replayed_callback_in_another_browser_does_not_log_in(
    idp: IdentityServer, client: FlaskClient, site: Flask
) -> None:
    """A callback URL replayed from another browser (no saved state) logs nobody in."""
    params = authorize(idp, login_url(client, OIDC_NAME))
    assert 303 == callback(client, OIDC_NAME, params).status_code
    with site.test_client() as other:
        replay = callback(other, OIDC_NAME, params)
        assert_clear_error(replay, "expired or was already used")
        assert False is me(other)["logged_in"]


def test_replay_with_the_cookie_from_before_the_callback_is_refused(
    idp: IdentityServer, client: FlaskClient, site: Flask
) -> None:
    """Replaying the callback with a copy of the old session cookie fails: the code is used up."""
    params = authorize(idp, login_url(client, "github"))
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert 303 == callback(client, "github", params).status_code
    with site.test_client() as thief:
        thief.set_cookie("session", cookie.value, domain="localhost")
        replay = callback(thief, "github", params)
        assert_clear_error(replay, "did not accept this login")
        assert False is me(thief)["logged_in"]


def test_failed_callback_uses_up_the_saved_state(idp: IdentityServer, client: FlaskClient) -> None:
    """After a refused callback, the genuine one for the same login no longer works either."""
    params = authorize(idp, login_url(client, "github"))
    assert 400 == callback(client, "github", {**params, "state": "forged"}).status_code
    assert_clear_error(callback(client, "github", params), "expired or was already used")
    assert False is me(client)["logged_in"]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", KINDS)
def test_tampered_state_is_refused_before_the_code_is_used(
    idp: IdentityServer, client: FlaskClient, name: str
) -> None:
    """A callback whose state was changed is refused; the code never reaches the token endpoint."""
    params = authorize(idp, login_url(client, name))
    idp.requests.clear()
    response = callback(client, name, {**params, "state": params["state"][:-2] + "xx"})
    assert_clear_error(response, "does not match the one this browser started")
    assert [] == token_requests(idp)
    assert False is me(client)["logged_in"]


@pytest.mark.parametrize("name", KINDS)
def test_declined_consent_shows_a_clear_message(
    idp: IdentityServer, client: FlaskClient, name: str
) -> None:
    """error=access_denied from the provider says the reader declined and logs nobody in."""
    idp.approve = False
    params = authorize(idp, login_url(client, name))
    assert "access_denied" == params["error"]
    response = callback(client, name, params)
    assert_clear_error(response, f"You declined to share your {LABELS[name]} account")
    assert False is me(client)["logged_in"]


def test_other_provider_error_is_named_and_escaped(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """Another error= from the provider is named on the page, as text, and logs nobody in."""
    state = query(login_url(client, "github"))["state"]
    response = callback(
        client, "github", {"error": "<b>temporarily_unavailable</b>", "state": state}
    )
    assert_clear_error(response, "GitHub could not log you in (&lt;b&gt;temporarily_unavailable")
    assert "<b>temporarily" not in response.get_data(as_text=True)
    assert False is me(client)["logged_in"]


def test_callback_error_page_keeps_its_code_out_of_referrers(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """The error page at the callback URL (code in it) sends Referrer-Policy same-origin."""
    params = authorize(idp, login_url(client, "github"))
    response = callback(client, "github", {**params, "state": "forged"})
    assert (400, "same-origin") == (response.status_code, response.headers.get("Referrer-Policy"))


@pytest.mark.parametrize(
    ("answered", "pending", "says"),
    [
        (OIDC_NAME, "github", "does not match the one this browser started"),
        ("github", OIDC_NAME, "please log in again"),
    ],
    ids=["oidc-answer-to-github", "github-answer-to-oidc"],
)
def test_an_answer_sent_to_the_other_pending_callback_is_refused(
    idp: IdentityServer, client: FlaskClient, answered: str, pending: str, says: str
) -> None:
    """Mix-up: one provider's answer sent to the other's pending callback: refused, code unused."""
    params = authorize(idp, login_url(client, answered))
    login_url(client, pending)
    idp.requests.clear()
    response = callback(client, pending, params)
    assert_clear_error(response, says)
    assert [] == token_requests(idp)
    assert False is me(client)["logged_in"]


def test_callback_for_a_provider_with_no_login_started_is_refused(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """Mix-up: an answer for the OIDC login sent to GitHub's callback, no GitHub login pending."""
    params = authorize(idp, login_url(client, OIDC_NAME))
    response = callback(client, "github", params)
    assert_clear_error(response, "expired or was already used")
    assert False is me(client)["logged_in"]


def test_callback_naming_another_issuer_is_refused(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """Mix-up (RFC 9207): an OIDC callback whose iss names another issuer is refused."""
    params = authorize(idp, login_url(client, OIDC_NAME))
    idp.requests.clear()
    response = callback(client, OIDC_NAME, {**params, "iss": "https://evil.example"})
    assert_clear_error(response, "did not come from Test IdP")
    assert [] == token_requests(idp)
    assert False is me(client)["logged_in"]


def test_mix_up_leaves_the_genuine_login_usable(idp: IdentityServer, client: FlaskClient) -> None:
    """A refused answer at GitHub's callback does not spend the OIDC login it belonged to."""
    login_url(client, "github")
    params = authorize(idp, login_url(client, OIDC_NAME))
    assert 400 == callback(client, "github", params).status_code
    assert 303 == callback(client, OIDC_NAME, params).status_code
    assert OIDC_NAME == me(client)["identity"]["provider"]


def test_declined_change_keeps_the_previous_login(idp: IdentityServer, client: FlaskClient) -> None:
    """Declining a second login (from "Change") leaves the reader logged in as before."""
    log_in(client, idp, "github")
    idp.approve = False
    assert 403 == log_in(client, idp, OIDC_NAME).status_code
    assert ("github", True) == (me(client)["identity"]["provider"], me(client)["logged_in"])


def test_forged_id_token_through_the_callback_is_refused(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """An ID token for another audience makes the callback a clear error, not a login."""
    idp.id_token_claims = {"aud": "someone-else"}
    response = log_in(client, idp, OIDC_NAME)
    assert_clear_error(response, "could not be verified")
    assert False is me(client)["logged_in"]


def test_unknown_provider_routes_are_404(client: FlaskClient) -> None:
    """Only configured redirect providers have login and callback routes."""
    assert (404, 404, 404) == (
        client.get(f"{PREFIX}/auth/google/login").status_code,
        client.get(f"{PREFIX}/auth/anonymous/login").status_code,
        client.get(f"{PREFIX}/auth/facebook/callback?code=x&state=y").status_code,
    )


def test_csrf_token_known_before_login_stops_working_after_it(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """A CSRF token from before the login (e.g. planted with the cookie) cannot post as the user."""
    before = me(client)["csrf_token"]
    log_in(client, idp, "github")
    response = client.post(
        f"{PREFIX}/api/threads/post-1/comments",
        json={"body": "Posted by a cross-site form with the old token"},
        headers={"X-Threadkit-CSRF": before},
    )
    assert 403 == response.status_code
    assert before != me(client)["csrf_token"]


def test_two_logins_started_with_long_next_values_fit_in_the_cookie(
    idp: IdentityServer, client: FlaskClient
) -> None:
    """Pending logins with long (but accepted) next values keep the session cookie under 4 KB."""
    long_next = [f"/posts/1?q={secrets.token_urlsafe(1500)}"[:2000] for _ in range(2)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        login_url(client, "github", long_next[0])
        response = client.get(
            f"{PREFIX}/auth/{OIDC_NAME}/login", query_string={"next": long_next[1]}
        )
    assert ([], True) == (
        [str(warning.message)[:80] for warning in caught],
        len(response.headers["Set-Cookie"]) <= 4093,
    )


# -------------------------------------------------------------------- next

HOSTILE_NEXT = [
    "//evil.example",
    "//evil.example/posts/1",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "https://evil.example/posts/1",
    "http:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f%5cevil.example",
    "/%252F%252Fevil.example",
    "/./%2F/evil.example",
    "/..//evil.example",
    "/\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\r\n/evil.example",
    "/posts/1\r\nLocation: https://evil.example",
    "/posts/1\x00",
    "/\u2028/evil.example",
    "/%09/evil.example",
    "posts/1",
    "",
]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_off_site_next_ends_on_the_home_page(
    idp: IdentityServer, client: FlaskClient, next_url: str
) -> None:
    """Any next that is not a plain same-site path sends the reader to "/" after login."""
    response = log_in(client, idp, "github", next_url)
    location = response.headers["Location"]
    resolved = urlsplit(urljoin(f"http://localhost{PREFIX}/auth/github/callback", location))
    assert (303, "/") == (response.status_code, location)
    assert ("http", "localhost") == (resolved.scheme, resolved.netloc)


def test_missing_next_ends_on_the_home_page(idp: IdentityServer, client: FlaskClient) -> None:
    """A login started without next comes back to "/"."""
    assert "/" == log_in(client, idp, OIDC_NAME, None).headers["Location"]


@pytest.mark.parametrize(
    "next_url", ["/posts/1?page=2#comment-7", "/posts/caf%C3%A9", "/posts/1#respond-tk1"]
)
def test_same_site_next_is_kept(idp: IdentityServer, client: FlaskClient, next_url: str) -> None:
    """A plain same-site path, with query and fragment, is where the login comes back to."""
    assert next_url == log_in(client, idp, "github", next_url).headers["Location"]


# ------------------------------------------------------------ unreachable


def test_unreachable_oidc_provider_gives_a_clear_page_at_login(engine: CommentEngine) -> None:
    """An OIDC issuer on a closed port: the login route answers with a clear page, not a 500."""
    dead = free_port_url()
    provider = oidc_at(dead, name="deadidp", label="Dead IdP")
    with create_site(engine, [provider]).test_client() as client:
        response = client.get(f"{PREFIX}/auth/deadidp/login?next=/posts/1")
        assert_clear_error(response, "Dead IdP could not be reached")
        assert 503 == response.status_code  # the provider's outage, not the reader's mistake
        assert False is me(client)["logged_in"]


def test_unreachable_github_token_endpoint_gives_a_clear_page(engine: CommentEngine) -> None:
    """GitHub's token endpoint on a closed port: the callback is a clear page, not a 500."""
    dead = free_port_url()
    provider = github_at(dead)
    with create_site(engine, [provider]).test_client() as client:
        state = query(login_url(client, "github"))["state"]
        response = callback(client, "github", {"code": "abc", "state": state})
        assert_clear_error(response, "GitHub could not be reached")
        assert False is me(client)["logged_in"]


def test_hung_provider_times_out_with_a_clear_page(engine: CommentEngine) -> None:
    """An OIDC issuer that accepts connections but never answers times out into a clear page."""
    with silent_server() as hung:
        provider = oidc_at(hung, name="slowidp", label="Slow IdP", timeout=0.5)
        with create_site(engine, [provider]).test_client() as client:
            response = client.get(f"{PREFIX}/auth/slowidp/login?next=/posts/1")
            assert_clear_error(response, "Slow IdP could not be reached")


def test_hung_provider_does_not_make_logins_wait_for_each_other(engine: CommentEngine) -> None:
    """Readers logging in at once with a hung OIDC issuer all reach it together, not in a queue."""
    readers = 3
    with HungServer() as hung:
        # A timeout longer than wait_for's limit: a queued login could not connect in time.
        provider = oidc_at(hung.base_url, name="slowidp", label="Slow IdP", timeout=60)
        site = create_site(engine, [provider])

        def one_login() -> int:
            with site.test_client() as reader:
                return reader.get(f"{PREFIX}/auth/slowidp/login").status_code

        with ThreadPoolExecutor(max_workers=readers) as pool:
            logins = [pool.submit(one_login) for _ in range(readers)]
            all_in_flight = hung.wait_for(readers, within=30)
            hung.release()
            statuses = [login.result() for login in logins]
    assert (True, [True] * readers) == (
        all_in_flight,
        [status in CLEAR_ERROR_STATUSES for status in statuses],
    ), statuses


@pytest.mark.parametrize("name", KINDS)
def test_provider_failing_after_consent_gives_a_clear_page(
    idp: IdentityServer, client: FlaskClient, name: str
) -> None:
    """A provider whose token endpoint answers 503 after consent gives a clear page."""
    params = authorize(idp, login_url(client, name))
    idp.fail_status = 503
    response = callback(client, name, params)
    assert_clear_error(response, "could not be reached or gave an unexpected answer")
    assert False is me(client)["logged_in"]


# ------------------------------------------------------------------ logout


def log_out(client: FlaskClient) -> tuple[TestResponse, str]:
    """Press the post page's Log out button; return the answer and the CSRF token it sent."""
    fields = hidden_fields(page(client), "tk-logout")
    return client.post(fields.pop("action"), data=fields), fields["csrf_token"]


def test_logout_with_the_csrf_token_forgets_the_login(client: FlaskClient, logged_in: None) -> None:
    """The form's Log out button (POST with the CSRF token) logs out and returns to the post."""
    response, _ = log_out(client)
    assert (303, "/posts/1#respond-tk1") == (response.status_code, response.headers["Location"])
    assert False is me(client)["logged_in"]
    html = page(client)
    assert "You are commenting as" not in html
    assert "Log in with GitHub" in html


def test_csrf_token_from_before_logout_stops_working(client: FlaskClient, logged_in: None) -> None:
    """After logging out, the logged-in page's CSRF token cannot post in that browser's name."""
    _, token = log_out(client)
    response = client.post(
        f"{PREFIX}/api/threads/post-1/comments",
        json={"body": "Posted with the token from before the logout", "name": "Guest"},
        headers={"X-Threadkit-CSRF": token},
    )
    assert 403 == response.status_code


def test_get_logout_does_not_log_out(client: FlaskClient, logged_in: None) -> None:
    """A GET to the logout URL (a link or image on another site) does not log the reader out."""
    response = client.get(f"{PREFIX}/auth/logout")
    assert 405 == response.status_code
    assert True is me(client)["logged_in"]


def test_logout_without_the_csrf_token_is_refused(idp: IdentityServer, client: FlaskClient) -> None:
    """A cross-site POST to logout without the token is refused and the reader stays in."""
    log_in(client, idp, OIDC_NAME)
    response = client.post(f"{PREFIX}/auth/logout", data={"next": "/posts/1"})
    assert 403 == response.status_code
    assert True is me(client)["logged_in"]
