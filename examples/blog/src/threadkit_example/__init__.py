"""The threadkit example blog: a small Flask site with a real comment section."""

from .app import create_app

__all__ = ["create_app"]
