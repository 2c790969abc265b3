"""The document signing keys on disk: generation, rotation, retirement.

Layout of the key directory (under the data directory, never in the repository)::

    keyring.json      every key's id, public half, creation and retirement days
    <kid>.pem         the private half of a key that may still sign (mode 0600)

Rotating makes a new key the signing one and retires the previous one. Retiring destroys
the private file; the public half stays so the key still verifies what it signed.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from records_backend.documents.clock import civil_today
from records_backend.documents.keys import PublicKeyInfo, PublicKeySet, key_id
from records_backend.documents.payload import (
    DocumentClaims,
    encode_qr,
    short_code,
    signed_message,
)

log = logging.getLogger(__name__)

INDEX_FILE = "keyring.json"


class KeyringError(RuntimeError):
    """A key operation that cannot be done (no signing key, unknown id, unsafe file…)."""


@dataclass(frozen=True, slots=True)
class SignedDocument:
    claims: DocumentClaims
    qr_text: str
    short_code: str


class Signer:
    """The key that signs new documents."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.kid = key_id(private.public_key())

    def sign(self, claims: DocumentClaims) -> SignedDocument:
        if claims.kid != self.kid:
            raise KeyringError("claims name another key")
        body = claims.body()
        signature = self._private.sign(signed_message(body))
        return SignedDocument(claims, encode_qr(body, signature), short_code(signature))


class Keyring:
    def __init__(self, directory: Path, today: Callable[[], date] = civil_today) -> None:
        self.directory = directory
        self._today = today

    # -- reading -------------------------------------------------------------------------

    def entries(self) -> list[PublicKeyInfo]:
        path = self.directory / INDEX_FILE
        if not path.exists():
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
        return [PublicKeyInfo.from_json(k) for k in data["keys"]]

    def public_keys(self) -> PublicKeySet:
        return PublicKeySet(self.entries())

    def active(self) -> PublicKeyInfo | None:
        current = [k for k in self.entries() if k.retired is None]
        return current[-1] if current else None

    def signer(self) -> Signer:
        active = self.active()
        if active is None:
            raise KeyringError("no signing key: run 'keys generate' first")
        path = self._private_path(active.kid)
        if not path.exists():
            raise KeyringError(f"the private half of key {active.kid} is missing")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyringError(f"{path} is readable by others (mode {mode:o}): chmod 600 it")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyringError(f"{path} is not an Ed25519 private key")
        signer = Signer(key)
        if signer.kid != active.kid:
            raise KeyringError(f"{path} does not hold key {active.kid}")
        return signer

    # -- changing ------------------------------------------------------------------------

    def generate(self) -> PublicKeyInfo:
        """The first signing key; refused when one exists (rotate instead)."""
        if self.active() is not None:
            raise KeyringError("a signing key exists already: rotate it instead")
        return self._add_new(self.entries())

    def rotate(self) -> PublicKeyInfo:
        """A new signing key; the previous one is retired (it still verifies)."""
        today = self._today()
        keys = [
            PublicKeyInfo(k.kid, k.public, k.created, today) if k.retired is None else k
            for k in self.entries()
        ]
        new = self._add_new(keys)
        for k in keys:
            if k.retired == today and k.kid != new.kid:
                self._destroy_private(k.kid)
        return new

    def retire(self, kid: str) -> PublicKeyInfo:
        keys = self.entries()
        found = next((k for k in keys if k.kid == kid), None)
        if found is None:
            raise KeyringError(f"no key {kid!r}")
        if found.retired is not None:
            return found
        retired = PublicKeyInfo(found.kid, found.public, found.created, self._today())
        self._write_index([retired if k.kid == kid else k for k in keys])
        self._destroy_private(kid)
        log.info("document key retired", extra={"kid": kid})
        return retired

    # -- files ---------------------------------------------------------------------------

    def _add_new(self, keys: list[PublicKeyInfo]) -> PublicKeyInfo:
        private = Ed25519PrivateKey.generate()
        info = PublicKeyInfo(key_id(private.public_key()), private.public_key(), self._today())
        self._ensure_directory()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Created with 0600 from the start: never a moment where others could read it.
        fd = os.open(self._private_path(info.kid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        self._write_index([*keys, info])
        log.info("document key created", extra={"kid": info.kid})
        return info

    def _ensure_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _private_path(self, kid: str) -> Path:
        return self.directory / f"{kid}.pem"

    def _destroy_private(self, kid: str) -> None:
        self._private_path(kid).unlink(missing_ok=True)

    def _write_index(self, keys: list[PublicKeyInfo]) -> None:
        self._ensure_directory()
        path = self.directory / INDEX_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(PublicKeySet(keys).to_json(), encoding="utf-8")
        os.replace(tmp, path)
