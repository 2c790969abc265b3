"""ICAO 9303 secure messaging with 3DES session keys: both the reader's and the card's side.

The card's side serves the virtual card; keeping both here makes them mirror each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.card.apdu import Apdu, parse_tlvs, tlv
from drivers.card.crypto import decrypt, encrypt, pad, retail_mac, unpad
from drivers.errors import SecureMessagingError


@dataclass
class SessionKeys:
    ks_enc: bytes
    ks_mac: bytes
    ssc: bytes  # send sequence counter, 8 bytes, incremented before each MAC

    def next_ssc(self) -> bytes:
        self.ssc = ((int.from_bytes(self.ssc, "big") + 1) % (1 << 64)).to_bytes(8, "big")
        return self.ssc


class SecureMessaging:
    def __init__(self, keys: SessionKeys) -> None:
        self.keys = keys

    # -- reader side ---------------------------------------------------------------------

    def protect(self, apdu: Apdu) -> bytes:
        """The protected form of a plain command APDU."""
        header = bytes((apdu.cla | 0x0C, apdu.ins, apdu.p1, apdu.p2))
        do87 = b""
        if apdu.data:
            do87 = tlv(0x87, b"\x01" + encrypt(self.keys.ks_enc, pad(apdu.data)))
        do97 = tlv(0x97, bytes((apdu.le,))) if apdu.le is not None else b""
        ssc = self.keys.next_ssc()
        mac = retail_mac(self.keys.ks_mac, pad(ssc + pad(header) + do87 + do97))
        body = do87 + do97 + tlv(0x8E, mac)
        return header + bytes((len(body),)) + body + b"\x00"

    def unprotect(self, data: bytes, sw: int) -> tuple[bytes, int]:
        """Check the MAC of a protected response, decrypt it; returns (data, status word)."""
        ssc = self.keys.next_ssc()
        try:
            objects = dict(parse_tlvs(data))
        except ValueError as exc:
            raise SecureMessagingError("malformed protected response") from exc
        if 0x8E not in objects:
            # The card answers in plain only when it dropped the session (SW 6987/6988).
            raise SecureMessagingError(f"unprotected response (SW {sw:04X})")
        do87 = tlv(0x87, objects[0x87]) if 0x87 in objects else b""
        do99 = tlv(0x99, objects[0x99]) if 0x99 in objects else b""
        expected = retail_mac(self.keys.ks_mac, pad(ssc + do87 + do99))
        if expected != objects[0x8E]:
            raise SecureMessagingError("response MAC does not match")
        plain = b""
        if do87:
            value = objects[0x87]
            if value[:1] != b"\x01":
                raise SecureMessagingError("unexpected padding indicator")
            plain = unpad(decrypt(self.keys.ks_enc, value[1:]))
        status = int.from_bytes(objects[0x99], "big") if 0x99 in objects else sw
        return plain, status

    # -- card side -----------------------------------------------------------------------

    def open_command(self, raw: bytes) -> Apdu:
        """Verify and decrypt a protected command (what the card does with ``protect``)."""
        apdu = Apdu.parse(raw)
        objects = dict(parse_tlvs(apdu.data))
        header = bytes((apdu.cla, apdu.ins, apdu.p1, apdu.p2))
        do87 = tlv(0x87, objects[0x87]) if 0x87 in objects else b""
        do97 = tlv(0x97, objects[0x97]) if 0x97 in objects else b""
        ssc = self.keys.next_ssc()
        if retail_mac(self.keys.ks_mac, pad(ssc + pad(header) + do87 + do97)) != objects.get(0x8E):
            raise SecureMessagingError("command MAC does not match")
        data = unpad(decrypt(self.keys.ks_enc, objects[0x87][1:])) if do87 else b""
        le = objects[0x97][0] if do97 else None
        return Apdu(apdu.cla & ~0x0C & 0xFF, apdu.ins, apdu.p1, apdu.p2, data, le)

    def seal_response(self, data: bytes, sw: int) -> bytes:
        """The protected response to send back (data and status word included)."""
        do87 = tlv(0x87, b"\x01" + encrypt(self.keys.ks_enc, pad(data))) if data else b""
        do99 = tlv(0x99, sw.to_bytes(2, "big"))
        ssc = self.keys.next_ssc()
        mac = retail_mac(self.keys.ks_mac, pad(ssc + do87 + do99))
        return do87 + do99 + tlv(0x8E, mac)
