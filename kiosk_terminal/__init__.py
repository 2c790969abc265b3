"""kiosk_terminal."""
