"""The audit log for auditors: verify the chain."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from records_backend.api.deps import Caller, Db
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.audit.log import verify
from records_backend.domain.roles import Permission

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


class VerdictOut(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None


@router.get("/verify", summary="Walk the hash chain and name the first bad entry")
def verify_chain(caller: Caller, session: Db) -> VerdictOut:
    caller.require(Permission.AUDIT_READ)
    v = verify(session)
    return VerdictOut(
        ok=v.ok,
        checked=v.checked,
        head_seq=v.head_seq,
        head_hash=v.head_hash,
        first_bad_seq=v.first_bad_seq,
        problem=v.problem,
    )
