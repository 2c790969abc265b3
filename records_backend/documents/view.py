"""Everything a document page prints, as ready strings: the template only lays them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from records_backend.documents import words
from records_backend.documents.model import DocumentContent, DocumentKind, NoteKind, Sex
from records_backend.documents.verify import valid_until

TITLES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.FULL_COPY: ("نسخة كاملة من رسم الولادة", "Copie intégrale d'acte de naissance"),
    DocumentKind.EXTRACT: ("نسخة موجزة من رسم الولادة", "Extrait d'acte de naissance"),
    DocumentKind.INDIVIDUAL_SHEET: (
        "البطاقة الشخصية للحالة المدنية",
        "Fiche individuelle d'état civil",
    ),
}

SOURCES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.FULL_COPY: (
        "نسخة مطابقة لما هو مضمن بسجلات الحالة المدنية مع جميع البيانات الهامشية",
        "Copie conforme aux registres de l'état civil, avec toutes les mentions marginales",
    ),
    DocumentKind.EXTRACT: (
        "نسخة موجزة مستخرجة من سجلات الحالة المدنية دون البيانات الهامشية",
        "Extrait des registres de l'état civil, sans les mentions marginales",
    ),
    DocumentKind.INDIVIDUAL_SHEET: (
        "حررت هذه البطاقة استنادا إلى رسم الولادة المشار إليه أعلاه",
        "Fiche établie d'après l'acte de naissance référencé ci-dessus",
    ),
}

SEX_WORDS: dict[Sex, tuple[str, str]] = {
    Sex.MALE: ("ذكر", "Masculin"),
    Sex.FEMALE: ("أنثى", "Féminin"),
}

NOTE_KINDS: dict[NoteKind, tuple[str, str]] = {
    NoteKind.MARRIAGE: ("زواج", "Mariage"),
    NoteKind.DIVORCE: ("طلاق", "Divorce"),
    NoteKind.DEATH: ("وفاة", "Décès"),
    NoteKind.NATIONALITY: ("اكتساب الجنسية", "Acquisition de la nationalité"),
    NoteKind.RECTIFICATION_JUDGMENT: ("تصحيح بحكم", "Rectification par jugement"),
    NoteKind.MATERIAL_ERROR: ("تصحيح خطأ مادي", "Correction d'une erreur matérielle"),
    NoteKind.LATIN_SPELLING: ("تصحيح الكتابة بالحروف اللاتينية", "Correction de la graphie latine"),
    NoteKind.NAME_CHANGE: ("تغيير الاسم", "Changement de nom"),
    NoteKind.OTHER: ("بيان آخر", "Autre mention"),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the body: a French half and an Arabic half."""

    label_fr: str
    value_fr: str
    label_ar: str
    value_ar: str
    #: Optional second lines (the same value in words).
    words_fr: str = ""
    words_ar: str = ""


@dataclass(frozen=True, slots=True)
class NoteView:
    kind_ar: str
    kind_fr: str
    date_figures: str
    authority_ar: str
    authority_fr: str
    reference: str
    text_ar: str
    text_fr: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    kind: str
    title_ar: str
    title_fr: str
    serial: str
    office_code: str
    office_ar: str
    office_fr: str
    commune_ar: str
    commune_fr: str
    prefecture_ar: str
    prefecture_fr: str
    act_ar: str
    act_fr: str
    rows: list[Row]
    shows_notes: bool
    notes: list[NoteView]
    issued_ar: str
    issued_fr: str
    issued_words_ar: str
    issued_words_fr: str
    valid_until: str
    officer_ar: str
    officer_fr: str
    officer_title_ar: str
    officer_title_fr: str
    stamp_duty: int
    short_code: str
    #: The QR as a data: URI image.
    qr_image: str
    verify_url: str | None = None
    extra_rows: list[Row] = field(default_factory=list)
    #: A line under the fields saying where the content comes from.
    source_ar: str = ""
    source_fr: str = ""


def _date_row(label_fr: str, label_ar: str, d: date) -> Row:
    return Row(
        label_fr,
        words.date_figures(d),
        label_ar,
        words.date_figures(d),
        words_fr=words.date_words_fr(d),
        words_ar=words.date_words_ar(d),
    )


