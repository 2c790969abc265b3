"""Alert rules, their hysteresis and escalation, and their delivery."""
