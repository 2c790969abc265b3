"""The records backend over HTTP (its ``/api/v1`` routes), and the kiosk with no backend.

Errors are sorted by what the kiosk must do: no answer, a server error, or an authentication
problem mean "try again later" (:class:`BackendUnavailable`: an outbox entry is never dropped
because a token was misconfigured); a problem answer about the request itself means no
(:class:`BackendRejected`, with the backend's problem code).
"""

from __future__ import annotations

import logging
from typing import Any

from kiosk_terminal.lean import without

with without("httpx._main"):  # its command line client: ~3 MB the kiosk never uses
    import httpx

from kiosk_terminal.core.model import (
    Accepted,
    ActKind,
    ActMatch,
    ActQuery,
    ActReference,
    DocumentKind,
    RequestState,
    RequestStatus,
    Submission,
)
from kiosk_terminal.services.ports import BackendRejected, BackendUnavailable, NotFound
from protocol.codes import CodeBlock, CodeError, RequestCode

log = logging.getLogger(__name__)
# httpx logs every URL at INFO, and a name search carries names in its query string.
logging.getLogger("httpx").setLevel(logging.WARNING)
_RETRY_LATER = {408, 425, 429}
#: Problems that say nothing about the request: the terminal's credentials or rights.
_CREDENTIAL_PROBLEMS = {"not_authenticated", "session_expired", "forbidden_role"}


class NoBackend:
    """No backend configured: every call is "unreachable", so the kiosk works offline."""

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        raise BackendUnavailable("no backend configured")

    def submit(self, submission: Submission) -> Accepted:
        raise BackendUnavailable("no backend configured")

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        raise BackendUnavailable("no backend configured")

    def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
        raise BackendUnavailable("no backend configured")


class HttpBackend:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout_s: float = 5.0,
        client: httpx.Client | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if client is None:
            client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        client.headers.update(headers)
        self._client = client

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(type(exc).__name__) from None
        status = response.status_code
        if status < 400:
            return response.json()
        try:
            code = str(response.json().get("code", "rejected"))
        except (ValueError, AttributeError):
            code = "rejected"
        if status >= 500 or status in _RETRY_LATER or code in _CREDENTIAL_PROBLEMS:
            # Never a reason to drop a queued request: the kiosk tries again later.
            log.warning("backend answered %s (%s) on %s", status, code, path)
            raise BackendUnavailable(f"HTTP {status} {code}")
        if status == 404 or code in ("not_found", "lookup_failed"):
            raise NotFound(code)
        raise BackendRejected(code)

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        if isinstance(query, ActReference):
            # Terminals may not read acts; the registry checks the reference and its date
            # when the request is submitted.
            return [ActMatch(query.text, query.kind)]
        params: dict[str, str] = {
            "family": query.family_name,
            "given": query.given_name,
            "birth_date": query.birth_date.isoformat(),
            "kind": ActKind.BIRTH.value,
            "page_size": "10",
        }
        if query.parents is not None:
            params["father"] = query.parents.father
            params["mother"] = query.parents.mother
        page = self._call("GET", "/api/v1/acts/search", params=params)
        return [
            ActMatch(item["reference"], ActKind(item.get("kind", "birth")))
            for item in page.get("items", [])
        ]

    def submit(self, submission: Submission) -> Accepted:
        body = {
            "idempotency_key": submission.idempotency_key,
            "act_reference": submission.act_reference,
            "event_date": submission.event_date.isoformat(),
            "document": submission.document.value,
            "copies": submission.copies,
            "pickup_office": submission.office,
            "requester_name": submission.requester_name,
            "requester_relation": submission.relation.value,
            "code": None if submission.code is None else str(submission.code),
            "secret": submission.secret,
        }
        out = self._call("POST", "/api/v1/requests", json=body)
        secret = out.get("secret") or submission.secret
        if not secret:
            raise BackendRejected("no_secret", "the backend returned no receipt secret")
        try:
            code = RequestCode.parse(out["code"])
        except (CodeError, KeyError):
            raise BackendRejected("bad_answer") from None
        return Accepted(code=code, secret=secret, pending=False)

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        if not secret:
            # The registry answers only to whoever holds the receipt's second factor.
            raise NotFound("secret required")
        out = self._call(
            "POST", "/api/v1/public/request-status", json={"code": str(code), "secret": secret}
        )
        try:
            document: DocumentKind | None = DocumentKind(out.get("document"))
        except ValueError:
            document = None
        return RequestStatus(
            code=code,
            state=RequestState(out["state"]),
            document=document,
            copies=out.get("copies"),
            counter=None,
            office=out.get("pickup_office"),
        )

    def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
        out = self._call("POST", "/api/v1/codes/blocks", json={"size": size})
        return CodeBlock(out["office"], out["year"], out["first"], out["last"], terminal_id)
