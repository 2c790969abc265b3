"""The ingest's MQTT packet splitting and building (pure)."""

from __future__ import annotations

import pytest

from fleet_manager import wire


def test_split_handles_partial_and_many_packets() -> None:
    big = b"x" * 300  # a two-byte remaining length
    stream = wire.publish("a/b", b"one") + wire.publish("a/c", big, qos=1, packet_id=9)
    stream += bytes([wire.SUBACK << 4, 3, 0, 1, 0])
    for cut in range(len(stream) + 1):
        buffer = bytearray(stream[:cut])
        first, used = wire.split(buffer)
        rest, used2 = wire.split(bytearray(stream[used:]))
        assert [p.kind for p in first + rest] == [wire.PUBLISH, wire.PUBLISH, wire.SUBACK]
        assert used + used2 == len(stream)
    packets, _ = wire.split(bytearray(stream))
    assert wire.parse_publish(packets[0]) == ("a/b", b"one", 0, 0)
    assert wire.parse_publish(packets[1]) == ("a/c", big, 1, 9)


def test_connect_and_subscribe_bytes() -> None:
    packet = wire.connect("fleet", 15, "user", "pw")
    assert packet[0] == 0x10
    assert b"\x00\x04MQTT\x04\xc2\x00\x0f" in packet
    assert packet.endswith(b"\x00\x05fleet\x00\x04user\x00\x02pw")
    sub = wire.subscribe(1, [("r/+/state", 1)])
    assert sub == b"\x82\x0e\x00\x01\x00\x09r/+/state\x01"
    assert wire.puback(258) == b"\x40\x02\x01\x02"


def test_overlong_length_is_refused() -> None:
    with pytest.raises(wire.ProtocolError):
        wire.split(bytearray(b"\x30\xff\xff\xff\xff\x01"))
