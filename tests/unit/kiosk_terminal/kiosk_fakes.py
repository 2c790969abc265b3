"""In-memory stand-ins for the kiosk's ports, for tests only."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from kiosk_terminal.core.model import (
    Accepted,
    ActMatch,
    ActQuery,
    ActReference,
    CardIdentity,
    CardKeys,
    DocumentKind,
    NameQuery,
    OfficeInfo,
    ReceiptData,
    RequestState,
    RequestStatus,
    Submission,
)
from kiosk_terminal.core.procedures import ProceduresCatalog
from kiosk_terminal.core.request import RequestDeps
from kiosk_terminal.core.session import KioskSession, SessionDeps, SessionSettings
from kiosk_terminal.services.ports import (
    BackendRejected,
    BackendUnavailable,
    CardReadFailed,
    NotFound,
    PrintFailed,
)
from protocol.codes import CodeBlock, RequestCode, new_receipt_secret

OFFICE = OfficeInfo(
    code="MK07",
    name_ar="مكتب الحالة المدنية حمرية",
    name_fr="Bureau d'état civil Hamria",
    counter_ar="الشباك رقم 3",
    counter_fr="Guichet 3",
)


@dataclass(frozen=True)
class Person:
    act_id: str
    given: str
    family: str
    birth: date
    father: str
    mother: str
    reference: ActReference


PEOPLE = (
    Person("a1", "Yassine", "Alaoui", date(1990, 3, 4), "Ahmed", "Fatima",
           ActReference("MK07", 1990, 412)),
    Person("a2", "Salma", "Bennani", date(1988, 7, 1), "Omar", "Khadija",
           ActReference("MK07", 1988, 77)),
    Person("a3", "Salma", "Bennani", date(1988, 7, 1), "Hassan", "Zineb",
           ActReference("MK03", 1988, 1203)),
    # The same two women as keyed in Arabic.
    Person("a4", "سلمى", "بناني", date(1988, 7, 1), "عمر", "خديجة",
           ActReference("MK07", 1988, 77)),
    Person("a5", "سلمى", "بناني", date(1988, 7, 1), "حسن", "زينب",
           ActReference("MK03", 1988, 1203)),
)  # fmt: skip


@dataclass
class FakeBackend:
    online: bool = True
    people: tuple[Person, ...] = PEOPLE
    requests: dict[str, tuple[Submission, RequestCode, str]] = field(default_factory=dict)
    statuses: dict[RequestCode, RequestStatus] = field(default_factory=dict)
    secrets: dict[RequestCode, str] = field(default_factory=dict)
    queries: list[ActQuery] = field(default_factory=list)
    reject_reason: str | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000))

    def _check(self) -> None:
        if not self.online:
            raise BackendUnavailable("connection refused")

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        self._check()
        self.queries.append(query)
        if isinstance(query, ActReference):
            found = [p for p in self.people if p.reference == query]
        else:
            found = [p for p in self.people if _matches(p, query)]
        return [ActMatch(p.reference.text) for p in found]

    def submit(self, submission: Submission) -> Accepted:
        self._check()
        if self.reject_reason:
            raise BackendRejected(self.reject_reason)
        known = self.requests.get(submission.idempotency_key)
        if known is not None:
            return Accepted(code=known[1], secret=known[2], pending=False)
        code = submission.code or RequestCode("MK07", 2026, next(self._seq))
        secret = submission.secret or new_receipt_secret()
        self.requests[submission.idempotency_key] = (submission, code, secret)
        self.statuses[code] = RequestStatus(
            code, RequestState.SUBMITTED, submission.document, submission.copies
        )
        self.secrets[code] = secret
        return Accepted(code=code, secret=secret, pending=False)

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        self._check()
        status = self.statuses.get(code)
        if status is None or (secret is not None and self.secrets.get(code) != secret):
            raise NotFound("no such request")
        return status if secret is not None else replace(status, counter=None)

    def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
        self._check()
        first = next(self._seq) - 800_000
        return CodeBlock("MK07", 2026, first, first + size - 1, terminal_id)

    def make_ready(self, counter: str = "3") -> tuple[RequestCode, str]:
        code = RequestCode("MK07", 2026, 4213)
        self.statuses[code] = RequestStatus(
            code, RequestState.READY, DocumentKind.EXTRACT, 2, counter
        )
        self.secrets[code] = "7Q2FK8MA"
        return code, "7Q2FK8MA"


def _matches(p: Person, q: NameQuery) -> bool:
    same = (p.given.lower(), p.family.lower(), p.birth) == (
        q.given_name.lower(), q.family_name.lower(), q.birth_date)  # fmt: skip
    if q.parents is not None:
        same = same and (p.father.lower(), p.mother.lower()) == (
            q.parents.father.lower(), q.parents.mother.lower())  # fmt: skip
    return same


@dataclass
class FakeDevices:
    ready: bool = True
    printed: list[tuple[str, ReceiptData]] = field(default_factory=list)
    fail_print: PrintFailed | None = None
    card: CardIdentity | None = field(
        default_factory=lambda: CardIdentity("Yassine", "Alaoui", date(1990, 3, 4), "AB123456")
    )
    card_error: str | None = None
    keys_seen: list[CardKeys] = field(default_factory=list)

    def printer_ready(self) -> bool:
        return self.ready

    def print_receipt(self, job_id: str, receipt: ReceiptData) -> None:
        if self.fail_print is not None:
            raise self.fail_print
        if any(j == job_id for j, _ in self.printed):
            return
        self.printed.append((job_id, receipt))

    def read_card(self, keys: CardKeys) -> CardIdentity:
        self.keys_seen.append(keys)
        if self.card_error:
            raise CardReadFailed(self.card_error)
        if self.card is None:
            raise CardReadFailed("absent")
        return self.card


@dataclass
class DirectSubmitter:
    """Sends straight to the backend: the outbox has its own tests."""

    backend: FakeBackend
    offline_seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def submit(self, submission: Submission, allow_offline: bool) -> Accepted:
        try:
            return self.backend.submit(submission)
        except BackendUnavailable:
            if not allow_offline:
                raise
            code = RequestCode("MK07", 2026, 500_000 + next(self.offline_seq))
            return Accepted(code=code, secret=new_receipt_secret(), pending=True)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


NOW = datetime(2026, 11, 25, 10, 4, tzinfo=UTC)  # a Wednesday


@dataclass
class Kit:
    backend: FakeBackend
    devices: FakeDevices
    deps: RequestDeps
    clock: FakeClock


def make_kit(catalog: ProceduresCatalog | None = None) -> tuple[Kit, KioskSession]:
    backend = FakeBackend()
    devices = FakeDevices()
    keys = (f"key-{i}" for i in itertools.count(1))
    deps = RequestDeps(
        backend=backend,
        devices=devices,
        submitter=DirectSubmitter(backend),
        office=OFFICE,
        terminal_id="mk07-k1",
        now=lambda: NOW,
        new_key=lambda: next(keys),
    )
    clock = FakeClock()
    session = KioskSession(
        SessionDeps(request=deps, catalog=catalog or ProceduresCatalog(), monotonic=clock),
        SessionSettings(idle_timeout_s=60, warning_s=15),
    )
    return Kit(backend, devices, deps, clock), session
