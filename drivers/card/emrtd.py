"""Reading an ICAO 9303 eMRTD chip: select the application, BAC, secure messaging, DG1.

PACE with the card access number is not implemented yet; BAC is what every eMRTD accepts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from drivers.card.apdu import SW_OK, Apdu, CardChannel, parse_tlvs, tlv_total_length
from drivers.card.crypto import (
    ENC_COUNTER,
    MAC_COUNTER,
    decrypt,
    derive_key,
    encrypt,
    key_seed,
    pad,
    retail_mac,
    xor,
)
from drivers.card.mrz import BacKey, Dg1, parse_mrz
from drivers.card.sm import SecureMessaging, SessionKeys
from drivers.errors import AuthenticationFailed, CardError, SecureMessagingError, UnknownCard

EMRTD_AID = bytes.fromhex("A0000002471001")
EF_COM = 0x011E
EF_DG1 = 0x0101
#: Bytes per READ BINARY under secure messaging: the protected response must fit 256.
READ_CHUNK = 0xDF
# Status words a card gives for rejected BAC keys.
_BAD_KEYS = {0x6300, 0x6982, 0x6A80}


@dataclass(frozen=True, slots=True)
class BacTrace:
    """The intermediate values of one BAC run (for tests against Doc 9303 Appendix D)."""

    k_enc: bytes
    k_mac: bytes
    rnd_ic: bytes
    rnd_ifd: bytes
    k_ifd: bytes
    e_ifd: bytes
    m_ifd: bytes
    k_ic: bytes
    keys: SessionKeys


def basic_keys(key: BacKey) -> tuple[bytes, bytes]:
    """KEnc and KMAC derived from the MRZ information."""
    seed = key_seed(key.mrz_information())
    return derive_key(seed, ENC_COUNTER), derive_key(seed, MAC_COUNTER)


def authentication_request(
    k_enc: bytes, k_mac: bytes, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes
) -> tuple[bytes, bytes]:
    """EIFD and MIFD: the reader's half of mutual authentication."""
    e_ifd = encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd, retail_mac(k_mac, pad(e_ifd))


def session_keys(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SessionKeys:
    seed = xor(k_ifd, k_ic)
    return SessionKeys(
        ks_enc=derive_key(seed, ENC_COUNTER),
        ks_mac=derive_key(seed, MAC_COUNTER),
        ssc=rnd_ic[-4:] + rnd_ifd[-4:],
    )


def _check(sw: int, what: str) -> None:
    if sw != SW_OK:
        raise CardError(f"{what} refused", sw)


def select_application(channel: CardChannel, timeout: float) -> None:
    _, sw = channel.transmit(Apdu(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID).to_bytes(), timeout)
    if sw != SW_OK:
        raise UnknownCard("no eMRTD application on this card")


def bac(
    channel: CardChannel,
    key: BacKey,
    timeout: float = 5.0,
    rnd_ifd: bytes | None = None,
    k_ifd: bytes | None = None,
) -> BacTrace:
    """Basic Access Control; ``rnd_ifd``/``k_ifd`` are random unless a test fixes them."""
    k_enc, k_mac = basic_keys(key)
    rnd_ifd = rnd_ifd if rnd_ifd is not None else os.urandom(8)
    k_ifd = k_ifd if k_ifd is not None else os.urandom(16)
    rnd_ic, sw = channel.transmit(Apdu(0x00, 0x84, 0x00, 0x00, le=8).to_bytes(), timeout)
    _check(sw, "GET CHALLENGE")
    if len(rnd_ic) != 8:
        raise CardError("GET CHALLENGE gave no 8-byte challenge")
    e_ifd, m_ifd = authentication_request(k_enc, k_mac, rnd_ic, rnd_ifd, k_ifd)
    command = Apdu(0x00, 0x82, 0x00, 0x00, e_ifd + m_ifd, le=0x28)
    answer, sw = channel.transmit(command.to_bytes(), timeout)
    if sw in _BAD_KEYS:
        raise AuthenticationFailed("the document refused the keys: check the typed data")
    _check(sw, "EXTERNAL AUTHENTICATE")
    if len(answer) != 40:
        raise CardError("EXTERNAL AUTHENTICATE answer has the wrong length")
    e_ic, m_ic = answer[:32], answer[32:]
    if retail_mac(k_mac, pad(e_ic)) != m_ic:
        raise AuthenticationFailed("the document's answer does not authenticate")
    plain = decrypt(k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise AuthenticationFailed("the document's answer does not match our challenge")
    k_ic = plain[16:32]
    keys = session_keys(k_ifd, k_ic, rnd_ic, rnd_ifd)
    return BacTrace(k_enc, k_mac, rnd_ic, rnd_ifd, k_ifd, e_ifd, m_ifd, k_ic, keys)


class SecureChannel:
    """File access over an authenticated session."""

    def __init__(self, channel: CardChannel, keys: SessionKeys, timeout: float = 5.0) -> None:
        self.channel = channel
        self.sm = SecureMessaging(keys)
        self.timeout = timeout

    def send(self, apdu: Apdu) -> tuple[bytes, int]:
        data, sw = self.channel.transmit(self.sm.protect(apdu), self.timeout)
        if sw in (0x6987, 0x6988):
            raise SecureMessagingError(f"the card rejected secure messaging (SW {sw:04X})")
        return self.sm.unprotect(data, sw)

    def select_file(self, fid: int) -> None:
        _, sw = self.send(Apdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        _check(sw, f"SELECT {fid:04X}")

    def read_binary(self, offset: int, length: int) -> bytes:
        data, sw = self.send(Apdu(0x00, 0xB0, offset >> 8 & 0x7F, offset & 0xFF, le=length))
        _check(sw, "READ BINARY")
        return data

    def read_file(self, fid: int) -> bytes:
        """A whole elementary file: its TLV header says how long it is."""
        self.select_file(fid)
        head = self.read_binary(0, 4)
        total = tlv_total_length(head)
        content = bytearray(head[:total])
        while len(content) < total:
            chunk = self.read_binary(len(content), min(READ_CHUNK, total - len(content)))
            if not chunk:
                raise CardError("file ended early")
            content += chunk
        return bytes(content)


def parse_dg1(data: bytes) -> Dg1:
    """DG1 is 61 { 5F1F MRZ }."""
    outer = dict(parse_tlvs(data))
    if 0x61 not in outer:
        raise CardError("DG1 without its 61 template")
    inner = dict(parse_tlvs(outer[0x61]))
    if 0x5F1F not in inner:
        raise CardError("DG1 without MRZ data")
    return parse_mrz(inner[0x5F1F].decode("ascii"))


def read_dg1(channel: CardChannel, key: BacKey, timeout: float = 5.0) -> Dg1:
    """Select, authenticate with BAC, read and parse DG1."""
    select_application(channel, timeout)
    trace = bac(channel, key, timeout)
    secure = SecureChannel(channel, trace.keys, timeout)
    return parse_dg1(secure.read_file(EF_DG1))
