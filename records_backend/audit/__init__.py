"""The hash-chained audit log: who did or read what, when, from where."""
