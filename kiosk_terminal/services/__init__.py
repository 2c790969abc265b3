"""Ports (small interfaces) the core uses, the outbox, and adapters to the real pieces."""
