"""Fleet manager: terminal registry, telemetry ingest, status, alerts, commands, dashboard."""
