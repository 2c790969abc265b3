"""MQTT 3.1.1 packets, just what the ingest reader needs (pure: bytes in, bytes out).

paho's reader handles one packet per system call and callback, which caps a Python
subscriber near 10,000 messages/s; the ingest reads big buffers and splits them here.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 12, 13, 14


class ProtocolError(ValueError):
    pass


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _text(s: str) -> bytes:
    raw = s.encode()
    return struct.pack("!H", len(raw)) + raw


def packet(kind: int, flags: int, body: bytes) -> bytes:
    return bytes([kind << 4 | flags]) + _varint(len(body)) + body


def connect(
    client_id: str,
    keepalive_s: int,
    username: str | None = None,
    password: str | None = None,
    clean_session: bool = True,
) -> bytes:
    flags = 0x02 if clean_session else 0
    payload = _text(client_id)
    if username is not None:
        flags |= 0x80
        payload += _text(username)
        if password is not None:
            flags |= 0x40
            payload += _text(password)
    header = _text("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive_s)
    return packet(CONNECT, 0, header + payload)


def subscribe(packet_id: int, filters: Iterable[tuple[str, int]]) -> bytes:
    body = struct.pack("!H", packet_id) + b"".join(_text(t) + bytes([q]) for t, q in filters)
    return packet(SUBSCRIBE, 0x02, body)


def publish(
    topic: str, payload: bytes, qos: int = 0, packet_id: int = 0, retain: bool = False
) -> bytes:
    flags = (qos << 1) | (1 if retain else 0)
    body = _text(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return packet(PUBLISH, flags, body)


def puback(packet_id: int) -> bytes:
    return bytes([PUBACK << 4, 2]) + struct.pack("!H", packet_id)


PINGREQ_PACKET = bytes([PINGREQ << 4, 0])
DISCONNECT_PACKET = bytes([DISCONNECT << 4, 0])


@dataclass(frozen=True, slots=True)
class Packet:
    kind: int
    flags: int
    body: bytes


def split(buffer: bytearray) -> tuple[list[Packet], int]:
    """Complete packets at the start of ``buffer`` and how many bytes they used."""
    packets: list[Packet] = []
    pos, end = 0, len(buffer)
    while pos + 2 <= end:
        first = buffer[pos]
        length, shift, i = 0, 0, pos + 1
        while True:
            if i >= end:
                return packets, pos
            byte = buffer[i]
            length |= (byte & 0x7F) << shift
            i += 1
            if not byte & 0x80:
                break
            shift += 7
            if shift > 21:
                raise ProtocolError("remaining length longer than 4 bytes")
        if i + length > end:
            return packets, pos
        packets.append(Packet(first >> 4, first & 0x0F, bytes(buffer[i : i + length])))
        pos = i + length
    return packets, pos


def parse_publish(p: Packet) -> tuple[str, bytes, int, int]:
    """(topic, payload, qos, packet id) of a PUBLISH."""
    body = p.body
    (topic_len,) = struct.unpack_from("!H", body, 0)
    topic = body[2 : 2 + topic_len].decode("utf-8", "replace")
    qos = (p.flags >> 1) & 0x03
    pos = 2 + topic_len
    packet_id = 0
    if qos:
        (packet_id,) = struct.unpack_from("!H", body, pos)
        pos += 2
    return topic, body[pos:], qos, packet_id
