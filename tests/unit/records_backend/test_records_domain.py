"""Domain rules: references, keyed fields, notes, request states, eligibility, Hijri dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from protocol.codes import ALPHABET
from records_backend.domain.acts import (
    ActFields,
    ActKind,
    compare_keyings,
    parse_reference,
    reference_of,
)
from records_backend.domain.eligibility import Approval, load_rules
from records_backend.domain.errors import CATALOG, DomainError
from records_backend.domain.hijri import check_hijri, propose_hijri
from records_backend.domain.notes import NoteInput, apply_changes
from records_backend.domain.offices import MEKNES_OFFICES
from records_backend.domain.requests import (
    TRANSITIONS,
    DocumentKind,
    Relation,
    RequestState,
    check_transition,
    fee_due,
)
from records_backend.domain.roles import GRANTS, Permission, Role

BASE: dict[str, Any] = {
    "number": 5,
    "given_name_ar": "يوسف",
    "family_name_ar": "بناني",
    "given_name_lat": "Youssef",
    "family_name_lat": "Bennani",
    "sex": "M",
    "event_date": "2001-09-03",
    "event_place": "Meknès",
    "officer_name": "ضابط الحالة المدنية",
    "drawn_up_date": "2001-09-05",
}


def test_reference_round_trip() -> None:
    ref = reference_of("MK07", 2001, ActKind.DEATH, 42)
    assert ref == "MK07-2001-D-000042"
    assert parse_reference(ref) == ("MK07", 2001, ActKind.DEATH, 42)
    assert parse_reference(" mk07/2001/d/42 ") == ("MK07", 2001, ActKind.DEATH, 42)
    for bad in ("MK07-2001-X-1", "MK07-01", "MK7-2001-N-1", "MK07-YYYY-N-1"):
        with pytest.raises(ValueError, match=r"\w"):
            parse_reference(bad)


def test_offices_use_only_the_code_alphabet() -> None:
    codes = [o.code for o in MEKNES_OFFICES]
    assert len(codes) == len(set(codes)) == 19
    assert sum(o.central for o in MEKNES_OFFICES) == 1
    assert all(set(c) <= set(ALPHABET) for c in codes)
    assert all(o.name_ar and o.name_fr for o in MEKNES_OFFICES)


def test_keyed_fields_are_checked() -> None:
    ActFields.model_validate(BASE)
    for change in (
        {"given_name_ar": "Youssef"},
        {"given_name_lat": "يوسف"},
        {"drawn_up_date": "2001-09-01"},
        {"event_date_hijri": "1422-13-01"},
        {"judgment_court": "Tribunal de Meknès"},
        {"father_birth_date": "2002-01-01"},
        {"birth_act_reference": "not a reference"},
        {"unexpected": "x"},
    ):
        with pytest.raises(ValidationError):
            ActFields.model_validate({**BASE, **change})


def test_comparison_ignores_spelling_noise_but_not_content() -> None:
    a = ActFields.model_validate(BASE)
    b = ActFields.model_validate({**BASE, "event_place": "MEKNES", "given_name_lat": "youssef "})
    assert compare_keyings(a, b) == []
    c = ActFields.model_validate({**BASE, "number": 6, "sex": "F"})
    assert compare_keyings(a, c) == ["number", "sex"]


def test_notes_rest_on_the_right_authority() -> None:
    note: dict[str, Any] = {
        "kind": "material_error",
        "note_date": "2010-01-01",
        "authority_kind": "prosecutor",
        "authority_name": "Procureur du Roi, Meknès",
        "authority_reference": "PR-2010-7",
        "text_ar": "تصحيح",
        "text_fr": "Rectification",
        "changes": {"event_place": "Meknès Médina"},
    }
    NoteInput.model_validate(note)
    with pytest.raises(ValidationError, match="cannot rest on"):
        NoteInput.model_validate({**note, "authority_kind": "court"})
    with pytest.raises(ValidationError, match="cannot change"):
        NoteInput.model_validate({**note, "kind": "marriage", "authority_kind": "adoul_act"})
    with pytest.raises(ValidationError, match="number"):
        NoteInput.model_validate({**note, "changes": {"number": 9}})
    fixed = apply_changes(ActFields.model_validate(BASE), [{"event_place": "Meknès Médina"}])
    assert fixed.event_place == "Meknès Médina"


def test_every_illegal_request_transition_is_refused() -> None:
    allowed = 0
    for current in RequestState:
        for target in RequestState:
            if target in TRANSITIONS[current]:
                check_transition(current, target)
                allowed += 1
            else:
                with pytest.raises(DomainError) as err:
                    check_transition(current, target)
                assert err.value.code == "illegal_transition"
                assert err.value.status == 409
    assert allowed == 8
    assert fee_due(3) == 6


def test_eligibility_is_data() -> None:
    rules = load_rules()
    assert rules.decide(DocumentKind.FULL_COPY, Relation.SELF, "birth") is Approval.OFFICER
    assert rules.decide(DocumentKind.FULL_COPY, Relation.OTHER, "birth") is None
    assert rules.decide(DocumentKind.EXTRACT, Relation.OTHER, "death") is Approval.AUTO


def test_hijri_is_proposed_only_in_range() -> None:
    assert propose_hijri(date(2024, 3, 15)) == "1445-09-05"
    assert propose_hijri(date(1900, 1, 1)) is None
    assert check_hijri("1410-10-19") == "1410-10-19"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check_hijri("19/10/1410")


def test_every_error_speaks_both_languages() -> None:
    for code, (status, ar, fr) in CATALOG.items():
        assert 400 <= status < 600, code
        assert any("\u0600" <= c <= "\u06ff" for c in ar), code
        assert fr.isascii() or any(c.isalpha() for c in fr), code


def test_roles_keep_citizen_data_from_technical_staff() -> None:
    for role in (Role.TECHNICIAN, Role.FLEET_OPERATOR, Role.STATISTICIAN, Role.CENTRAL_ADMIN):
        assert Permission.ACTS_READ not in GRANTS[role]
        assert Permission.REQUESTS_READ not in GRANTS[role]
    assert Permission.REQUESTS_DECIDE not in GRANTS[Role.CLERK]
