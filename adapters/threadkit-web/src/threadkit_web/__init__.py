"""threadkit's framework-neutral web layer.

What every web adapter (Flask, Django, the standalone server) needs and is not about
the framework lives here once: the Jinja templates of the comment section, its CSS and
JavaScript, the gettext catalogs, and (as it moves here) request parsing, problem
mapping and the rendering context. Nothing here imports a web framework.
"""

from threadkit_web.assets import CATALOGS, STATIC, TEMPLATES

__all__ = ["CATALOGS", "STATIC", "TEMPLATES"]
