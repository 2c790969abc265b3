"""Office events published to the broker ("request ready for pickup"), after the commit.

Only the office and the request code travel (``protocol.messages.RequestReady``), never who
asked or for what. Publishing is best effort: the request's state is in the database; a
kiosk that missed the event still sees the state when the code is looked up.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from protocol.codec import encode
from protocol.messages import RequestReady
from protocol.topics import OfficeChannel, Topics

log = logging.getLogger(__name__)


class OfficeEvents(Protocol):
    def request_ready(self, office: str, code: str) -> None: ...

    def close(self) -> None: ...


class NoEvents:
    """When no broker is configured."""

    def request_ready(self, office: str, code: str) -> None:
        log.debug("no broker configured: request %s ready at %s not announced", code, office)

    def close(self) -> None:
        return None


class MqttOfficeEvents:
    """One paho client with its own network thread; reconnects by itself."""

    def __init__(self, host: str, port: int, root: str, client_id: str = "sijill-records") -> None:
        self.topics = Topics(root)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
        )
        self.client.reconnect_delay_set(1, 30)
        self._lock = threading.Lock()
        self.client.connect_async(host, port, keepalive=30)
        self.client.loop_start()

    def request_ready(self, office: str, code: str) -> None:
        payload = encode(RequestReady(office=office, request_code=code))
        with self._lock:
            info = self.client.publish(
                self.topics.office(office, OfficeChannel.REQUEST_READY), payload, qos=1
            )
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            log.warning("request-ready for %s not queued (rc=%s)", code, info.rc)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
