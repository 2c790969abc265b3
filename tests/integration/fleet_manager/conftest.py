"""The fleet tests' listening MQTT client, as a fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fleet_helpers import Probe

from central_broker.runner import RunningBroker


@pytest.fixture
def probe(mosquitto: RunningBroker) -> Iterator[Probe]:
    p = Probe(mosquitto.host, mosquitto.port)
    try:
        yield p
    finally:
        p.close()
