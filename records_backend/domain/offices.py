"""The civil-status offices of the Meknes commune (reference data).

Office codes use only characters of the request-code alphabet (digits and A-Z without
I, L, O, U, Z), so a code can appear inside a request code or a reference unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

CENTRAL_OFFICE_CODE = "MK00"


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    code: str
    name_ar: str
    name_fr: str
    central: bool = False


_LOCAL: tuple[tuple[str, str], ...] = (
    ("المدينة", "Médina"),
    ("حمرية", "Hamria"),
    ("باب بوعماير", "Bab Bouamair"),
    ("سيدي سعيد", "Sidi Saïd"),
    ("الزيتون", "Zitoune"),
    ("البساتين", "Bassatine"),
    ("مرجان", "Marjane"),
    ("ويسلان", "Ouislane"),
    ("سيدي بوزكري", "Sidi Bouzekri"),
    ("برج مولاي عمر", "Borj Moulay Omar"),
    ("الإسماعيلية", "Ismaïlia"),
    ("باب منصور", "Bab Mansour"),
    ("الرياض", "Riad"),
    ("الباسطيون", "Bastioune"),
    ("سيدي بابا", "Sidi Baba"),
    ("ثلاث أزرو", "Tlat Azrou"),
    ("الحي الجديد", "Hay Jadid"),
    ("الوفاء", "Al Wafae"),
)

MEKNES_OFFICES: tuple[OfficeInfo, ...] = (
    OfficeInfo(CENTRAL_OFFICE_CODE, "المكتب المركزي للحالة المدنية", "Bureau central", True),
    *(
        OfficeInfo(f"MK{i:02d}", f"مكتب الحالة المدنية {ar}", f"Bureau d'état civil {fr}")
        for i, (ar, fr) in enumerate(_LOCAL, start=1)
    ),
)
