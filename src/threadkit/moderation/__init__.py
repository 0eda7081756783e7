"""Moderation: an ordered pipeline of steps, each returning a verdict."""

from .pipeline import Pipeline

__all__ = ["Pipeline"]
