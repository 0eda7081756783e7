"""Django migrations of threadkit_django (a table-less model; comments live in the store)."""
