"""The fleet tests' listening MQTT client, as a fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from central_broker.runner import RunningBroker
from tests.integration.fleet_manager.fleet_helpers import Probe


@pytest.fixture
def probe(mosquitto: RunningBroker) -> Iterator[Probe]:
    p = Probe(mosquitto.host, mosquitto.port)
    try:
        yield p
    finally:
        p.close()
