"""Use cases: domain rules applied to the database, each change audited. No web code."""
