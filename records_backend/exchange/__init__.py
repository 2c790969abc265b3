"""Export and import of acts, notes and history as versioned JSON Lines."""
