"""Helpers for the example blog's tests: its environment and a tiny HTML form reader."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

LONG_THREAD = 1050


def example_env(data: Path, **extra: str) -> dict[str, str]:
    """The environment a newcomer would have, pointed at a temporary data folder."""
    return {
        "THREADKIT_EXAMPLE_DATA": str(data),
        "THREADKIT_EXAMPLE_LONG_THREAD": str(LONG_THREAD),
        "THREADKIT_EXAMPLE_FLOOD_SECONDS": "0",
        **extra,
    }


class Form:
    """One HTML form: where it posts and the values its fields would send."""

    def __init__(self, action: str, method: str) -> None:
        self.action = action
        self.method = method.upper()
        self.fields: dict[str, str] = {}
        self.names: list[str] = []


class FormReader(HTMLParser):
    """Collect every form on a page with its inputs' names and default values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(values.get("action", ""), values.get("method", "get"))
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = values.get("name")
            if not name:
                return
            self._current.names.append(name)
            kind = values.get("type", "")
            if tag == "input" and kind in ("checkbox", "radio") and "checked" not in values:
                return
            if tag == "button" or kind == "submit":
                return
            self._current.fields.setdefault(name, values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_on(html: str) -> list[Form]:
    """Every form on ``html``."""
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def comment_form(html: str) -> Form:
    """The "Leave a Reply" form: the one with a body field and no comment to edit."""
    for form in forms_on(html):
        if "body" in form.names and "parent_id" in form.names:
            return form
    raise AssertionError("no comment form on the page")
