"""What each document kind prints, checked on the view and the HTML (no PDF here)."""

from __future__ import annotations

from records_backend.documents.model import DocumentKind
from records_backend.documents.render import render_html
from records_backend.documents.samples import sample
from records_backend.documents.view import build_view

QR = "data:image/png;base64,iVBORw0KGgo="


def _html(kind: DocumentKind) -> str:
    return render_html(build_view(sample(kind), "ABCDE-12345", QR, "https://example.test/v"))


def test_full_copy_carries_every_marginal_note() -> None:
    view = build_view(sample(DocumentKind.FULL_COPY), "ABCDE-12345", QR)
    assert view.shows_notes
    assert [n.kind_fr for n in view.notes] == ["Mariage", "Correction de la graphie latine"]
    html = _html(DocumentKind.FULL_COPY)
    assert "البيانات الهامشية" in html
    assert "Mariée avec M. Youssef Bennani" in html
    assert "Copie intégrale d&#39;acte de naissance" in html


def test_extract_and_sheet_leave_notes_out() -> None:
    for kind in (DocumentKind.EXTRACT, DocumentKind.INDIVIDUAL_SHEET):
        view = build_view(sample(kind), "ABCDE-12345", QR)
        assert not view.shows_notes
        assert view.notes == []
        html = _html(kind)
        assert "Mentions marginales" not in html
        assert "Youssef" not in html


def test_rows_are_bilingual_with_dates_in_words() -> None:
    view = build_view(sample(DocumentKind.FULL_COPY), "ABCDE-12345", QR)
    rows = {r.label_fr: r for r in view.rows + view.extra_rows}
    assert rows["Nom"].value_fr == "BENJELLOUN"
    assert rows["Nom"].value_ar == "بنجلون"
    assert rows["Né(e) le"].words_ar == "خمسة وعشرون مارس ألف وتسعمائة وتسعون"
    assert rows["Date hégirienne"].words_fr == "vingt-huit Chaabane mille quatre cent dix"
    assert rows["Heure"].value_fr == "10:15"
    assert rows["Acte dressé le"].value_ar == "28/03/1990"
    assert rows["Sexe"].value_ar == "أنثى"


def test_extract_has_no_hour_and_sheet_has_it() -> None:
    extract = {r.label_fr for r in build_view(sample(DocumentKind.EXTRACT), "C", QR).rows}
    sheet = {r.label_fr for r in build_view(sample(DocumentKind.INDIVIDUAL_SHEET), "C", QR).rows}
    assert "Heure" not in extract
    assert "Heure" in sheet


def test_missing_optional_fields_are_left_out() -> None:
    content = sample(DocumentKind.FULL_COPY).model_copy(
        update={"birth_time": None, "birth_date_hijri": None, "father": None, "marginal_notes": ()}
    )
    view = build_view(content, "C", QR)
    labels = {r.label_fr for r in view.rows}
    assert {"Heure", "Date hégirienne", "Père"}.isdisjoint(labels)
    assert view.notes == []
    assert "Néant" in render_html(view)


def test_footer_has_validity_duty_officer_and_code() -> None:
    html = _html(DocumentKind.EXTRACT)
    assert "jusqu'au 25/02/2027" in html
    assert "واجب التنبر: 2 درهم" in html
    assert "Droit de timbre : 2 DH" in html
    assert "عبد الرحيم الإدريسي" in html
    assert "ABCDE-12345" in html
    assert "https://example.test/v" in html
    assert 'dir="rtl"' in html
    assert "MK03-2026-E004127" in html
    assert "سلمت بمكناس في 25/11/2026" in html
    assert "vingt-cinq novembre deux mille vingt-six" in html
