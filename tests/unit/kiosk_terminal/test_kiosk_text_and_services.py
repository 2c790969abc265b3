"""Arabic layout, form parsing, catalogues, speech, systemd notify, receipt mapping."""

from __future__ import annotations

import gettext
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from babel.messages.pofile import read_po
from bidi.algorithm import get_display

from kiosk_terminal.core.model import DocumentKind, ReceiptData
from kiosk_terminal.i18n import Translator
from kiosk_terminal.i18n.catalog import LANGUAGES, extract, po_path
from kiosk_terminal.services.devices import receipt_content
from kiosk_terminal.ui.bidi_text import has_rtl, layout, visual_line, wrap
from kiosk_terminal.ui.forms import clean_name, parse_date, parse_reference
from protocol.codes import RequestCode
from tests.unit.kiosk_terminal.kiosk_fakes import OFFICE


def _chars(text: str) -> float:
    return float(len(text))


def test_arabic_lines_keep_their_order_and_are_joined() -> None:
    text = "طلب نسخة موجزة من رسم الولادة"
    lines = wrap(text, 12, _chars, rtl=True)
    assert lines == ["طلب نسخة", "موجزة من رسم", "الولادة"]  # logical order, top to bottom
    shown = layout(text, 12, _chars, rtl=True).split("\n")
    assert len(shown) == 3
    # Each visual line, read back right to left, is its logical line (joined forms aside).
    assert shown[0] == visual_line("طلب نسخة", rtl=True)
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in shown[0])
    assert shown[0] != get_display("طلب نسخة")  # not merely reordered: shaped too


def test_latin_text_is_left_alone_and_numbers_stay_readable_in_arabic() -> None:
    assert visual_line("Guichet 3", rtl=False) == "Guichet 3"
    assert not has_rtl("MK07-2026-004213-K")
    mixed = visual_line("الشباك 12", rtl=True)
    assert "12" in mixed  # digits keep their left-to-right order inside Arabic
    assert layout("a\nb", None, _chars, rtl=False) == "a\nb"


def test_forms_read_dates_references_and_names() -> None:
    assert parse_date("04/03/1990") == date(1990, 3, 4)
    assert parse_date("4/3/1990") == date(1990, 3, 4)
    assert parse_date("04031990") == date(1990, 3, 4)
    assert parse_date("31/02/1990") is None
    assert parse_date("1990") is None
    ref = parse_reference("mk07 ", "1990", "412")
    assert ref is not None
    assert ref.text == "MK07-1990-N-000412"
    assert parse_reference("MK07", "19", "412") is None
    assert parse_reference("MK07", "1990", "") is None
    assert clean_name("  Salma   Bennani ") == "Salma Bennani"
    assert clean_name(" x ") is None


def test_every_screen_text_is_translated_in_arabic_and_french() -> None:
    messages = extract()
    assert len(messages) > 100
    for lang in LANGUAGES:
        with po_path(lang).open("rb") as handle:
            catalog = read_po(handle)
        ids = {m.id for m in catalog if m.id}
        assert set(messages) <= ids, f"{lang}: run python -m kiosk_terminal.i18n.catalog"
        if lang in ("ar", "fr"):
            missing = [m.id for m in catalog if m.id and not m.string]
            assert missing == [], lang
            # The compiled .mo says the same as the .po (nobody forgot to compile).
            mo = po_path(lang).with_suffix(".mo")
            with mo.open("rb") as handle:
                compiled = gettext.GNUTranslations(handle)
            for message in catalog:
                if message.id:
                    assert compiled.gettext(str(message.id)) == message.string
    assert Translator("ar")("Back") == "رجوع"
    assert Translator("fr")("Back") == "Retour"
    assert Translator("zgh")("Back") == "ⴰⵖⵓⵍ"  # Tifinagh (IRCAM), see the Tamazight tests
    assert Translator("en")("Back") == "Back"


def test_receipt_content_carries_code_fee_dates_secret_and_pending_flag() -> None:
    data = ReceiptData(
        code=RequestCode("MK07", 2026, 990001),
        qr_payload="SJ1|MK07-2026-990001-4|7Q2FK8MA",
        document=DocumentKind.FULL_COPY,
        copies=2,
        fee=Decimal(4),
        pickup_date=date(2026, 11, 27),
        issued_at=datetime(2026, 11, 25, 10, 4, tzinfo=UTC),
        pending=True,
    )
    content = receipt_content(data, OFFICE)
    assert content.request_code == "MK07-2026-990001-4"
    assert content.fee_dirhams == Decimal(4)
    assert content.document_kind_fr == "Copie intégrale d'acte de naissance"
    assert content.pickup_date_ar.startswith("الجمعة 27 نونبر 2026")
    assert content.pickup_date_fr == "vendredi 27 novembre 2026"  # the mark is a band now
    assert content.pending
    assert content.receipt_secret == "7Q2FK8MA"
    ticket = receipt_content(replace(data, ticket=True, counter="4", pending=False), OFFICE)
    assert ticket.pickup_place_fr == "Guichet 4"
    assert not ticket.pending
    foreign = receipt_content(replace(data, qr_payload="not a receipt"), OFFICE)
    assert foreign.receipt_secret is None
