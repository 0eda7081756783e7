"""The example blog: nobody posts as the demo moderator without its login."""

from __future__ import annotations

from blog_test_support import comment_form
from flask.testing import FlaskClient

SOURDOUGH = "/posts/sourdough-in-a-cold-kitchen"


def test_an_anonymous_demo_moderator_lookalike_is_refused(client: FlaskClient) -> None:
    """A look-alike of "Demo Moderator" typed into the form is refused and stored nowhere."""
    form = comment_form(client.get(SOURDOUGH).get_data(as_text=True))
    lookalike = "Dem0 M\u043ederator"  # a zero, and a Cyrillic o
    fields = {**form.fields, "name": lookalike, "body": "Official: comments close."}
    response = client.post(form.action, data=fields)
    assert (422, True, False) == (
        response.status_code,
        "a name reserved on this site" in response.get_data(as_text=True),
        "Official: comments close." in client.get(SOURDOUGH).get_data(as_text=True),
    )
