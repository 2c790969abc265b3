"""Staff badge profile: the card's serial, unlocked by the holder's PIN."""

from __future__ import annotations

from drivers.card.apdu import SW_OK, Apdu, CardChannel
from drivers.card.interface import BadgeIdentity
from drivers.errors import AuthenticationFailed, CardError, UnknownCard

BADGE_AID = bytes.fromhex("F0534A494C4C0142")
PIN_LENGTH = 8


def pin_block(pin: str) -> bytes:
    """ASCII digits padded with 0xFF to 8 bytes (ISO 7816-4 VERIFY format of the badge)."""
    if not (4 <= len(pin) <= PIN_LENGTH and pin.isdigit()):
        raise ValueError("a PIN is 4 to 8 digits")
    return pin.encode("ascii").ljust(PIN_LENGTH, b"\xff")


def read_serial(channel: CardChannel, timeout: float) -> str:
    """The card's serial (UID) through the PC/SC GET DATA pseudo-APDU."""
    data, sw = channel.transmit(Apdu(0xFF, 0xCA, 0x00, 0x00, le=0).to_bytes(), timeout)
    if sw != SW_OK or not data:
        raise CardError("card serial not readable", sw)
    return data.hex().upper()


def select_badge(channel: CardChannel, timeout: float) -> None:
    _, sw = channel.transmit(Apdu(0x00, 0xA4, 0x04, 0x0C, BADGE_AID).to_bytes(), timeout)
    if sw != SW_OK:
        raise UnknownCard("not a Sijill staff badge")


def verify_pin(channel: CardChannel, pin: str, timeout: float) -> None:
    _, sw = channel.transmit(Apdu(0x00, 0x20, 0x00, 0x81, pin_block(pin)).to_bytes(), timeout)
    if sw == SW_OK:
        return
    if sw == 0x6983:
        raise AuthenticationFailed("badge blocked: too many wrong PINs")
    if sw & 0xFFF0 == 0x63C0:
        raise AuthenticationFailed(f"wrong PIN, {sw & 0x0F} tries left")
    raise CardError("PIN verification failed", sw)


def read_badge(channel: CardChannel, pin: str, timeout: float = 5.0) -> BadgeIdentity:
    select_badge(channel, timeout)
    verify_pin(channel, pin, timeout)
    return BadgeIdentity(serial=read_serial(channel, timeout))
