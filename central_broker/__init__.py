"""central_broker."""
