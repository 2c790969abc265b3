"""Pure parts of the pages: scans, CSRF, client address, limits, figures, charts, texts."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from protocol.codes import RequestCode
from protocol.qr import ReceiptQr
from records_backend.domain.acts import ActFields
from records_backend.security.ratelimit import RateLimiter, client_address
from records_backend.web import security
from records_backend.web.charts import bar_chart
from records_backend.web.i18n import MESSAGES, translate
from records_backend.web.scanning import read_scan
from records_backend.web.services.backoffice import ACT_FORM, fields_from_form, scan_kind
from records_backend.web.services.counter import normalize_id_number
from records_backend.web.services.stats import Figures, csv_rows, percentile, suppress

CODE = RequestCode("MK01", 2026, 42)


def test_scan_reads_a_receipt_qr_with_its_secret() -> None:
    scan = read_scan(ReceiptQr(CODE, "AB12CD34").encode())
    assert (scan.code, scan.secret, scan.error) == (str(CODE), "AB12CD34", None)


def test_scan_of_a_bare_code_takes_the_typed_secret() -> None:
    scan = read_scan(str(CODE).lower(), " ab12-cd34 ")
    assert (scan.code, scan.secret) == (str(CODE), "AB12CD34")
    assert read_scan(str(CODE)).secret is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (str(CODE)[:-1] + ("A" if str(CODE)[-1] != "A" else "B"), "scan.mistyped"),
        ("https://example.org/?q=1", "scan.not_receipt"),
        ("SJ9|" + str(CODE) + "|AB12CD34", "scan.not_receipt"),
        ("", "scan.not_receipt"),
    ],
)
def test_scan_errors_say_why(text: str, error: str) -> None:
    assert read_scan(text).error == error


def test_csrf_token_binds_to_its_cookie() -> None:
    key = b"k" * 32
    seed = security.new_csrf_seed()
    token = security.csrf_token(key, seed)
    assert security.csrf_ok(key, seed, token)
    assert not security.csrf_ok(key, security.new_csrf_seed(), token)
    assert not security.csrf_ok(key, seed, None)
    assert not security.csrf_ok(b"x" * 32, seed, token)


def test_csp_forbids_inline_scripts_and_foreign_origins() -> None:
    assert "script-src 'self'" in security.CSP
    assert "unsafe-inline" not in security.CSP
    assert "frame-ancestors 'none'" in security.CSP


def test_forwarded_address_only_from_a_trusted_proxy() -> None:
    trusted = ["10.0.0.5"]
    assert client_address("10.0.0.5", "6.6.6.6, 41.250.1.2", trusted) == "41.250.1.2"
    # Anyone else's header is ignored: the peer is who gets limited.
    assert client_address("41.250.9.9", "1.2.3.4", trusted) == "41.250.9.9"
    assert client_address("10.0.0.5", "not-an-ip", trusted) == "10.0.0.5"


def test_rate_limiter_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.allow("a")
    assert limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")
    now[0] = 61
    assert limiter.allow("a")


def test_small_counts_are_hidden_in_exports() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    fig = Figures()
    fig.acts[("birth", "2025-01", "F", "MK01")] = 3
    fig.acts[("birth", "2025-01", "M", "MK01")] = 7
    fig.turnaround_hours = [1.0, 2.0]
    rows = csv_rows(fig)
    assert ["acts", "birth", "2025-01", "F", "MK01", "<5"] in rows
    assert ["acts", "birth", "2025-01", "M", "MK01", "7"] in rows
    assert ["turnaround", "p50_hours", "", "", "", ""] in rows


def test_percentiles_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile([], 50) is None


def test_bar_chart_is_labelled_svg_without_script() -> None:
    svg = str(bar_chart("Naissances <test>", ["2025-01", "2025-02"], [[3, 0], [1, 6]], "vide"))
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert 'aria-label="Naissances &lt;test&gt;"' in svg
    assert svg.count("<rect") == 4
    assert "vide" in str(bar_chart("x", ["a"], [[0]], "vide"))


def test_id_numbers_are_normalized() -> None:
    assert normalize_id_number(" ab 123456 ") == "AB123456"
    assert normalize_id_number("D-45872") == "D45872"
    assert normalize_id_number("12") is None


def test_act_form_reports_the_wrong_fields() -> None:
    fields, problems = fields_from_form({"number": "5", "sex": "F"})
    assert fields is None
    assert any(p.startswith("given_name_ar") for p in problems)
    assert scan_kind(b"\x89PNG\r\n") == "png"
    assert scan_kind(b"GIF89a") is None


def test_the_act_form_keys_every_field_of_an_act_with_a_label() -> None:
    # A field the form lacks could never be keyed twice, nor shown for the officer to check.
    assert {spec.name for spec in ACT_FORM} == set(ActFields.model_fields)
    assert len(ACT_FORM) == len(ActFields.model_fields)
    assert all(f"f.{spec.name}" in MESSAGES for spec in ACT_FORM)


def test_the_act_form_takes_places_in_latin_letters_and_names_in_tifinagh() -> None:
    fields, problems = fields_from_form(
        {
            "number": "12",
            "given_name_ar": "يوسف",
            "family_name_ar": "العلوي",
            "given_name_lat": "Youssef",
            "family_name_lat": "Alaoui",
            "given_name_tfng": "ⵢⵓⵙⵙⴼ",
            "family_name_tfng": "ⵄⵍⴰⵡⵉ",
            "sex": "M",
            "event_date": "2001-03-04",
            "event_place": "مكناس",
            "event_place_lat": "Meknès",
            "father_birth_place": "فاس",
            "father_birth_place_lat": "Fès",
            "officer_name": "الضابط",
            "drawn_up_date": "2001-03-05",
        }
    )
    assert problems == []
    assert fields is not None
    assert (fields.event_place_lat, fields.father_birth_place_lat) == ("Meknès", "Fès")
    assert fields.given_name_tfng == "ⵢⵓⵙⵙⴼ"
    _, wrong = fields_from_form({"event_place_lat": "مكناس"})
    assert any(p.startswith("event_place_lat") for p in wrong)


def test_every_text_the_templates_use_exists_in_both_languages() -> None:
    templates = resources.files("records_backend.web").joinpath("templates")
    used: set[str] = set()
    for item in templates.iterdir():
        used |= set(re.findall(r"\bt\('([a-z0-9_.]+)'", item.read_text(encoding="utf-8")))
    assert used, "no texts found"
    # ``t('st.' ~ state)`` builds the key: its prefix must name a family of texts.
    missing = sorted(
        k
        for k in used
        if (k.endswith(".") and not any(m.startswith(k) for m in MESSAGES))
        or (not k.endswith(".") and k not in MESSAGES)
    )
    assert missing == []
    for key, (ar, fr) in MESSAGES.items():
        assert ar, key
        assert fr, key
    assert translate("fr", "audit.chain_ok", checked=3) == "Chaîne intacte : 3 entrées vérifiées."


def test_cli_prints_every_page_address() -> None:
    from typer.testing import CliRunner

    from records_backend.web.cli import PAGES, app

    result = CliRunner().invoke(app, ["urls", "--base", "http://records:8100/"])
    assert result.exit_code == 0
    for path, _ in PAGES:
        assert f"http://records:8100{path}" in result.output
