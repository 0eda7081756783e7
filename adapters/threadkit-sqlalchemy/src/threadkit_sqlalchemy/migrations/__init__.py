"""Alembic migrations of threadkit's tables (see ``env.py``)."""
