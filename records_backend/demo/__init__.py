"""Synthetic but plausible Meknes civil-status data for demonstrations and benchmarks."""
