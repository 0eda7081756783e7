"""A tiny host site for the adapter's tests: one post page using the template tag."""
