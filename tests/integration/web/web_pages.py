"""Helpers for the page tests: an app with the pages on a fresh database, a form client."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient

from records_backend.app import create_app
from records_backend.settings import RecordsSettings
from records_backend.web.demo import DEMO_PASSWORD


def make_app(data_dir: Path, url: str) -> FastAPI:
    settings = RecordsSettings(
        data_dir=data_dir,
        database_url=url,
        argon2_time_cost=1,
        argon2_memory_kib=64,
        max_failed_logins=3,
    )
    app = create_app(settings)
    assert hasattr(app.state, "web"), "create_app mounts the pages"
    return app


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_ERR = re.compile(r'class="flash err"[^>]*>([^<]*)')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no form"
    return match.group(1)


def errors_of(html: str) -> list[str]:
    return _ERR.findall(html)


#: TOTP secrets of the accounts enrolled so far (a second login answers with the next step).
TOTP_SECRETS: dict[str, str] = {}


@dataclass
class Pages:
    client: TestClient

    def csrf(self) -> str:
        return csrf_of(self.client.get("/staff/login").text)

    def post(self, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        response: httpx.Response = self.client.post(url, data={"csrf": self.csrf(), **(data or {})})
        return response

    def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """Sign in; enrols or answers TOTP when the role needs it. Returns the final path."""
        r = self.post("/staff/login", {"username": username, "password": password})
        if r.url.path == "/staff/totp":
            shown = re.search(r'id="totp-key">([A-Z2-7]+)<', r.text)
            if shown:
                TOTP_SECRETS[username] = shown.group(1)
                code = pyotp.TOTP(shown.group(1)).now()
            else:
                code = pyotp.TOTP(TOTP_SECRETS[username]).at(time.time() + 30)
            r = self.post("/staff/totp", {"code": code})
        return str(r.url.path)
