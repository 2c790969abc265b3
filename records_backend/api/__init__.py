"""The REST API (``/api/v1``), health and metrics."""
