"""records_backend."""
