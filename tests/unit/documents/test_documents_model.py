"""The input model refuses what a document could not print or sign."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from records_backend.documents.model import DocumentContent, DocumentKind, HijriDate, PersonName
from records_backend.documents.payload import DocumentClaims
from records_backend.documents.samples import sample


def test_sample_is_valid_and_round_trips_through_json() -> None:
    content = sample(DocumentKind.FULL_COPY)
    again = DocumentContent.model_validate_json(content.model_dump_json())
    assert again == content
    assert again.shows_marginal_notes
    assert not sample(DocumentKind.EXTRACT).shows_marginal_notes


@pytest.mark.parametrize("serial", ["", "mk03-1", "MK03 2026", "-MK03", "X" * 40])
def test_bad_serials_are_refused(serial: str) -> None:
    with pytest.raises(ValidationError):
        DocumentContent.model_validate(sample().model_dump() | {"serial": serial})


def test_names_cannot_carry_the_payload_separator() -> None:
    with pytest.raises(ValidationError):
        PersonName(given_ar="أحمد", family_ar="بناني|", given_lat="Ahmed", family_lat="Bennani")


@pytest.mark.parametrize(("day", "month"), [(0, 1), (31, 1), (1, 0), (1, 13)])
def test_hijri_date_bounds(day: int, month: int) -> None:
    with pytest.raises(ValidationError):
        HijriDate(day=day, month=month, year=1410)


def test_issue_date_must_be_plausible() -> None:
    with pytest.raises(ValidationError):
        DocumentContent.model_validate(sample().model_dump() | {"issue_date": date(1999, 1, 1)})


_TEXT = st.text(
    alphabet=st.characters(exclude_characters="|", exclude_categories=["Cs"]), min_size=1
)


@given(family_ar=_TEXT, given_ar=_TEXT, family_lat=_TEXT, given_lat=_TEXT)
def test_any_names_round_trip_through_the_payload(
    family_ar: str, given_ar: str, family_lat: str, given_lat: str
) -> None:
    claims = replace(
        DocumentClaims.from_content(sample(), "0a1b2c3d"),
        family_ar=family_ar,
        given_ar=given_ar,
        family_lat=family_lat,
        given_lat=given_lat,
    )
    assert DocumentClaims.parse_body(claims.body()) == claims
