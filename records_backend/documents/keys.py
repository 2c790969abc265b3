"""Public document keys: what an offline verifier needs, and nothing secret."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

KID_CHARS = 8


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of the public key: what the payload names its key by."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:KID_CHARS]


@dataclass(frozen=True, slots=True)
class PublicKeyInfo:
    kid: str
    public: Ed25519PublicKey
    #: The key signs documents issued from this day...
    created: date
    #: ...up to this day; after it, the key only verifies what it already signed.
    retired: date | None = None

    def covers(self, issue_date: date) -> bool:
        """Could this key have signed a document issued that day?"""
        if issue_date < self.created:
            return False
        return self.retired is None or issue_date <= self.retired

    def to_json(self) -> dict[str, Any]:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {
            "kid": self.kid,
            "public": base64.b64encode(raw).decode("ascii"),
            "created": self.created.isoformat(),
            "retired": self.retired.isoformat() if self.retired else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PublicKeyInfo:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(data["public"]))
        kid = str(data["kid"])
        if key_id(public) != kid:
            raise ValueError(f"key id {kid!r} does not match its public key")
        retired = data.get("retired")
        return cls(
            kid=kid,
            public=public,
            created=date.fromisoformat(data["created"]),
            retired=date.fromisoformat(retired) if retired else None,
        )


class PublicKeySet:
    """The commune's document keys by id (active and retired alike)."""

    def __init__(self, keys: Iterable[PublicKeyInfo]) -> None:
        self._keys = {k.kid: k for k in keys}

    def get(self, kid: str) -> PublicKeyInfo | None:
        return self._keys.get(kid)

    def __iter__(self) -> Iterator[PublicKeyInfo]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def to_json(self) -> str:
        return json.dumps({"keys": [k.to_json() for k in self]}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> PublicKeySet:
        data = json.loads(text)
        return cls(PublicKeyInfo.from_json(k) for k in data["keys"])
