"""``_()`` in the shared templates: the same output as Jinja's newstyle gettext alias.

threadkit installs its own ``_`` (one call instead of Jinja's alias, which
resolves ``gettext`` and calls it through the context, issue 12). Each case is
rendered by both and compared, with and without autoescaping.
"""

from __future__ import annotations

import pytest
from jinja2 import Environment
from threadkit_web import jinja

TEMPLATES = [
    "{{ _('Reply') }}",
    "{{ _('Upvote: %(count)s', count=3) }}",
    "{{ _('to %(name)s', name=who) }}",
    "{{ _('Reply to %(name)s', name=who) }}",
    "{{ _('100%% sure') }}",
    "{{ _('Not in any catalog <b>%(x)s</b>', x=who) }}",
    "{% set t = _('Log in with %(provider)s', provider='<X>') %}{{ t }}|{{ t|length }}",
]


def _pair(language: str, autoescape: bool) -> tuple[Environment, Environment]:
    ours = Environment(autoescape=autoescape)
    jinja.configure(ours, lambda: language)
    stock = Environment(autoescape=autoescape)
    jinja.configure(stock, lambda: language)
    # Jinja's own alias, as install_gettext_callables leaves it.
    from jinja2.ext import _gettext_alias

    stock.globals["_"] = _gettext_alias
    return ours, stock


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("language", ["en", "de", "ar"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_underscore_renders_as_jinjas_newstyle_alias(
    source: str, language: str, autoescape: bool
) -> None:
    """Same text, same escaping of variables and of the message, in every language."""
    ours, stock = _pair(language, autoescape)
    who = '<script>alert("x")</script> & Ada'
    expected = stock.from_string(source).render(who=who)
    assert ours.from_string(source).render(who=who) == expected
    if autoescape and "who" in source:
        assert "<script>" not in expected


def test_underscore_is_threadkits_own() -> None:
    """The installed ``_`` is the one-call version, not Jinja's alias."""
    from jinja2.ext import _gettext_alias

    env = Environment(autoescape=True)
    jinja.configure(env, lambda: "de")
    assert env.globals["_"] is not _gettext_alias
    assert env.from_string("{{ _('Reply') }}").render() == "Antworten"
