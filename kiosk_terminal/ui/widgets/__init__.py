"""Widgets: right-to-left label, on-screen keyboard."""
