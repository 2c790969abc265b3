"""Who is asking: the token from the Authorization header or the sign-in cookie."""

from __future__ import annotations

import hashlib

from fastapi import HTTPException, Request

from fleet_manager.auth import ALLOWED_ROLES, LOCAL_OPERATOR, USAGE_ROLES, AuthError, Staff
from fleet_manager.service import FleetService

COOKIE = "sijill_fleet_token"


def service_of(request: Request) -> FleetService:
    svc: FleetService = request.app.state.fleet
    return svc


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def staff_or_none(request: Request, allowed: frozenset[str] = ALLOWED_ROLES) -> Staff | None:
    svc = service_of(request)
    if svc.verifier is None:
        return LOCAL_OPERATOR
    token = token_of(request)
    if not token:
        return None
    try:
        return svc.verifier.verify(token, allowed)
    except AuthError:
        return None


def api_staff(request: Request) -> Staff:
    staff = staff_or_none(request)
    if staff is None:
        raise HTTPException(401, "sign in with a records backend token")
    return staff


def usage_staff(request: Request) -> Staff:
    """Statisticians read kiosk usage too (nothing else of the fleet API)."""
    staff = staff_or_none(request, USAGE_ROLES)
    if staff is None:
        raise HTTPException(401, "sign in with a records backend token")
    return staff


def csrf_token(request: Request) -> str:
    """Tied to the session token, so a form from another site cannot guess it."""
    token = request.cookies.get(COOKIE) or "open"
    return hashlib.sha256(b"fleet-form:" + token.encode()).hexdigest()[:32]
