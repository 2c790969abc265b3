"""Realistic sample documents (invented people) for the demo, tests and benchmarks."""

from __future__ import annotations

from datetime import date, time

from records_backend.documents.model import (
    ActReference,
    Bilingual,
    DocumentContent,
    DocumentKind,
    HijriDate,
    MarginalNote,
    NoteKind,
    OfficeHeader,
    Officer,
    ParentName,
    PersonName,
    Sex,
)

_OFFICE = OfficeHeader(
    code="MK03",
    name=Bilingual(ar="مكتب الحالة المدنية باب بوعماير", fr="Bureau d'état civil Bab Bouamair"),
)
_OFFICER = Officer(name=Bilingual(ar="عبد الرحيم الإدريسي", fr="Abderrahim El Idrissi"))

_NOTES = (
    MarginalNote(
        kind=NoteKind.MARRIAGE,
        note_date=date(2014, 7, 12),
        authority=Bilingual(ar="قسم قضاء الأسرة بمكناس", fr="Section de la famille de Meknès"),
        reference="1245/2014",
        text=Bilingual(
            ar="تزوجت بالسيد يوسف بناني بتاريخ 12 يوليوز 2014",
            fr="Mariée avec M. Youssef Bennani le 12 juillet 2014",
        ),
    ),
    MarginalNote(
        kind=NoteKind.LATIN_SPELLING,
        note_date=date(2019, 3, 4),
        authority=Bilingual(ar="وزير الداخلية", fr="Ministre de l'Intérieur"),
        reference="88/2019",
        text=Bilingual(
            ar="صححت كتابة الاسم العائلي بالحروف اللاتينية إلى BENJELLOUN",
            fr="Graphie latine du nom corrigée en BENJELLOUN",
        ),
    ),
)


def sample(kind: DocumentKind = DocumentKind.EXTRACT, serial: str | None = None) -> DocumentContent:
    """A birth act's document for a woman born in Meknes in 1990, with two marginal notes."""
    codes = {
        DocumentKind.FULL_COPY: "F",
        DocumentKind.EXTRACT: "E",
        DocumentKind.INDIVIDUAL_SHEET: "S",
    }
    return DocumentContent(
        kind=kind,
        serial=serial or f"MK03-2026-{codes[kind]}004127",
        office=_OFFICE,
        act=ActReference(office_code="MK03", year=1990, number=1287),
        person=PersonName(
            given_ar="فاطمة الزهراء",
            family_ar="بنجلون",
            given_lat="Fatima Zahra",
            family_lat="Benjelloun",
        ),
        sex=Sex.FEMALE,
        birth_date=date(1990, 3, 25),
        birth_time=time(10, 15),
        birth_date_hijri=HijriDate(day=28, month=8, year=1410),
        birth_place=Bilingual(
            ar="مكناس، المستشفى الإقليمي محمد الخامس", fr="Meknès, hôpital Mohammed V"
        ),
        father=ParentName(ar="محمد بن أحمد بنجلون", lat="Mohammed ben Ahmed Benjelloun"),
        mother=ParentName(ar="خديجة بنت علي العلوي", lat="Khadija bent Ali Alaoui"),
        marginal_notes=_NOTES,
        drawn_up_date=date(1990, 3, 28),
        officer=_OFFICER,
        issue_date=date(2026, 11, 25),
    )


SAMPLES = {kind.value: kind for kind in DocumentKind}
