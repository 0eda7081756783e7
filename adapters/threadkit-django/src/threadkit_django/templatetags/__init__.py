"""The ``{% load threadkit %}`` template tag library."""
