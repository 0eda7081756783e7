"""One message for an empty comment on Django: the JSON API and the no-JS form agree, translated.

The English is the code table's (``threadkit.codes.CODES["empty_body"].message``),
translated by the code in the reader's language (``Accept-Language`` here).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django_api import sender
from threadkit_web import i18n

from threadkit.codes import CODES
from threadkit.testing.api_steps import check_empty_comment_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_state")]


def _form_error(client: Client, language: str) -> str:
    """The error the no-JS form shows for an empty comment."""
    page = client.get("/posts/hello/", headers={"Accept-Language": language}).content.decode()
    form = page[page.index('class="tk-form"') :]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form[: form.index("</form>")]))
    failed = client.post(
        "/comments/threads/hello/comments",
        dict(fields, name="Ada", body=" "),
        headers={"Accept-Language": language},
    )
    assert 422 == failed.status_code
    found = re.search(r'class="tk-error"[^>]*>\s*(?:<p>)?([^<]+)', failed.content.decode())
    assert found is not None
    return unescape(found[1]).strip()


@pytest.mark.parametrize("language", ["en", "de", "pl"])
def test_an_empty_comment_reads_the_same_over_json_and_the_form(language: str) -> None:
    """POST a blank comment and a blank preview as JSON, then by the form: one message."""
    client = Client(enforce_csrf_checks=True)
    me = client.get("/comments/api/me").json()
    headers = {me["csrf_header"]: me["csrf_token"], "Accept-Language": language}
    expected = i18n.translations(language).gettext(CODES["empty_body"].message)
    check_empty_comment_problem(sender(client), "/comments/api", "hello", headers, expected)
    assert expected == _form_error(client, language)
    assert (language == "en") == (expected == "Please write a comment before posting.")
