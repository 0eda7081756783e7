"""threadkit for Flask: a full comment section under any page, in a few lines.

>>> from flask import Flask
>>> from threadkit.memory import MemoryStore
>>> app = Flask(__name__)
>>> app.secret_key = "change me"
>>> ext = ThreadKit(app, store=MemoryStore())
>>> app.extensions["threadkit"].settings.url_prefix
'/comments'

Then, in any template: ``{{ threadkit.thread("post-42", title=post.title,
url=request.path) }}``. See ``docs/flask.md`` for configuration, identity
providers, moderation and the JSON API.
"""

from .extension import ThreadKit
from .state import ThreadKitState, get_state

__all__ = ["ThreadKit", "ThreadKitState", "get_state"]
