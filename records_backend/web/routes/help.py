"""The staff guides (Arabic and French), illustrated by the browser tests' screenshots."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from records_backend.domain.errors import DomainError
from records_backend.web.context import Signed, Web, render, request_lang

router = APIRouter(prefix="/staff/help", include_in_schema=False)

GUIDES = ("clerk", "officer", "admin")


def guide_html(name: str, lang: str) -> Markup:
    text = (
        resources.files("records_backend.web")
        .joinpath("guides", f"{name}.{lang}.html")
        .read_text(encoding="utf-8")
    )
    return Markup(text)  # noqa: S704  (our own files, shipped with the code)


@router.get("", response_class=HTMLResponse)
def help_index(request: Request, web: Web, staff: Signed) -> HTMLResponse:
    return render(request, web, "help.html", staff=staff, guides=GUIDES, guide=None)


@router.get("/{name}", response_class=HTMLResponse)
def help_page(request: Request, web: Web, staff: Signed, name: str) -> HTMLResponse:
    if name not in GUIDES:
        raise DomainError("not_found", name)
    body = guide_html(name, request_lang(request))
    return render(request, web, "help.html", staff=staff, guides=GUIDES, guide=name, body=body)
