"""Sijill: shared runtime (command line, settings, logs, demo supervisor)."""

__version__ = "0.1.0"
