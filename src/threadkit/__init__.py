"""threadkit: a pluggable comment engine for Python web apps.

The core is pure Python: no web framework, no database driver, no network IO.
Adapters (``threadkit_flask``, ``threadkit_sqlalchemy``, ``threadkit_social``,
``threadkit_akismet``) plug it into the rest of the world through the ports in
:mod:`threadkit.ports`.
"""

from . import errors, models
from .engine import CommentEngine, Decision, EnginePolicy

# The top-level package re-exports every error and model class: their modules'
# ``__all__`` is the one list, so a new model is public here without a second edit.
from .errors import *  # noqa: F403  (re-export; names listed in errors.__all__)
from .models import *  # noqa: F403  (re-export; names listed in models.__all__)

__version__ = "0.1.0"

__all__ = ["CommentEngine", "Decision", "EnginePolicy", "__version__"]
__all__ += errors.__all__
__all__ += models.__all__
