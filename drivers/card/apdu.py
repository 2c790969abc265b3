"""Command APDUs and the channel a card is reached through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SW_OK = 0x9000


@dataclass(frozen=True, slots=True)
class Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le; 0: up to 256 bytes

    def to_bytes(self) -> bytes:
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))
        return out

    @classmethod
    def parse(cls, raw: bytes) -> Apdu:
        """Short APDUs only (cases 1 to 4), which is all BAC and the badge use."""
        if len(raw) < 4:
            raise ValueError("APDU shorter than its header")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0])
        lc = body[0]
        data = body[1 : 1 + lc]
        if len(data) != lc:
            raise ValueError("APDU shorter than its Lc")
        rest = body[1 + lc :]
        return cls(cla, ins, p1, p2, data, rest[0] if rest else None)


class CardChannel(Protocol):
    """Sends one APDU to the card, returns (response data, status word)."""

    def transmit(self, apdu: bytes, timeout: float = 5.0) -> tuple[bytes, int]: ...


def tlv(tag: int, value: bytes) -> bytes:
    """BER-TLV with a one- or two-byte tag and a definite length."""
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes((n,))
    elif n <= 0xFF:
        length = bytes((0x81, n))
    else:
        length = bytes((0x82,)) + n.to_bytes(2, "big")
    return tag_bytes + length + value


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """Top-level TLVs of ``data``; raises ValueError on a truncated object."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag & 0x1F == 0x1F:
            tag = tag << 8 | data[pos]
            pos += 1
        if pos >= len(data):
            raise ValueError("TLV truncated")
        length = data[pos]
        pos += 1
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        value = data[pos : pos + length]
        if len(value) != length:
            raise ValueError("TLV truncated")
        out.append((tag, value))
        pos += length
    return out


def tlv_total_length(header: bytes) -> int:
    """Length of a whole TLV object from its first bytes (tag + length)."""
    pos = 2 if header[0] & 0x1F == 0x1F else 1
    length = header[pos]
    if length & 0x80:
        count = length & 0x7F
        return pos + 1 + count + int.from_bytes(header[pos + 1 : pos + 1 + count], "big")
    return pos + 1 + length
