"""Sijill's virtual cards: the applets behind the simulator (no I/O).

An eMRTD (BAC, secure messaging, EF.COM, DG1), a staff badge (serial + PIN), a blank card.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from drivers.card.apdu import Apdu, tlv
from drivers.card.badge import BADGE_AID
from drivers.card.crypto import decrypt, encrypt, pad, retail_mac
from drivers.card.emrtd import EF_COM, EF_DG1, EMRTD_AID, basic_keys, session_keys
from drivers.card.mrz import BacKey, check_digit
from drivers.card.sm import SecureMessaging
from drivers.errors import SecureMessagingError


def atr_bytes(historical: bytes) -> bytes:
    # TS, T0 (TD1 + K historical bytes), TD1 (TD2 follows, T=0), TD2 (T=1), history, TCK.
    body = bytes((0x80 | len(historical), 0x80, 0x01)) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes((tck,))


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


class Applet(Protocol):
    atr: bytes

    def reset(self) -> None: ...

    def process(self, apdu: bytes) -> bytes:
        """Response data followed by the two status bytes."""
        ...


class BlankApplet:
    """A card with nothing Sijill knows (a bank card, say)."""

    atr = atr_bytes(b"BLANK")

    def reset(self) -> None:
        pass

    def process(self, apdu: bytes) -> bytes:
        return _sw(0x6A82)


def td1_mrz(
    document_number: str,
    birth_date: str,
    expiry_date: str,
    surname: str,
    given_names: str,
    sex: str = "F",
    nationality: str = "MAR",
    issuing_state: str = "MAR",
) -> str:
    """A valid TD1 MRZ (identity card, 3 x 30), check digits included."""
    number = document_number.ljust(9, "<")
    line1 = f"ID{issuing_state}{number}{check_digit(number)}".ljust(30, "<")
    line2 = (
        f"{birth_date}{check_digit(birth_date)}{sex}{expiry_date}{check_digit(expiry_date)}"
        f"{nationality}"
    ).ljust(29, "<")
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    names = f"{surname}<<{given_names}".replace(" ", "<").replace("-", "<")
    return line1 + line2 + names.ljust(30, "<")[:30]


class EmrtdApplet:
    """An eMRTD chip: LDS application, BAC, secure messaging, EF.COM and DG1."""

    atr = atr_bytes(b"SIJILLMRTD")

    def __init__(self, mrz: str, key: BacKey, rng: Callable[[int], bytes] = os.urandom) -> None:
        self.key = key
        self.rng = rng
        mrz_bytes = mrz.encode("ascii")
        self.files = {
            EF_COM: tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, b"\x61")),
            EF_DG1: tlv(0x61, tlv(0x5F1F, mrz_bytes)),
        }
        self.reset()

    def reset(self) -> None:
        self.selected_app = False
        self.rnd_ic: bytes | None = None
        self.sm: SecureMessaging | None = None
        self.current: bytes | None = None

    def process(self, raw: bytes) -> bytes:
        try:
            if raw[0] & 0x0C == 0x0C:
                return self._secure(raw)
            return self._plain(Apdu.parse(raw))
        except SecureMessagingError:
            self.sm = None  # a broken MAC ends the session, as on a real chip
            return _sw(0x6988)
        except (ValueError, IndexError, KeyError):
            return _sw(0x6700)

    def _plain(self, apdu: Apdu) -> bytes:
        if apdu.ins == 0xA4 and apdu.p1 == 0x04:
            self.reset()
            self.selected_app = apdu.data == EMRTD_AID
            return _sw(0x9000 if self.selected_app else 0x6A82)
        if not self.selected_app:
            return _sw(0x6985)
        if apdu.ins == 0x84:
            self.rnd_ic = self.rng(8)
            return self.rnd_ic + _sw(0x9000)
        if apdu.ins == 0x82:
            return self._external_authenticate(apdu.data)
        if apdu.ins in (0xA4, 0xB0):
            return _sw(0x6982)  # files need secure messaging
        return _sw(0x6D00)

    def _external_authenticate(self, data: bytes) -> bytes:
        if self.rnd_ic is None or len(data) != 40:
            return _sw(0x6985)
        k_enc, k_mac = basic_keys(self.key)
        e_ifd, m_ifd = data[:32], data[32:]
        if retail_mac(k_mac, pad(e_ifd)) != m_ifd:
            return _sw(0x6300)  # wrong MRZ data typed: the reader's keys differ
        plain = decrypt(k_enc, e_ifd)
        rnd_ifd, k_ifd = plain[:8], plain[16:32]
        if plain[8:16] != self.rnd_ic:
            return _sw(0x6300)
        k_ic = self.rng(16)
        e_ic = encrypt(k_enc, self.rnd_ic + rnd_ifd + k_ic)
        self.sm = SecureMessaging(session_keys(k_ifd, k_ic, self.rnd_ic, rnd_ifd))
        self.rnd_ic = None
        return e_ic + retail_mac(k_mac, pad(e_ic)) + _sw(0x9000)

    def _secure(self, raw: bytes) -> bytes:
        if self.sm is None:
            return _sw(0x6988)
        apdu = self.sm.open_command(raw)
        data, sw = b"", 0x9000
        if apdu.ins == 0xA4 and apdu.p1 == 0x02:
            fid = int.from_bytes(apdu.data, "big")
            self.current = self.files.get(fid)
            sw = 0x9000 if self.current is not None else 0x6A82
        elif apdu.ins == 0xB0:
            if self.current is None:
                sw = 0x6986
            else:
                offset = (apdu.p1 & 0x7F) << 8 | apdu.p2
                length = apdu.le or 256
                data = self.current[offset : offset + length]
                sw = 0x9000 if offset <= len(self.current) else 0x6B00
        else:
            sw = 0x6D00
        return self.sm.seal_response(data, sw) + _sw(0x9000)


class BadgeApplet:
    """A staff badge: a serial readable by GET DATA (FF CA) and a PIN with a try counter."""

    atr = atr_bytes(b"SIJILLBADGE")

    def __init__(self, serial: bytes, pin: str, tries: int = 3) -> None:
        self.serial = serial
        self.pin = pin
        self.max_tries = tries
        self.tries_left = tries
        self.reset()

    def reset(self) -> None:
        self.selected = False

    def process(self, raw: bytes) -> bytes:
        apdu = Apdu.parse(raw)
        if apdu.cla == 0xFF and apdu.ins == 0xCA:
            return self.serial + _sw(0x9000)
        if apdu.ins == 0xA4 and apdu.p1 == 0x04:
            self.selected = apdu.data == BADGE_AID
            return _sw(0x9000 if self.selected else 0x6A82)
        if apdu.ins == 0x20 and self.selected:
            if self.tries_left == 0:
                return _sw(0x6983)
            entered = apdu.data.rstrip(b"\xff").decode("ascii", errors="replace")
            if entered == self.pin:
                self.tries_left = self.max_tries
                return _sw(0x9000)
            self.tries_left -= 1
            return _sw(0x6983 if self.tries_left == 0 else 0x63C0 | self.tries_left)
        return _sw(0x6D00)
