"""One Jinja setup for the shared templates: the i18n extension and its catalogs.

Flask calls :func:`configure` on its app's environment; an adapter whose
framework has no Jinja environment of its own (Django) builds one with
:func:`environment`. Either way the templates' ``_()`` and ``ngettext()`` read
the catalog of the reader's language from the template's ``tk`` helper (one
look-up per render), else ask ``current_language()``.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Sequence
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import assets, i18n

__all__ = ["configure", "environment"]


def _catalog_of(
    context: Context, current_language: Callable[[], str]
) -> gettext.NullTranslations:
    # A page calls _() several times per comment; the helper has the catalog at hand.
    found = getattr(context.get("tk"), "translations", None)
    if isinstance(found, gettext.NullTranslations):
        return found
    return i18n.translations(current_language())


def configure(env: jinja2.Environment, current_language: Callable[[], str]) -> None:
    """Add the i18n extension with threadkit's catalogs to ``env``."""

    @pass_context
    def template_gettext(context: Context, message: str) -> str:
        return _catalog_of(context, current_language).gettext(message)

    @pass_context
    def template_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
        return _catalog_of(context, current_language).ngettext(singular, plural, count)

    @pass_context
    def template_underscore(context: Context, message: str, **variables: Any) -> str:
        # Jinja's newstyle gettext, without the two layers its ``_`` alias adds
        # (resolve ``gettext``, call it through the context): a comment calls
        # ``_()`` five times, and those layers were a tenth of an HTML page.
        text: str = _catalog_of(context, current_language).gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    env.add_extension("jinja2.ext.i18n")
    # newstyle: "%(name)s" placeholders are filled and autoescaped by Jinja itself.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        template_gettext, template_ngettext, newstyle=True
    )
    env.globals["_"] = template_underscore


def environment(
    current_language: Callable[[], str], *, loaders: Sequence[jinja2.BaseLoader] = ()
) -> jinja2.Environment:
    """Return an autoescaping environment over the shared templates, configured for i18n.

    ``loaders`` come first, so a site's own ``threadkit/*.html`` overrides win.

    >>> env = environment(lambda: "de")
    >>> env.from_string("{{ _('Reply') }}").render()
    'Antworten'
    """
    loader = jinja2.ChoiceLoader([*loaders, jinja2.FileSystemLoader(str(assets.TEMPLATES))])
    env = jinja2.Environment(loader=loader, autoescape=True)
    configure(env, current_language)
    return env
