"""Read a form out of a server-rendered page, as a test posting it back needs.

No HTML parser and no web framework: threadkit's templates write every hidden
input as ``<input type="hidden" name="..." value="...">``, which is what this
reads (Jinja's and Django's attribute escaping undone).

>>> page = ('<form class="tk-logout" method="post" action="/c/auth/logout">'
...         '<input type="hidden" name="next" value="/p?a=1&amp;b=2"></form>')
>>> hidden_fields(page, "tk-logout")
{'action': '/c/auth/logout', 'next': '/p?a=1&b=2'}
"""

from __future__ import annotations

import html
import re

__all__ = ["hidden_fields"]


def hidden_fields(page: str, form_class: str) -> dict[str, str]:
    """Return the action and hidden inputs of the first ``<form class="<form_class>" ...>``.

    Raises ``AssertionError`` when the page has no such form.
    """
    found = re.search(
        rf'<form[^>]*class="{re.escape(form_class)}"[^>]*action="([^"]+)"[^>]*>(.*?)</form>',
        page,
        re.S,
    )
    assert found is not None, f"no form {form_class} in the page"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found[2])
    return {"action": html.unescape(found[1]), **{k: html.unescape(v) for k, v in fields}}
