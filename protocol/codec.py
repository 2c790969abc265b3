"""Decoding at the edge: every payload is checked before any handler sees it.

:func:`decode` never raises on bad input; it returns a :class:`Rejected` with a short,
loggable reason (size, JSON, version, or the first validation errors), which ingest code
counts and drops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from protocol.version import MAX_PAYLOAD_BYTES, PROTOCOL_VERSION

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a payload was refused. ``code`` is stable for metrics; ``reason`` for logs."""

    code: str
    reason: str

    def __bool__(self) -> bool:  # a rejection is falsy so `if result:` reads naturally
        return False


def encode(message: BaseModel) -> bytes:
    """Compact JSON, the one wire format."""
    return message.model_dump_json(exclude_none=True).encode()


def decode(model: type[M], payload: bytes | bytearray | str) -> M | Rejected:
    raw = payload.encode() if isinstance(payload, str) else bytes(payload)
    if len(raw) > MAX_PAYLOAD_BYTES:
        return Rejected("oversized", f"{len(raw)} bytes > {MAX_PAYLOAD_BYTES}")
    if not raw:
        return Rejected("empty", "empty payload")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Rejected("malformed", f"not JSON: {exc.msg if hasattr(exc, 'msg') else exc}")
    if not isinstance(data, dict):
        return Rejected("malformed", "not a JSON object")
    version = data.get("v")
    if version is None:
        return Rejected("no_version", "missing version field 'v'")
    if version != PROTOCOL_VERSION:
        return Rejected("wrong_version", f"version {version!r} is not {PROTOCOL_VERSION}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        return Rejected("invalid", f"{model.__name__}: {first}")
