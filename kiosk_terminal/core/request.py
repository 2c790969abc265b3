"""The "request a document" journey: identify the act, choose, confirm, get a receipt.

Each method is one thing the citizen did; it checks the journey is at a step where that makes
sense (otherwise :class:`StepError`) and moves to the next step. Personal data (typed names,
the card's identity) is held only until the act is found, then dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from kiosk_terminal.core.model import (
    FULL_COPY_RELATIONS,
    MAX_COPIES,
    Accepted,
    ActMatch,
    ActReference,
    CardKeys,
    DocumentKind,
    IdentifyMethod,
    Lang,
    NameQuery,
    OfficeInfo,
    Parents,
    ReceiptData,
    Relation,
    Submission,
    fee_for,
)
from kiosk_terminal.core.schedule import local, pickup_date
from kiosk_terminal.services.ports import (
    BackendClient,
    BackendRejected,
    BackendUnavailable,
    CardReadFailed,
    DeviceCoordinator,
    PrintFailed,
    Submitter,
)
from protocol.qr import ReceiptQr

log = logging.getLogger(__name__)


class StepError(RuntimeError):
    """An action that does not fit the journey's current step (a UI bug, never the user's)."""


class RequestStep(StrEnum):
    METHOD = "method"
    CARD_INSERT = "card_insert"
    CARD_KEYS = "card_keys"
    CARD_FAILED = "card_failed"
    REFERENCE = "reference"
    NAME = "name"
    PARENTS = "parents"
    NOT_FOUND = "not_found"
    DOCUMENT = "document"
    RELATION = "relation"
    RELATION_REFUSED = "relation_refused"
    REQUESTER = "requester"
    CONFIRM = "confirm"
    SUBMITTING = "submitting"
    DONE = "done"
    UNAVAILABLE = "unavailable"
    REJECTED = "rejected"
    PRINT_FAILED = "print_failed"


S = RequestStep
#: Steps before anything was sent: a timeout or a printer fault may simply drop them.
EDITABLE_STEPS = frozenset(
    {
        S.METHOD,
        S.CARD_INSERT,
        S.CARD_KEYS,
        S.CARD_FAILED,
        S.REFERENCE,
        S.NAME,
        S.PARENTS,
        S.NOT_FOUND,
        S.DOCUMENT,
        S.RELATION,
        S.RELATION_REFUSED,
        S.REQUESTER,
        S.CONFIRM,
        S.UNAVAILABLE,
    }
)
_BACK = {
    S.CARD_INSERT: S.METHOD,
    S.CARD_KEYS: S.CARD_INSERT,
    S.CARD_FAILED: S.METHOD,
    S.REFERENCE: S.METHOD,
    S.NAME: S.METHOD,
    S.PARENTS: S.NAME,
    S.NOT_FOUND: S.METHOD,
    S.UNAVAILABLE: S.METHOD,
    S.DOCUMENT: S.METHOD,
    S.RELATION: S.DOCUMENT,
    S.RELATION_REFUSED: S.DOCUMENT,
}


@dataclass
class RequestDeps:
    backend: BackendClient
    devices: DeviceCoordinator
    submitter: Submitter
    office: OfficeInfo
    terminal_id: str
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    new_key: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)


class RequestJourney:
    def __init__(self, deps: RequestDeps, language: Lang) -> None:
        self._deps = deps
        self.language = language
        self.step = S.METHOD
        self.method: IdentifyMethod | None = None
        self._query: NameQuery | None = None  # personal: kept only while searching
        self._holder_name: str | None = None  # the act holder's name, when it was typed or read
        self.act_reference: str | None = None
        self.event_date: date | None = None  # the act's date, proof the citizen knows it
        self.requester_name: str | None = None
        self.offline = False  # identified by reference while the backend was unreachable
        self.document: DocumentKind | None = None
        self.copies = 1
        self.relation: Relation | None = None
        self.accepted: Accepted | None = None
        self.receipt: ReceiptData | None = None
        self.reason: str | None = None  # why the last step failed, for the screen

    # --- helpers ------------------------------------------------------------------------

    def _expect(self, *steps: RequestStep) -> None:
        if self.step not in steps:
            raise StepError(f"not possible at step {self.step.value}")

    @property
    def busy(self) -> bool:
        return self.step is S.SUBMITTING

    @property
    def act_label(self) -> str | None:
        return self.act_reference

    @property
    def holds_personal_data(self) -> bool:
        """True while search data (names, parents) is held; the request's own fields aside."""
        return self._query is not None

    def _found(self, match: ActMatch, event_date: date, holder: str | None) -> None:
        self._query = None  # the act is known: the search terms are no longer needed
        self._holder_name = holder
        self.act_reference = match.reference
        self.event_date = event_date
        self.step = S.DOCUMENT

    def _lookup(self, query: NameQuery) -> None:
        try:
            matches = self._deps.backend.find_acts(query)
        except BackendUnavailable:
            self._query = None
            self.reason = "backend_unavailable"
            self.step = S.UNAVAILABLE
            return
        if len(matches) == 1:
            holder = f"{query.given_name} {query.family_name}"
            self._found(matches[0], query.birth_date, holder)
        elif not matches:
            self._query = None
            self.reason = "no_match"
            self.step = S.NOT_FOUND
        elif query.parents is None:
            self._query = query
            self.step = S.PARENTS
        else:
            self._query = None
            self.reason = "ambiguous"  # the counter can tell them apart
            self.step = S.NOT_FOUND

    # --- identify -----------------------------------------------------------------------

    def choose_method(self, method: IdentifyMethod, card_present: bool = False) -> None:
        """``card_present``: a card already lies in the reader (skip "insert your card")."""
        self._expect(S.METHOD)
        self.method = method
        self.reason = None
        self.step = {
            IdentifyMethod.CARD: S.CARD_KEYS if card_present else S.CARD_INSERT,
            IdentifyMethod.REFERENCE: S.REFERENCE,
            IdentifyMethod.NAME: S.NAME,
        }[method]

    def retry_card(self, card_present: bool) -> None:
        """After a failed reading: type the keys again, or first put the card back."""
        self._expect(S.CARD_FAILED)
        self.reason = None
        self.step = S.CARD_KEYS if card_present else S.CARD_INSERT

    def card_inserted(self) -> None:
        if self.step is S.CARD_INSERT:
            self.step = S.CARD_KEYS

    def card_removed(self) -> None:
        if self.step is S.CARD_KEYS:
            self.step = S.CARD_INSERT

    def card_keys(self, keys: CardKeys) -> None:
        """Read the chip with the typed keys; the keys go no further than the reader."""
        self._expect(S.CARD_KEYS)
        try:
            identity = self._deps.devices.read_card(keys)
        except CardReadFailed as exc:
            self.reason = exc.reason
            self.step = S.CARD_FAILED
            return
        del keys
        self._lookup(
            NameQuery(
                given_name=identity.given_name,
                family_name=identity.family_name,
                birth_date=identity.birth_date,
                document_number=identity.document_number,
            )
        )

    def reference(self, ref: ActReference, event_date: date) -> None:
        """The act's reference and its date (of birth or death), as the citizen knows them."""
        self._expect(S.REFERENCE)
        try:
            matches = self._deps.backend.find_acts(ref)
        except BackendUnavailable:
            # A reference names the act exactly: accept it now, the backend checks it later.
            self.offline = True
            self._found(ActMatch(ref.text, ref.kind), event_date, None)
            return
        if not matches:
            self.reason = "no_match"
            self.step = S.NOT_FOUND
            return
        self._found(matches[0], event_date, None)

    def name(self, query: NameQuery) -> None:
        self._expect(S.NAME)
        self._lookup(replace(query, parents=None))

    def parents(self, parents: Parents) -> None:
        self._expect(S.PARENTS)
        if self._query is None:
            raise StepError("no query to refine")
        self._lookup(replace(self._query, parents=parents))

    # --- choose -------------------------------------------------------------------------

    def choose_document(self, document: DocumentKind, copies: int = 1) -> None:
        self._expect(S.DOCUMENT, S.RELATION_REFUSED)
        if not 1 <= copies <= MAX_COPIES:
            raise ValueError(f"copies must be between 1 and {MAX_COPIES}")
        self.document = document
        self.copies = copies
        self.relation = None
        if document is DocumentKind.FULL_COPY:
            self.step = S.RELATION
        else:
            self._to_requester()

    def choose_relation(self, relation: Relation) -> None:
        self._expect(S.RELATION)
        if relation not in FULL_COPY_RELATIONS:
            self.reason = "full_copy_not_allowed"
            self.step = S.RELATION_REFUSED
            return
        self.relation = relation
        self._to_requester()

    def _to_requester(self) -> None:
        # The holder asking for their own act: their name is already known.
        own = self.relation is Relation.SELF or (
            self.relation is None and self.method is IdentifyMethod.CARD
        )
        if own and self._holder_name:
            self.requester_name = self._holder_name
            self.step = S.CONFIRM
        else:
            self.step = S.REQUESTER

    def requester(self, name: str) -> None:
        """The name of the person asking (checked at the counter against their card)."""
        self._expect(S.REQUESTER)
        name = " ".join(name.split())
        if len(name) < 2:
            raise ValueError("requester name too short")
        self.requester_name = name[:120]
        self.step = S.CONFIRM

    @property
    def fee(self) -> int:
        return int(fee_for(self.copies))

    def back(self) -> None:
        if self.step in (S.REQUESTER, S.CONFIRM):
            target = S.RELATION if self.document is DocumentKind.FULL_COPY else S.DOCUMENT
        elif self.step in _BACK:
            target = _BACK[self.step]
        else:
            raise StepError(f"no way back from {self.step.value}")
        if target is S.METHOD:
            self._query = None
            self._holder_name = None
            self.act_reference = None
            self.event_date = None
            self.offline = False
        self.reason = None
        self.step = target

    # --- confirm and receipt ------------------------------------------------------------

    def confirm(self) -> None:
        """Lock the request in; :meth:`run_submission` then does the I/O (off the UI thread)."""
        self._expect(S.CONFIRM)
        if not self._deps.devices.printer_ready():
            # Never take a request without a receipt to give for it.
            raise PrinterNotReady
        self.step = S.SUBMITTING

    def run_submission(self) -> RequestStep:
        self._expect(S.SUBMITTING)
        if (
            self.act_reference is None
            or self.event_date is None
            or self.document is None
            or self.requester_name is None
        ):
            raise StepError("nothing to submit")
        deps = self._deps
        now = deps.now()
        submission = Submission(
            idempotency_key=deps.new_key(),
            terminal_id=deps.terminal_id,
            office=deps.office.code,
            act_reference=self.act_reference,
            event_date=self.event_date,
            requester_name=self.requester_name,
            document=self.document,
            copies=self.copies,
            relation=self.relation or self._default_relation(),
            language=self.language,
            created_at=now,
        )
        try:
            accepted = deps.submitter.submit(submission, allow_offline=self.offline)
        except BackendUnavailable:
            self.reason = "submit_unavailable"
            self.step = S.UNAVAILABLE
            return self.step
        except BackendRejected as exc:
            self.reason = exc.reason
            self.step = S.REJECTED
            return self.step
        self.accepted = accepted
        self.receipt = ReceiptData(
            code=accepted.code,
            qr_payload=ReceiptQr(accepted.code, accepted.secret).encode(),
            document=self.document,
            copies=self.copies,
            fee=fee_for(self.copies),
            pickup_date=pickup_date(local(now).date(), self.document),
            issued_at=now,
            pending=accepted.pending,
        )
        try:
            deps.devices.print_receipt(submission.idempotency_key, self.receipt)
        except PrintFailed as exc:
            log.warning("receipt not printed: %s", exc)
            self.reason = "printer_kept" if exc.kept else "printer_lost"
            self.step = S.PRINT_FAILED
            return self.step
        log.info(
            "request accepted (%s, %d copies%s), receipt printed",
            self.document.value,
            self.copies,
            ", pending" if accepted.pending else "",
        )
        self.step = S.DONE
        return self.step

    def _default_relation(self) -> Relation:
        # Extracts do not ask: the card's holder is taken to be asking for their own act.
        return Relation.SELF if self.method is IdentifyMethod.CARD else Relation.OTHER


class PrinterNotReady(RuntimeError):  # noqa: N818
    """Confirm was pressed while the printer cannot print: the kiosk goes out of service."""
