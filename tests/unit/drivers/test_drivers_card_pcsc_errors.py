"""PC/SC result codes become the errors the kiosk handles."""

from __future__ import annotations

import pytest
from smartcard import scard

from drivers.card.pcsc import ReaderMonitor, error_for
from drivers.errors import CardRemoved, DeviceError, DeviceTimeout, DeviceUnavailable
from protocol.health import HealthState


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (scard.SCARD_W_REMOVED_CARD, CardRemoved),
        (scard.SCARD_E_NO_SMARTCARD, CardRemoved),
        (scard.SCARD_E_NOT_TRANSACTED, CardRemoved),
        (scard.SCARD_E_NO_SERVICE, DeviceUnavailable),
        (scard.SCARD_E_READER_UNAVAILABLE, DeviceUnavailable),
        (scard.SCARD_E_UNKNOWN_READER, DeviceUnavailable),
        (scard.SCARD_E_TIMEOUT, DeviceTimeout),
    ],
)
def test_result_codes_map_to_driver_errors(code: int, kind: type[DeviceError]) -> None:
    error = error_for(code, "reading")
    assert type(error) is kind
    assert str(error).startswith("reading: ")


def test_other_codes_stay_generic_device_errors() -> None:
    assert type(error_for(scard.SCARD_E_INVALID_PARAMETER, "x")) is DeviceError


def test_monitor_health_before_it_runs_is_unknown() -> None:
    monitor = ReaderMonitor("Virtual PCD 00 00")
    assert monitor.health().state is HealthState.UNKNOWN
