"""The staff pages and the portal through HTTP: flows, refusals, headers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from records_backend.db.models import AuditEntry, DocRequest
from records_backend.documents.keyring import Keyring
from records_backend.documents.revocations import RevocationList
from records_backend.documents.verify import Verdict, verify_qr
from records_backend.domain.requests import DocumentKind, Relation
from records_backend.services import accounts
from records_backend.services.offices import office_by_code
from records_backend.services.principal import Principal
from records_backend.services.requests import SubmissionIn, submit
from records_backend.web import demo
from records_backend.web.models import IssuedDocument
from records_backend.web.security import CSP, PENDING_COOKIE, SESSION_COOKIE
from records_backend.web.services.counter import local_today
from records_backend.web.services.documents import issuing_officer
from tests.integration.web.web_pages import Pages, errors_of

pytestmark = pytest.mark.integration

Seeded = tuple[Pages, list[demo.DemoRequest]]


def _counter_flow(p: Pages, reqs: list[demo.DemoRequest]) -> None:
    assert p.login("clerk.mk01") == "/staff"
    first = reqs[0]
    r = p.post("/staff/counter/open", {"scan": f"SJ1|{first.code}|{first.secret}"})
    assert r.url.path == f"/staff/counter/requests/{first.request_id}"
    r = p.post(f"/staff/counter/requests/{first.request_id}/print")
    assert "counter.printed_ok" in str(r.url)
    pdf = p.client.get(f"/staff/counter/requests/{first.request_id}/document.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    p.post(f"/staff/counter/requests/{first.request_id}/ready")
    # A wrong fee is refused, nothing is recorded.
    r = p.post(
        f"/staff/counter/requests/{first.request_id}/collect",
        {"id_number": "AB123456", "fee": "5", "id_checked": "yes"},
    )
    assert r.status_code == 422
    r = p.post(
        f"/staff/counter/requests/{first.request_id}/collect",
        {"id_number": "ab 123456", "fee": "2", "id_checked": "yes"},
    )
    assert re.search(r'id="state">مسلم<', r.text), r.text[-2000:]
    cash = p.client.get("/staff/counter/cash")
    assert re.search(r'id="cash-total">2<', cash.text)


def test_counter_flow_sqlite(pages: Seeded) -> None:
    _counter_flow(*pages)


def test_printed_document_verifies_and_names_the_office_officer(pages: Seeded) -> None:
    p, reqs = pages
    p.login("clerk.mk01")
    p.post(f"/staff/counter/requests/{reqs[1].request_id}/print")
    web = p.client.app.state.web  # type: ignore[attr-defined]
    with web.records.sessions() as session:
        row = session.scalars(select(IssuedDocument)).one()
        officer = issuing_officer(session, office_by_code(session, "MK01").id, "nobody")
    ring = Keyring(web.keys_dir)
    verdict = verify_qr(row.qr_text, ring.public_keys(), RevocationList(), local_today())
    assert verdict.verdict is Verdict.VALID
    assert verdict.shown is not None
    assert row.serial.startswith("MK01-")
    # The clerk prints; the document is issued under the office's officer.
    assert officer == "Rachid Bennani"


def test_counter_flow_postgresql(pg_pages: Seeded) -> None:
    _counter_flow(*pg_pages)


def test_counter_refuses_foreign_wrong_and_bare_codes(pages: Seeded) -> None:
    p, reqs = pages
    p.login("clerk.mk01")
    p.client.cookies.set("sijill_lang", "fr")
    foreign = reqs[2]
    r = p.post("/staff/counter/open", {"scan": foreign.code, "secret": foreign.secret})
    assert r.status_code == 403
    assert "autre bureau" in errors_of(r.text)[0]
    typo = reqs[1].code[:-1] + ("A" if not reqs[1].code.endswith("A") else "B")
    r = p.post("/staff/counter/open", {"scan": typo})
    assert "caractère est faux" in errors_of(r.text)[0]
    r = p.post("/staff/counter/open", {"scan": reqs[1].code})
    assert "secret" in errors_of(r.text)[0]
    r = p.post("/staff/counter/open", {"scan": reqs[1].code, "secret": "WRONG123"})
    assert r.status_code == 404
    r = p.post("/staff/counter/open", {"scan": "https://example.org/x"})
    assert "pas un reçu Sijill" in errors_of(r.text)[0]


def test_pages_send_csp_and_refuse_forms_without_csrf(pages: Seeded) -> None:
    p, _ = pages
    r = p.client.get("/staff/login")
    assert r.headers["content-security-policy"] == CSP
    assert 'dir="rtl"' in r.text
    assert "<script>" not in r.text
    fr = p.client.get("/staff/login?lang=fr")
    assert 'lang="fr" dir="ltr"' in fr.text
    r = p.client.post("/staff/login", data={"username": "clerk.mk01", "password": "x"})
    assert r.status_code == 403


def test_officer_double_keying_and_mismatch(pages: Seeded) -> None:
    p, _ = pages
    assert p.login("officer.mk01") == "/staff"
    fields = {
        "office": "MK01",
        "kind": "birth",
        "number": "77",
        "given_name_ar": "أمين",
        "family_name_ar": "العلوي",
        "given_name_lat": "Amine",
        "family_name_lat": "Alaoui",
        "sex": "M",
        "event_date": "2024-01-10",
        "event_place": "مكناس",
        "officer_name": "ضابط",
        "drawn_up_date": "2024-01-12",
        "source_page": "3",
    }
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    r = p.client.post(
        "/staff/office/acts",
        data={"csrf": p.csrf(), **fields},
        files={"scan": ("page.png", png, "image/png")},
    )
    assert "office.drafted" in str(r.url), errors_of(r.text)
    act_id = int(r.url.path.rsplit("/", 1)[1])
    # The same officer may not key it again: the queue does not even offer it.
    assert f"/acts/{act_id}/key" not in p.client.get("/staff/office").text
    p.client.cookies.clear()
    p.login("officer2.mk01")
    key = p.client.get(f"/staff/office/acts/{act_id}/key")
    assert "Amine" not in key.text  # blind
    assert "/staff/scans/" in key.text
    r = p.post(f"/staff/office/acts/{act_id}/key", {**fields, "given_name_lat": "Amin"})
    assert r.url.path.endswith("/resolve")
    assert "Amine" in r.text
    assert "Amin" in r.text
    r = p.post(f"/staff/office/acts/{act_id}/resolve", {"final_given_name_lat": "Amine"})
    assert "office.registered" in str(r.url)
    assert 'id="act-status">مسجل<' in r.text


def test_admin_creates_locks_and_resets(pages: Seeded) -> None:
    p, _ = pages
    assert p.login("admin") == "/staff"
    r = p.post(
        "/staff/admin/users",
        {"username": "new.clerk", "full_name": "New Clerk", "roles": "clerk", "offices": "MK03"},
    )
    temp = re.search(r'id="temp-password">([^<]+)<', r.text)
    assert temp
    user_id = re.search(r"/staff/admin/users/(\d+)/lock", r.text.split('id="user-new.clerk"')[1])
    assert user_id
    p.post(f"/staff/admin/users/{user_id.group(1)}/lock", {"locked": "yes"})
    # The new clerk uses another browser: the administrator stays signed in here.
    other = Pages(TestClient(p.client.app, base_url="https://testserver"))
    r = other.post("/staff/login", {"username": "new.clerk", "password": temp.group(1)})
    assert r.status_code == 401
    p.post(f"/staff/admin/users/{user_id.group(1)}/lock", {"locked": "no"})
    assert other.login("new.clerk", temp.group(1)) == "/staff/password"
    r = other.post(
        "/staff/password",
        {"current": temp.group(1), "new": "brand-new-pass-9", "repeat": "brand-new-pass-9"},
    )
    assert r.status_code == 200
    assert other.client.get("/staff/counter").status_code == 200
    assert "MK03" in p.client.get(f"/staff/admin/users/{user_id.group(1)}").text
    p.post(f"/staff/admin/users/{user_id.group(1)}/scope", {"roles": "clerk", "offices": "MK04"})
    # A change of scope ends the clerk's sessions.
    assert other.client.get("/staff/counter").url.path == "/staff/login"
    offices = p.client.get("/staff/admin/offices")
    assert offices.status_code == 200
    assert re.search(
        r"MK04</th><td>[^<]+</td><td class=\"num\">0</td><td class=\"num\">1<", offices.text
    )


def test_portal_request_status_and_rate_limit(pages: Seeded) -> None:
    p, _ = pages
    page = p.client.get("/portal")
    idem = re.search(r'name="idem" value="([^"]+)"', page.text)
    assert idem
    form = {
        "idem": idem.group(1),
        "document": "extract",
        "by": "name",
        "family": "بنجلون",
        "given": "يوسف",
        "event_date": "1991-06-02",
        "requester": "Youssef Benjelloun",
        "relation": "self",
        "pickup": "MK01",
        "copies": "1",
    }
    r = p.post("/portal/request", form)
    code = re.search(r'id="req-code">([^<]+)<', r.text)
    secret = re.search(r'id="req-secret">([^<]+)<', r.text)
    assert code, errors_of(r.text)
    assert secret
    assert "<svg" in r.text
    # Created as a portal request in one step: the row and its audit entry both say so.
    state = p.client.app.state.records  # type: ignore[attr-defined]
    with state.sessions() as session:
        req = session.scalars(select(DocRequest).where(DocRequest.code == code.group(1))).one()
        assert req.channel == "portal"
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "request.submit", AuditEntry.target_id == str(req.id)
            )
        ).one()
        assert entry.detail["channel"] == "portal"
        assert entry.actor == "portal:portal"
    again = p.post("/portal/request", form)  # same idempotency key: same request
    assert code.group(1) in again.text
    r = p.post("/portal/status", {"code": code.group(1), "secret": secret.group(1)})
    assert 'id="req-state">' in r.text
    r = p.post("/portal/status", {"code": code.group(1), "secret": "AAAAAAAA"})
    assert r.status_code == 404
    # Unknown person and ambiguous identity get the same answer.
    r = p.post("/portal/request", {**form, "idem": "other-key-123", "family": "مجهول"})
    assert r.status_code == 404
    for _ in range(10):
        r = p.post("/portal/status", {"code": code.group(1), "secret": "AAAAAAAA"})
    assert r.status_code == 429


def test_statistics_for_statisticians_only(pages: Seeded) -> None:
    p, _ = pages
    p.login("clerk.mk01")
    refused = p.client.get("/staff/stats")
    assert refused.status_code == 403
    assert 'href="/staff/counter"' in refused.text  # the refusal keeps the clerk's menu
    p.client.cookies.clear()
    state = p.client.app.state.records  # type: ignore[attr-defined]
    with state.sessions.begin() as session:
        _, token = accounts.create_terminal(session, Principal.system(), "kiosk-mk01-a", "MK01")
        kiosk = accounts.terminal_principal(session, token, None)
        ref = "MK01-1990-N-001287"
        sub = SubmissionIn(
            idempotency_key="kiosk-stat-0001", act_reference=ref, event_date=date(1990, 3, 25),
            document=DocumentKind.EXTRACT, pickup_office="MK01", requester_name="Fatima",
            requester_relation=Relation.SELF,
        )  # fmt: skip
        submit(session, state.request_services, kiosk, sub)
    p.login("stats")
    r = p.client.get("/staff/stats?since=1980-01-01&until=2030-12-31")
    assert r.status_code == 200
    assert "<svg" in r.text
    csv = p.client.get("/staff/stats.csv?since=1980-01-01&until=2030-12-31")
    assert "acts,birth,1990-03,F,MK01,<5" in csv.text
    assert "requests_by_kiosk,kiosk-mk01-a,,,,<5" in csv.text


def test_audit_viewer_shows_chain_check(pages: Seeded) -> None:
    p, _ = pages
    p.login("auditor")
    r = p.client.get("/staff/audit?check=1&action=auth")
    assert 'id="chain"' in r.text
    assert "auth.login" in r.text


def test_full_copy_from_the_portal_waits_for_an_officer(pages: Seeded) -> None:
    p, _ = pages
    idem = re.search(r'name="idem" value="([^"]+)"', p.client.get("/portal").text)
    assert idem
    form = {
        "idem": idem.group(1), "document": "full_copy", "by": "reference",
        "reference": "MK01-1990-N-001287", "event_date": "1990-03-25",
        "requester": "Mohammed Benjelloun", "relation": "parent", "pickup": "MK01",
    }  # fmt: skip
    r = p.post("/portal/request", form)
    code = re.search(r'id="req-code">([^<]+)<', r.text)
    assert code, errors_of(r.text)
    # "other" may not have a full copy: refused, with the alternative named.
    r = p.post("/portal/request", {**form, "idem": "another-key-1", "relation": "other"})
    assert r.status_code == 403
    # The same answer for an act that does not exist: no oracle on who is registered.
    r = p.post(
        "/portal/request",
        {**form, "idem": "another-key-2", "relation": "other", "reference": "MK01-1990-N-999999"},
    )
    assert r.status_code == 403
    p.login("officer.mk01")
    office = p.client.get("/staff/office")
    assert code.group(1) in office.text
    req_id = re.search(r"/staff/office/requests/(\d+)/decide", office.text)
    assert req_id
    r = p.post(f"/staff/office/requests/{req_id.group(1)}/decide", {"decision": "reject"})
    assert r.status_code == 422  # a rejection needs its reason
    p.post(f"/staff/office/requests/{req_id.group(1)}/decide", {"decision": "approve"})
    assert code.group(1) not in p.client.get("/staff/office").text


def test_marginal_note_recorded_then_validated_by_another_officer(pages: Seeded) -> None:
    p, _ = pages
    p.login("officer.mk01")
    found = p.client.get("/staff/office/find?reference=MK01-1990-N-001287")
    act_path = found.url.path
    note = {
        "kind": "marriage", "note_date": "2014-07-12", "authority_kind": "adoul_act",
        "authority_name": "قسم قضاء الأسرة بمكناس", "authority_reference": "1245/2014",
        "text_ar": "تزوجت بالسيد يوسف بناني", "text_fr": "Mariée avec M. Youssef Bennani",
    }  # fmt: skip
    r = p.post(f"{act_path}/notes", note)
    assert "office.note_added" in str(r.url)
    note_id = re.search(r"/notes/(\d+)/validate", r.text)
    assert note_id
    # The officer who recorded it may not validate it.
    r = p.post(f"{act_path}/notes/{note_id.group(1)}/validate")
    assert r.status_code == 409
    other = Pages(TestClient(p.client.app, base_url="https://testserver"))
    other.login("officer2.mk01")
    r = other.post(f"{act_path}/notes/{note_id.group(1)}/validate")
    assert "office.note_validated" in str(r.url)
    assert "المصادقة على بيان" in r.text  # the act's history shows it


def test_wrong_totp_code_opens_nothing(pages: Seeded) -> None:
    p, _ = pages
    r = p.post("/staff/login", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert r.url.path == "/staff/totp"
    r = p.post("/staff/totp", {"code": "000000"})
    assert r.status_code == 401
    assert p.client.get("/staff/admin/users").url.path == "/staff/login"


def test_print_goes_to_the_office_printer_command(pages: Seeded, tmp_path: Path) -> None:
    p, reqs = pages
    out = tmp_path / "printed.pdf"
    web = p.client.app.state.web  # type: ignore[attr-defined]
    web.settings.print_command = ["sh", "-c", f"cat > {out}"]
    p.login("clerk.mk01")
    r = p.post(f"/staff/counter/requests/{reqs[0].request_id}/print")
    assert "counter.printed_ok" in str(r.url)
    assert out.read_bytes().startswith(b"%PDF")
    web.settings.print_command = ["false"]
    r = p.post(f"/staff/counter/requests/{reqs[1].request_id}/print")
    assert "counter.print_failed" in str(r.url)
    assert errors_of(r.text)  # the clerk is told, and can still download
    assert 'id="download"' in r.text


def _token_claims(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_half_done_sign_in_opens_neither_pages_nor_privileged_api(pages: Seeded) -> None:
    p, _ = pages
    r = p.post("/staff/login", {"username": "officer.mk01", "password": demo.DEMO_PASSWORD})
    assert r.url.path == "/staff/totp"
    pending = p.client.cookies.get(PENDING_COOKIE)
    assert pending
    assert _token_claims(pending)["amr"] == ["pwd"]
    # The password-only token, sent as a page session or as an API bearer, opens nothing.
    other = TestClient(p.client.app, base_url="https://testserver")
    other.cookies.set(SESSION_COOKIE, pending)
    assert other.get("/staff/office").url.path == "/staff/login"
    bearer = {"Authorization": f"Bearer {pending}"}
    r = p.client.get("/api/v1/acts/hijri?gregorian=2024-01-01", headers=bearer)
    assert r.status_code == 403
    assert r.json()["code"] == "second_factor_required"
    # After the code, the page session's token carries the mark, and keeps it on refresh.
    assert p.login("officer.mk01") == "/staff"
    session_token = p.client.cookies.get(SESSION_COOKIE)
    assert session_token
    assert _token_claims(session_token)["amr"] == ["pwd", "otp"]
    bearer = {"Authorization": f"Bearer {session_token}"}
    assert p.client.get("/api/v1/acts/hijri?gregorian=2024-01-01", headers=bearer).is_success
    fresh = p.client.post("/api/v1/auth/refresh", headers=bearer)
    assert fresh.json()["amr"] == ["pwd", "otp"]


def test_wrong_totp_codes_lock_the_account(pages: Seeded) -> None:
    p, _ = pages
    assert p.login("admin") == "/staff"  # enrolled
    p.client.cookies.clear()
    r = p.post("/staff/login", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert r.url.path == "/staff/totp"
    for _ in range(2):  # max_failed_logins is 3 in the page tests
        assert p.post("/staff/totp", {"code": "000000"}).status_code == 401
    # A right password in between does not wipe the count of wrong codes.
    r = p.post("/staff/login", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert r.url.path == "/staff/totp"
    r = p.post("/staff/totp", {"code": "000000"})
    assert r.status_code == 423
    assert "Compte verrouillé" in r.text or "الحساب مقفل" in r.text
    assert not p.client.cookies.get(PENDING_COOKIE)
    r = p.post("/staff/login", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert r.status_code == 423
