"""The ``threadkit`` management command."""
