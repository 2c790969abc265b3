"""Device errors the kiosk maps to screens: one small hierarchy for all three devices."""

# The names are the contract the kiosk codes against (DeviceUnavailable, DeviceTimeout…).
# ruff: noqa: N818

from __future__ import annotations


class DeviceError(Exception):
    """Base of every driver error. Messages never contain identity data."""


class DeviceUnavailable(DeviceError):
    """The device (or its daemon, reader, port) is not there or went away."""


class DeviceTimeout(DeviceError):
    """A blocking call did not finish within its timeout."""


class DeviceBusy(DeviceError):
    """The device is in a state that refuses work right now (cover open, paper out)."""


class PaperOut(DeviceBusy):
    """The printer has no paper; the job is kept and printed again once paper is back."""


class CoverOpen(DeviceBusy):
    """The printer's cover is open."""


class CardRemoved(DeviceUnavailable):
    """The card left the reader during an exchange."""


class UnknownCard(DeviceError):
    """The card in the reader is not one Sijill can read (no eMRTD, no badge application)."""


class AuthenticationFailed(DeviceError):
    """The card refused the keys (wrong MRZ data typed, wrong PIN)."""


class SecureMessagingError(DeviceError):
    """A protected response failed its MAC or could not be decrypted."""


class CardError(DeviceError):
    """The card answered with an unexpected status word."""

    def __init__(self, message: str, sw: int | None = None) -> None:
        super().__init__(message if sw is None else f"{message} (SW {sw:04X})")
        self.sw = sw
