"""The cryptography of ICAO 9303 BAC: key derivation, 3DES-CBC, ISO 9797-1 padding and MAC.

Only pure functions here, so each intermediate value of the Doc 9303 worked example can be
checked on its own.
"""

from __future__ import annotations

import hashlib

from Crypto.Cipher import DES, DES3

ZERO_IV = bytes(8)
ENC_COUNTER = 1
MAC_COUNTER = 2


def key_seed(mrz_information: str) -> bytes:
    """Kseed: the first 16 bytes of SHA-1 over the MRZ information."""
    return hashlib.sha1(mrz_information.encode("ascii"), usedforsecurity=False).digest()[:16]


def _with_des_parity(key: bytes) -> bytes:
    # DES keys carry odd parity in the low bit of each byte.
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | (bin(high).count("1") + 1) % 2)
    return bytes(out)


def derive_key(seed: bytes, counter: int) -> bytes:
    """A 2-key 3DES key from a 16-byte seed (counter 1: encryption, 2: MAC)."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big"), usedforsecurity=False).digest()
    return _with_des_parity(digest[:16])


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a multiple of 8."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % 8)


def unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("bad ISO 9797-1 padding")
    return end[:-1]


def encrypt(key: bytes, data: bytes) -> bytes:
    """3DES-CBC with a zero IV; ``data`` is already a multiple of 8 bytes."""
    return bytes(DES3.new(key, DES3.MODE_CBC, iv=ZERO_IV).encrypt(data))


def decrypt(key: bytes, data: bytes) -> bytes:
    return bytes(DES3.new(key, DES3.MODE_CBC, iv=ZERO_IV).decrypt(data))


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 over padded ``data``: single-DES CBC, 3DES last block."""
    if len(data) % 8:
        raise ValueError("MAC input must be padded")
    # Single DES is what ICAO 9303 prescribes for this MAC; it is not our choice.
    ka = DES.new(key[:8], DES.MODE_ECB)  # noqa: S304
    kb = DES.new(key[8:16], DES.MODE_ECB)  # noqa: S304
    block = ZERO_IV
    for i in range(0, len(data), 8):
        block = ka.encrypt(bytes(a ^ b for a, b in zip(block, data[i : i + 8], strict=True)))
    return bytes(ka.encrypt(kb.decrypt(block)))


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))
