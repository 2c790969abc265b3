"""Card reader: PC/SC access, ICAO 9303 eMRTD reading (BAC), staff badges, a virtual card."""
