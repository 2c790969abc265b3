"""Protocol version and limits shared by every component."""

from typing import Final

#: Version carried by every message, topic root and QR payload.
PROTOCOL_VERSION: Final = 1

#: Largest MQTT payload any Sijill component accepts (bytes). Telemetry is ~1 KiB;
#: anything near this limit is a bug or an attack and is dropped before parsing.
MAX_PAYLOAD_BYTES: Final = 64 * 1024
