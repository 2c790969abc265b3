"""Likely duplicates: the same person already registered, for an officer to decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import Act, ActEvent
from records_backend.db.types import utcnow
from records_backend.domain.acts import ActStatus
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission
from records_backend.services.acts import load_act
from records_backend.services.offices import office_code
from records_backend.services.principal import Principal

#: Birth dates this far apart may still be one person keyed with an error.
DATE_WINDOW = timedelta(days=366)
MAX_CANDIDATES = 10


@dataclass(frozen=True, slots=True)
class Candidate:
    act: Act
    reasons: list[str]

    @property
    def score(self) -> int:
        return len(self.reasons)


def candidates(session: Session, act: Act) -> list[Candidate]:
    """Acts of the same kind whose names match in any script, dates close, parents alike."""
    same_names = [
        and_(Act.family_key_ar == act.family_key_ar, Act.given_key_ar == act.given_key_ar),
        and_(Act.family_key_lat == act.family_key_lat, Act.given_key_lat == act.given_key_lat),
    ]
    if act.family_key_tfng and act.given_key_tfng:
        same_names.append(
            and_(
                Act.family_key_tfng == act.family_key_tfng,
                Act.given_key_tfng == act.given_key_tfng,
            )
        )
    names = or_(*same_names)
    rows = session.scalars(
        select(Act)
        .where(
            names,
            Act.id != act.id,
            Act.kind == act.kind,
            Act.event_date >= act.event_date - DATE_WINDOW,
            Act.event_date <= act.event_date + DATE_WINDOW,
            Act.status != ActStatus.WITHDRAWN.value,
        )
        .limit(200)
    )
    found: list[Candidate] = []
    for other in rows:
        reasons: list[str] = []
        if (other.family_key_ar, other.given_key_ar) == (act.family_key_ar, act.given_key_ar):
            reasons.append("names_ar")
        if (other.family_key_lat, other.given_key_lat) == (act.family_key_lat, act.given_key_lat):
            reasons.append("names_lat")
        if act.family_key_tfng and (other.family_key_tfng, other.given_key_tfng) == (
            act.family_key_tfng,
            act.given_key_tfng,
        ):
            reasons.append("names_tfng")
        reasons.append("same_date" if other.event_date == act.event_date else "date_close")
        if act.sex == other.sex:
            reasons.append("sex")
        for label, mine, theirs in (
            ("father", act.father_key, other.father_key),
            ("mother", act.mother_key, other.mother_key),
        ):
            if mine and theirs and _parent_alike(mine, theirs):
                reasons.append(label)
        if "sex" in reasons and (
            "same_date" in reasons or "father" in reasons or "mother" in reasons
        ):
            found.append(Candidate(other, reasons))
    found.sort(key=lambda c: (-c.score, c.act.id))
    return found[:MAX_CANDIDATES]


def _parent_alike(a: str, b: str) -> bool:
    ar_a, _, lat_a = a.partition("|")
    ar_b, _, lat_b = b.partition("|")
    return bool((ar_a and ar_a == ar_b) or (lat_a and lat_a == lat_b))


def for_act(session: Session, by: Principal, act_id: int) -> tuple[Act, list[Candidate]]:
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id)
    found = candidates(session, act)
    append(
        session,
        by.actor,
        "act.duplicates",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"candidates": [c.act.id for c in found]},
    )
    return act, found


def decide(
    session: Session, by: Principal, act_id: int, other_id: int, same_person: bool, note: str
) -> Act:
    """Record the officer's decision. A draft found to be a duplicate is withdrawn."""
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id, for_update=True)
    other = session.get(Act, other_id)
    if other is None or other.id == act.id:
        raise DomainError("not_found", f"act {other_id}")
    withdraw = same_person and act.status != ActStatus.REGISTERED.value
    if withdraw:
        act.status = ActStatus.WITHDRAWN.value
    session.add(
        ActEvent(
            act_id=act.id,
            at=utcnow(),
            actor_id=by.user_id,
            event="duplicate_decision",
            detail={
                "other": other.id,
                "same_person": same_person,
                "note": note,
                "withdrawn": withdraw,
            },
        )
    )
    append(
        session,
        by.actor,
        "act.duplicate_decision",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"other": other.id, "same_person": same_person, "withdrawn": withdraw},
    )
    return act
