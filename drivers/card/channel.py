"""One connection to the card in a PC/SC reader, every APDU bounded by a timeout."""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any

from smartcard import scard

from drivers.card.apdu import CardChannel
from drivers.card.pcsc import code_of, error_for
from drivers.errors import CardRemoved, DeviceTimeout, DeviceUnavailable

_RETRYABLE = {
    code_of(scard.SCARD_W_UNPOWERED_CARD),
    code_of(scard.SCARD_W_UNRESPONSIVE_CARD),
    code_of(scard.SCARD_W_RESET_CARD),
}
_RETRY_PAUSE_S = 0.25


class _Retry(Exception):  # noqa: N818 - internal signal
    pass


class PcscChannel(CardChannel):
    """One connection to the card in ``reader``; every APDU is bounded by a timeout.

    SCardTransmit itself cannot be given a timeout, so it runs on a worker thread; after a
    timeout the connection is abandoned (a stuck card keeps only that worker).
    """

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self._context: Any = None
        self._card: Any = None
        self._protocol: Any = None
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pcsc-apdu")
        self._broken = False

    def connect(self, timeout: float = 5.0) -> PcscChannel:
        deadline = time.monotonic() + timeout
        while True:
            future = self._worker.submit(self._connect)
            try:
                future.result(max(0.0, deadline - time.monotonic()))
                return self
            except concurrent.futures.TimeoutError as exc:
                self._broken = True
                raise DeviceTimeout("card did not answer the reset in time") from exc
            except _Retry as exc:
                # A card swapped faster than pcscd polls is first seen unpowered: try again.
                if time.monotonic() + _RETRY_PAUSE_S > deadline:
                    raise CardRemoved(str(exc)) from exc
                time.sleep(_RETRY_PAUSE_S)

    def _connect(self) -> None:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise error_for(hresult, "PC/SC service")
        self._context = context
        hresult, card, protocol = scard.SCardConnect(
            context,
            self.reader,
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(context)
            self._context = None
            if code_of(hresult) in _RETRYABLE:
                raise _Retry(f"connecting to the card: {scard.SCardGetErrorMessage(hresult)}")
            raise error_for(hresult, "connecting to the card")
        self._card, self._protocol = card, protocol

    def transmit(self, apdu: bytes, timeout: float = 5.0) -> tuple[bytes, int]:
        if self._broken or self._card is None:
            raise DeviceUnavailable("card connection is closed")
        future = self._worker.submit(self._transmit, apdu)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            self._broken = True
            raise DeviceTimeout("card did not answer in time") from exc

    def _transmit(self, apdu: bytes) -> tuple[bytes, int]:
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult != scard.SCARD_S_SUCCESS:
            raise error_for(hresult, "exchanging with the card")
        if len(response) < 2:
            # vpcd and some readers report a vanished card as an empty answer.
            raise CardRemoved("card answered nothing: removed during the exchange")
        data = bytes(response[:-2])
        return data, response[-2] << 8 | response[-1]

    def close(self) -> None:
        def release() -> None:
            if self._card is not None:
                scard.SCardDisconnect(self._card, scard.SCARD_UNPOWER_CARD)
            if self._context is not None:
                scard.SCardReleaseContext(self._context)
            self._card = self._context = None

        done = self._worker.submit(release)
        self._worker.shutdown(wait=False)
        if not self._broken:
            # Wait for the release so the next exclusive connect finds the card free; a card
            # stuck in a transmit (broken channel) is left to its worker instead.
            concurrent.futures.wait([done], timeout=2.0)

    def __enter__(self) -> PcscChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
