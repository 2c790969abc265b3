"""The kiosk journeys as state machines: no Kivy, no I/O of their own."""
