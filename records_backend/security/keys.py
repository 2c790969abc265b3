"""The Ed25519 key that signs staff tokens; other services verify with the public half."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "records-signing-key.pem"
#: The public half, written next to it for services on the same machine (fleet manager).
PUBLIC_KEY_FILE = "records-signing-key.pub.pem"


class SigningKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.public: Ed25519PublicKey = private.public_key()
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_raw = raw
        #: Key id: a short fingerprint of the public key, carried in token headers.
        self.kid = hashlib.sha256(raw).hexdigest()[:16]

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key")
        return cls(key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def jwk(self) -> dict[str, str]:
        x = base64.urlsafe_b64encode(self.public_raw).rstrip(b"=").decode()
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": x,
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }


def publish_public_key(key: SigningKey, data_dir: Path) -> Path:
    """Write the public key (world-readable) where other local services can read it."""
    path = data_dir / PUBLIC_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != key.public_pem():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(key.public_pem())
        tmp.replace(path)
    return path


def load_or_create(data_dir: Path) -> SigningKey:
    """Development only: a key kept in the data directory, created on first use."""
    path = data_dir / KEY_FILE
    if path.exists():
        return SigningKey.from_pem(path.read_bytes())
    key = SigningKey.generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_pem())
    return key
