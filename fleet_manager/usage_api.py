"""``GET /api/v1/usage``: kiosk usage per office, day and terminal (statistics)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from fleet_manager.auth import Staff
from fleet_manager.deps import service_of, usage_staff
from fleet_manager.usage import MAX_DAYS
from fleet_manager.usage_store import DEFAULT_OFFICES, MAX_OFFICES, UsageRefused, usage
from protocol.topics import TopicError, validate_office_code
from protocol.usage import UsageOut

router = APIRouter(prefix="/api/v1", tags=["usage"])


@router.get(
    "/usage",
    response_model=UsageOut,
    summary="Kiosk usage per office, day and terminal",
    responses={
        401: {"description": "no valid records backend token"},
        403: {"description": "the office asked for is outside the caller's offices"},
        422: {"description": "bad period (until before since, or longer than 366 days)"},
    },
)
def get_usage(
    request: Request,
    staff: Annotated[Staff, Depends(usage_staff)],
    since: Annotated[date, Query(description="first local day, YYYY-MM-DD")],
    until: Annotated[date, Query(description="last local day (inclusive), YYYY-MM-DD")],
    office: Annotated[str | None, Query(description="one office code, e.g. MK01")] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_OFFICES, description="offices per page")
    ] = DEFAULT_OFFICES,
    cursor: Annotated[str | None, Query(max_length=16, description="from `next_cursor`")] = None,
) -> dict[str, Any]:
    """Requests submitted, receipts printed, device faults and availability (share of office
    hours online), summed from the stored events and status changes. Statisticians, central
    administrators and fleet operators, with the records backend's token; office-scoped
    accounts see their offices only. Paginated by office (``limit``, ``cursor``)."""
    if until < since:
        raise HTTPException(422, "until is before since")
    if (until - since).days + 1 > MAX_DAYS:
        raise HTTPException(422, f"at most {MAX_DAYS} days at once")
    if office:
        try:
            validate_office_code(office)
        except TopicError as exc:
            raise HTTPException(422, str(exc)) from None
    svc = service_of(request)
    with svc.sessions() as session:
        try:
            return usage(
                session,
                staff,
                since,
                until,
                svc.runtime.hours,
                datetime.now(UTC),
                office=office,
                limit=limit,
                cursor=cursor,
            )
        except UsageRefused as exc:
            raise HTTPException(403, str(exc)) from None
