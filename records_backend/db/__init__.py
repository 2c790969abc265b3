"""Persistence: ORM models, engine set-up, migrations and repositories."""
