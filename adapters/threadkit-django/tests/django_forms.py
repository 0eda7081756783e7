"""Reading a rendered comment form in the Django tests."""

from __future__ import annotations

import re


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the first comment form on ``page``."""
    form = page[page.index('class="tk-form"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
