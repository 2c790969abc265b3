"""Demo staff and a few requests, so every page has something to show.

Used by the demo start-up and by the page tests; never run against production data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.api.state import AppState
from records_backend.db.models import User
from records_backend.domain.acts import ActFields, ActKind, SourceKind
from records_backend.domain.requests import DocumentKind, Relation
from records_backend.domain.roles import Role
from records_backend.services import accounts, acts
from records_backend.services import requests as request_service
from records_backend.services.principal import Principal

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (demo accounts only)

DEMO_STAFF: tuple[tuple[str, str, tuple[Role, ...], tuple[str, ...], bool], ...] = (
    ("clerk.mk01", "Samira Alaoui", (Role.CLERK,), ("MK01",), False),
    ("officer.mk01", "Rachid Bennani", (Role.OFFICER,), ("MK01",), False),
    ("officer2.mk01", "Nadia Tazi", (Role.OFFICER,), ("MK01",), False),
    ("clerk.mk02", "Youssef Idrissi", (Role.CLERK,), ("MK02",), False),
    ("admin", "Karim Fassi", (Role.CENTRAL_ADMIN,), (), True),
    ("auditor", "Leila Chraibi", (Role.AUDITOR,), (), True),
    ("stats", "Omar Berrada", (Role.STATISTICIAN,), (), True),
)


@dataclass(frozen=True, slots=True)
class DemoRequest:
    code: str
    secret: str
    request_id: int


def ensure_staff(session: Session, state: AppState, password: str = DEMO_PASSWORD) -> int:
    present = set(session.scalars(select(User.username)))
    added = 0
    for username, full_name, roles, offices, everywhere in DEMO_STAFF:
        if username in present:
            continue
        accounts.create_user(
            session,
            state.passwords,
            Principal.system(),
            username=username,
            full_name=full_name,
            password=password,
            roles=list(roles),
            office_codes=list(offices),
            all_offices=everywhere,
        )
        added += 1
    return added


def birth_fields(number: int, **overrides: object) -> ActFields:
    data: dict[str, object] = {
        "number": number,
        "given_name_ar": "فاطمة الزهراء",
        "family_name_ar": "بنجلون",
        "given_name_lat": "Fatima Zahra",
        "family_name_lat": "Benjelloun",
        "sex": "F",
        "event_date": date(1990, 3, 25),
        "event_date_hijri": "1410-08-28",
        "event_place": "مكناس",
        "event_place_lat": "Meknès",
        "father_name_ar": "محمد",
        "father_name_lat": "Mohammed",
        "mother_name_ar": "خديجة",
        "mother_name_lat": "Khadija",
        "officer_name": "عبد الرحيم الإدريسي",
        "drawn_up_date": date(1990, 3, 28),
        "source_page": 12,
    }
    data.update(overrides)
    return ActFields.model_validate(data)


def _officer(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return accounts.principal_for_user(session, user, None, None)


def registered_act(
    session: Session, office: str, fields: ActFields, kind: ActKind = ActKind.BIRTH
) -> str:
    """Key an act twice with the two demo officers; returns its reference."""
    first, second = _officer(session, "officer.mk01"), _officer(session, "officer2.mk01")
    act = acts.create_draft(session, first, office, kind, SourceKind.REGISTER_PAGE, fields)
    acts.second_keying(session, second, act.id, fields)
    return acts.reference(session, act)


def request_for(
    session: Session,
    state: AppState,
    reference: str,
    event_date: date,
    *,
    document: DocumentKind = DocumentKind.EXTRACT,
    relation: Relation = Relation.SELF,
    pickup: str = "MK01",
    key: str,
) -> DemoRequest:
    sub = request_service.SubmissionIn(
        idempotency_key=key,
        act_reference=reference,
        event_date=event_date,
        document=document,
        copies=1,
        pickup_office=pickup,
        requester_name="Fatima Zahra Benjelloun",
        requester_relation=relation,
    )
    clerk = _officer(session, "clerk.mk01" if pickup == "MK01" else "clerk.mk02")
    receipt = request_service.submit(session, state.request_services, clerk, sub)
    assert receipt.secret is not None
    return DemoRequest(receipt.request.code, receipt.secret, receipt.request.id)


def seed(state: AppState) -> list[DemoRequest]:
    """Staff accounts, two registered acts in MK01 and three requests on them."""
    with state.sessions.begin() as session:
        ensure_staff(session, state)
    with state.sessions.begin() as session:
        ref = registered_act(session, "MK01", birth_fields(1287))
        ref2 = registered_act(
            session,
            "MK01",
            birth_fields(
                1288,
                given_name_ar="يوسف",
                given_name_lat="Youssef",
                sex="M",
                event_date=date(1991, 6, 2),
                drawn_up_date=date(1991, 6, 5),
                event_date_hijri=None,
            ),
        )
    with state.sessions.begin() as session:
        return [
            request_for(session, state, ref, date(1990, 3, 25), key="demo-web-0001"),
            request_for(session, state, ref2, date(1991, 6, 2), key="demo-web-0002"),
            request_for(session, state, ref, date(1990, 3, 25), pickup="MK02", key="demo-web-0003"),
        ]
