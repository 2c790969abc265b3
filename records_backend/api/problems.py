"""Errors as ``application/problem+json`` (RFC 9457) with a code and Arabic/French messages."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from records_backend.domain.errors import CATALOG, DomainError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class Messages(BaseModel):
    ar: str
    fr: str


class Problem(BaseModel):
    """An error (RFC 9457) with a machine code and messages in Arabic and French."""

    type: str
    title: str
    status: int
    code: str
    messages: Messages
    detail: str | None = None
    errors: list[dict[str, str]] | None = None


def _documented(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}},
    }


#: Added to every router so the OpenAPI document shows the error shape.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("Not signed in, or the session ended"),
    403: _documented("Role or office scope does not allow this"),
    404: _documented("Not found"),
    409: _documented("Refused in the current state"),
    422: _documented("Invalid input (errors lists each field)"),
}


def problem(code: str, detail: str = "", **extra: Any) -> JSONResponse:
    status, ar, fr = CATALOG[code]
    body: dict[str, Any] = {
        "type": f"urn:sijill:problem:{code}",
        "title": fr,
        "status": status,
        "code": code,
        "messages": {"ar": ar, "fr": fr},
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {}
    if code in {"not_authenticated", "session_expired", "bad_credentials"}:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "message": err.get("msg", ""),
        }
        for err in exc.errors()
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.code, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem("invalid_input", errors=_field_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return problem("not_found", str(exc.detail))
        status_code = exc.status_code
        body = {
            "type": "about:blank",
            "title": str(exc.detail),
            "status": status_code,
            "code": f"http_{status_code}",
        }
        return JSONResponse(body, status_code=status_code, media_type=PROBLEM_JSON)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem("internal")
