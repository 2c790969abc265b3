"""Receipt printer: layout, ESC/POS encoding, real driver, simulator and decoder."""
