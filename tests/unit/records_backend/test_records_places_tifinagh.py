"""Places in Latin letters and names in Tifinagh: validation at the edge, keying comparison,
search keys, and the demo data that fills them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from records_backend.demo.generate import Generator
from records_backend.domain.acts import ActFields, compare_keyings
from records_backend.domain.names import (
    is_arabic,
    is_tifinagh,
    latin_key,
    name_key,
    normalize_arabic,
    normalize_tifinagh,
)
from records_backend.domain.scripts import check_latin_place, check_tifinagh
from records_backend.services.acts import search_keys

BASE: dict[str, Any] = {
    "number": 7,
    "given_name_ar": "يوبا",
    "family_name_ar": "أمزيان",
    "given_name_lat": "Youba",
    "family_name_lat": "Amezian",
    "given_name_tfng": "ⵢⵓⴱⴰ",
    "family_name_tfng": "ⴰⵎⵣⵢⴰⵏ",
    "sex": "M",
    "event_date": "2001-04-02",
    "event_place": "مكناس",
    "event_place_lat": "Meknès",
    "father_name_ar": "موحا أمزيان",
    "father_name_lat": "Moha Amezian",
    "father_birth_place": "الحاجب",
    "father_birth_place_lat": "El Hajeb",
    "mother_name_ar": "إيطو",
    "mother_name_lat": "Itto",
    "mother_birth_place": "آزرو",
    "mother_birth_place_lat": "Azrou",
    "officer_name": "نادية التازي",
    "drawn_up_date": "2001-04-05",
}


def _fields(**overrides: Any) -> ActFields:
    return ActFields.model_validate({**BASE, **overrides})


@pytest.mark.parametrize(
    "place",
    ["Meknès", "Meknès Médina", "Marjane 2", "Aït Ouallal", "Sidi Saïd, Meknès (Hamria)", "Œ"],
)
def test_latin_places_accept_french_spelling(place: str) -> None:
    assert check_latin_place(place) == place


@pytest.mark.parametrize("place", ["مكناس", "Meknès مكناس", "ⵎⴽⵏⴰⵙ", "2", "Meknès <b>", "Fès|x"])
def test_latin_places_refuse_other_scripts_and_markup(place: str) -> None:
    with pytest.raises(ValueError, match="Latin letters"):
        check_latin_place(place)


@pytest.mark.parametrize("name", ["Youba", "يوبا", "ⵢⵓⴱⴰ x", "-", " ", "ⵢⵓⴱⴰ\u2d80"])
def test_tifinagh_names_stay_in_their_block(name: str) -> None:
    with pytest.raises(ValueError, match="Tifinagh"):
        check_tifinagh(name)


def test_tifinagh_names_of_the_block_are_accepted() -> None:
    for name in ("ⵢⵓⴱⴰ", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "ⴰⴳⵯⵎⵎⴰⴹ", "ⵎⵓⵃⵎⵎⴷ ⴰⵎⵣⵢⴰⵏ", "ⵜⵉⵍⴻⵍⵍⵉ-ⵏ"):
        assert check_tifinagh(name) == name


def test_act_fields_carry_places_in_both_scripts_and_tifinagh_names() -> None:
    fields = _fields(event_place_lat="  Meknès ")
    assert fields.event_place_lat == "Meknès"
    assert fields.given_name_tfng == "ⵢⵓⴱⴰ"
    # Everything new is optional: an act keyed before keeps validating.
    old = {k: v for k, v in BASE.items() if not k.endswith(("_lat", "_tfng")) or "name" in k}
    old.pop("given_name_tfng")
    old.pop("family_name_tfng")
    legacy = ActFields.model_validate(old)
    assert legacy.event_place_lat is None
    assert legacy.family_name_tfng is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event_place_lat": "مكناس"}, "Latin letters"),
        ({"father_birth_place_lat": "ⴰⵣⵔⵓ"}, "Latin letters"),
        ({"given_name_tfng": "Youba"}, "Tifinagh"),
        ({"family_name_tfng": "أمزيان"}, "Tifinagh"),
        ({"family_name_tfng": None}, "both the given and the family name"),
        ({"mother_birth_place": None}, "goes with the place as written"),
        ({"event_place_lat": "M" * 121}, "at most 120"),
    ],
)
def test_bad_places_and_tifinagh_names_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _fields(**overrides)


def test_keying_comparison_folds_places_but_sees_real_differences() -> None:
    first = _fields()
    assert compare_keyings(first, _fields(event_place_lat="MEKNES")) == []
    assert compare_keyings(first, _fields(father_birth_place_lat="el-hajeb")) == []
    assert compare_keyings(first, _fields(event_place_lat="Fès")) == ["event_place_lat"]
    assert compare_keyings(first, _fields(event_place_lat=None)) == ["event_place_lat"]
    # Tifinagh is compared as keyed: a missing letter is a keying difference.
    assert compare_keyings(first, _fields(family_name_tfng="ⴰⵎⵣⴰⵏ")) == ["family_name_tfng"]


def test_tifinagh_search_key_folds_spelling_noise() -> None:
    assert normalize_tifinagh("ⵎⵓⵃⵎⵎⴷ") == normalize_tifinagh("ⵎⵓⵃⵎⴷ")
    assert normalize_tifinagh("ⴰⴳⵯⵎⵎⴰⴹ") == normalize_tifinagh("ⴰⴳⵎⴰⴹ")
    assert normalize_tifinagh("ⴰⵎ-ⵣⵢⴰⵏ") == normalize_tifinagh(" ⴰⵎ ⵣⵢⴰⵏ ")
    assert normalize_tifinagh("ⵢⵓⴱⴰ") != normalize_tifinagh("ⵢⵓⴳⴰ")
    assert is_tifinagh("ⵢⵓⴱⴰ")
    assert not is_tifinagh("Youba")
    assert not is_arabic("ⵢⵓⴱⴰ")
    assert name_key("ⴰⵎⵣⵢⴰⵏ") == normalize_tifinagh("ⴰⵎⵣⵢⴰⵏ")
    assert name_key("أمزيان") == normalize_arabic("أمزيان")
    assert name_key("Amezian") == latin_key("Amezian")


def test_search_keys_come_from_the_fields_in_every_script() -> None:
    keys = search_keys(_fields().model_dump())
    assert keys["given_key_tfng"] == normalize_tifinagh("ⵢⵓⴱⴰ")
    assert keys["family_key_tfng"] == normalize_tifinagh("ⴰⵎⵣⵢⴰⵏ")
    assert keys["family_key_lat"] == latin_key("Amezian")
    without = search_keys(_fields(given_name_tfng=None, family_name_tfng=None).model_dump())
    assert without["given_key_tfng"] is None
    assert without["family_key_tfng"] is None


def test_demo_acts_have_arabic_places_with_their_french_names() -> None:
    acts = list(Generator(seed=11).acts(500))
    for act in acts:
        fields = ActFields.model_validate(act.fields)
        for ar, lat in (
            (fields.event_place, fields.event_place_lat),
            (fields.father_birth_place, fields.father_birth_place_lat),
            (fields.mother_birth_place, fields.mother_birth_place_lat),
        ):
            assert ar is not None
            assert lat is not None
            assert is_arabic(ar), ar
            assert not is_arabic(lat), lat
    french = {a.fields["event_place_lat"] for a in acts}
    assert {"Meknès", "Toulal", "Ouislane"} <= french
    # The same pair always: one Arabic place has one French name.
    pairs = {(a.fields["event_place"], a.fields["event_place_lat"]) for a in acts}
    assert len(pairs) == len({ar for ar, _ in pairs})
    # Seeded: the demo is the same every time.
    assert [a.fields for a in Generator(seed=11).acts(20)] == [a.fields for a in acts[:20]]