def build_view(
    content: DocumentContent, short_code: str, qr_image: str, verify_url: str | None = None
) -> DocumentView:
    title_ar, title_fr = TITLES[content.kind]
    person = content.person
    sex_ar, sex_fr = SEX_WORDS[content.sex]
    rows = [
        Row("Nom", person.family_lat.upper(), "الاسم العائلي", person.family_ar),
        Row("Prénom", person.given_lat, "الاسم الشخصي", person.given_ar),
        Row("Sexe", sex_fr, "الجنس", sex_ar),
        _date_row("Né(e) le", "تاريخ الازدياد", content.birth_date),
    ]
    if content.birth_date_hijri is not None:
        h = content.birth_date_hijri
        rows.append(
            Row(
                "Date hégirienne",
                words.hijri_figures(h),
                "التاريخ الهجري",
                words.hijri_figures(h),
                words_fr=words.hijri_words_fr(h),
                words_ar=words.hijri_words_ar(h),
            )
        )
    if content.birth_time is not None and content.kind is not DocumentKind.EXTRACT:
        t = content.birth_time
        rows.append(
            Row(
                "Heure",
                words.time_figures(t),
                "الساعة",
                words.time_figures(t),
                words_fr=words.time_words_fr(t),
                words_ar=words.time_words_ar(t),
            )
        )
    rows.append(
        Row("Lieu de naissance", content.birth_place.fr, "مكان الازدياد", content.birth_place.ar)
    )
    if content.father is not None:
        rows.append(Row("Père", content.father.lat, "الأب", content.father.ar))
    if content.mother is not None:
        rows.append(Row("Mère", content.mother.lat, "الأم", content.mother.ar))
    extra: list[Row] = []
    if content.kind is DocumentKind.FULL_COPY and content.drawn_up_date is not None:
        extra.append(_date_row("Acte dressé le", "حرر بتاريخ", content.drawn_up_date))

    notes = [
        NoteView(
            kind_ar=NOTE_KINDS[n.kind][0],
            kind_fr=NOTE_KINDS[n.kind][1],
            date_figures=words.date_figures(n.note_date),
            authority_ar=n.authority.ar,
            authority_fr=n.authority.fr,
            reference=n.reference,
            text_ar=n.text.ar,
            text_fr=n.text.fr,
        )
        for n in content.marginal_notes
    ]
    act = content.act
    return DocumentView(
        kind=content.kind.value,
        title_ar=title_ar,
        title_fr=title_fr,
        serial=content.serial,
        office_code=content.office.code,
        office_ar=content.office.name.ar,
        office_fr=content.office.name.fr,
        commune_ar=content.office.commune.ar,
        commune_fr=content.office.commune.fr,
        prefecture_ar=content.office.prefecture.ar,
        prefecture_fr=content.office.prefecture.fr,
        act_ar=f"رسم عدد {act.number} لسنة {act.year} ({act.office_code})",
        act_fr=f"Acte n° {act.number} de l'année {act.year} ({act.office_code})",
        rows=rows,
        shows_notes=content.shows_marginal_notes,
        notes=notes if content.shows_marginal_notes else [],
        issued_ar=f"سلمت ب{content.issue_place.ar} في {words.date_figures(content.issue_date)}",
        issued_fr=(
            f"Délivré à {content.issue_place.fr} le {words.date_figures(content.issue_date)}"
        ),
        issued_words_ar=words.date_words_ar(content.issue_date),
        issued_words_fr=words.date_words_fr(content.issue_date),
        valid_until=words.date_figures(valid_until(content.issue_date)),
        officer_ar=content.officer.name.ar,
        officer_fr=content.officer.name.fr,
        officer_title_ar=content.officer.title.ar,
        officer_title_fr=content.officer.title.fr,
        stamp_duty=content.stamp_duty_mad,
        short_code=short_code,
        qr_image=qr_image,
        verify_url=verify_url,
        extra_rows=extra,
        source_ar=SOURCES[content.kind][0],
        source_fr=SOURCES[content.kind][1],
    )
