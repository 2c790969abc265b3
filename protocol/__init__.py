"""Contracts every Sijill component shares: topics, messages, codes, versions."""

from protocol.codec import Rejected, decode, encode
from protocol.codes import CodeBlock, CodeError, RequestCode
from protocol.health import DeviceHealth, DeviceKind, HealthState
from protocol.qr import QrError, ReceiptQr
from protocol.topics import OfficeChannel, TerminalChannel, TopicError, Topics
from protocol.version import MAX_PAYLOAD_BYTES, PROTOCOL_VERSION

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "PROTOCOL_VERSION",
    "CodeBlock",
    "CodeError",
    "DeviceHealth",
    "DeviceKind",
    "HealthState",
    "OfficeChannel",
    "QrError",
    "ReceiptQr",
    "Rejected",
    "RequestCode",
    "TerminalChannel",
    "TopicError",
    "Topics",
    "decode",
    "encode",
]
