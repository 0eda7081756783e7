"""One message per reader-facing code: the JSON API and the no-JS form say the same, translated.

The English is the code table's ``message`` (:data:`threadkit.codes.CODES`); the
catalogs translate it by the code, for a problem's ``detail`` as for the HTML page.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask.testing import FlaskClient
from threadkit_web import i18n
from tkflask_support import api_headers, sender

from threadkit.codes import CODES
from threadkit.testing.api_steps import check_empty_comment_problem

PAGE = "/posts/post-1"


def test_the_marked_messages_are_the_code_tables() -> None:
    """ERROR_MESSAGES (what Babel extracts) is the code table's messages, nothing more or less."""
    table = {code: entry.message for code, entry in CODES.items() if entry.message}
    assert table == i18n.ERROR_MESSAGES


def _form_error(client: FlaskClient, language: str) -> str:
    """The error the no-JS form shows for an empty comment."""
    headers = {"Accept-Language": language}
    html = client.get(PAGE, headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]  # type: ignore[index]
    response = client.post(
        "/comments/threads/post-1/comments",
        data={"csrf_token": token, "body": "  ", "name": "Ada", "next": PAGE},
        headers=headers,
    )
    assert 422 == response.status_code
    found = re.search(r'class="tk-error"[^>]*>\s*(?:<p>)?([^<]+)', response.get_data(as_text=True))
    assert found is not None
    return unescape(found[1]).strip()


@pytest.mark.parametrize("language", ["en", "de", "ar", "ja"])
def test_an_empty_comment_reads_the_same_over_json_and_the_form(
    client: FlaskClient, language: str
) -> None:
    """Posting and previewing over JSON, and the no-JS form: one empty_body message."""
    headers = {**api_headers(client), "Accept-Language": language}
    expected = i18n.translations(language).gettext(CODES["empty_body"].message)
    check_empty_comment_problem(sender(client), "/comments/api", "post-1", headers, expected)
    assert expected == _form_error(client, language)
    assert (language == "en") == (expected == "Please write a comment before posting.")
