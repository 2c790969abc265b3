"""Barcode scanner: CDC-ACM serial scanners read with pyserial, plus a simulator."""
