"""The fleet dashboard: server-rendered pages in Arabic and French."""
