"""MRZ check digits, BAC key input, and DG1 parsing of TD1 and TD3 documents."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card.apdu import Apdu, parse_tlvs, tlv, tlv_total_length
from drivers.card.applets import td1_mrz
from drivers.card.emrtd import parse_dg1
from drivers.card.mrz import BacKey, check_digit, parse_mrz
from drivers.errors import CardError

# ICAO 9303 Part 4 specimen passport (TD3).
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"
# ICAO 9303 Part 5 specimen identity card (TD1).
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<"


def test_specimen_passport() -> None:
    dg1 = parse_mrz(TD3, today=date(2026, 1, 1))
    assert dg1.document_code == "P"
    assert dg1.issuing_state == "UTO"
    assert (dg1.surname, dg1.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert dg1.document_number == "L898902C3"
    assert dg1.nationality == "UTO"
    assert dg1.birth_date == date(1974, 8, 12)
    assert dg1.expiry_date == date(2012, 4, 15)
    assert dg1.sex == "F"
    assert dg1.optional_data == "ZE184226B"
    assert dg1.checks_ok


def test_specimen_identity_card() -> None:
    dg1 = parse_mrz(TD1, today=date(2026, 1, 1))
    assert dg1.document_code == "I"
    assert dg1.document_number == "D23145890"
    assert (dg1.surname, dg1.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert dg1.birth_date == date(1974, 8, 12)
    assert dg1.checks_ok


def test_a_changed_character_fails_the_check_digits() -> None:
    tampered = TD3[:44] + "L898902C46" + TD3[54:]
    assert not parse_mrz(tampered).checks_ok


def test_generated_td1_is_valid_and_parses_back() -> None:
    mrz = td1_mrz("AB123456", "900115", "300101", "EL IDRISSI", "FATIMA ZAHRA")
    assert len(mrz) == 90
    dg1 = parse_mrz(mrz, today=date(2026, 1, 1))
    assert dg1.checks_ok
    assert (dg1.surname, dg1.given_names) == ("EL IDRISSI", "FATIMA ZAHRA")
    assert dg1.issuing_state == "MAR"


def test_dg1_template_is_unwrapped() -> None:
    dg1 = parse_dg1(tlv(0x61, tlv(0x5F1F, TD3.encode())))
    assert dg1.document_number == "L898902C3"
    with pytest.raises(CardError):
        parse_dg1(tlv(0x62, b""))


def test_identity_data_never_shows_in_repr() -> None:
    dg1 = parse_mrz(TD3)
    key = BacKey("L898902C", "690806", "940623")
    assert "ERIKSSON" not in repr(dg1)
    assert "L898902C" not in repr(dg1)
    assert "L898902C" not in repr(key)
    assert "690806" not in f"{key}"


def test_bac_key_input_is_checked() -> None:
    assert BacKey(" ab123 ", "900115", "300101").document_number == "AB123"
    with pytest.raises(ValueError, match="YYMMDD"):
        BacKey("AB123", "1990-01-15", "300101")
    with pytest.raises(ValueError, match="document number"):
        BacKey("AB12345678", "900115", "300101")


def test_check_digit_examples() -> None:
    assert check_digit("D23145890") == "7"
    assert check_digit("<<<<<<") == "0"
    with pytest.raises(ValueError, match="not allowed"):
        check_digit("ab")


def test_apdu_encoding_round_trip() -> None:
    apdu = Apdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))
    assert apdu.to_bytes().hex().upper() == "00A4040C07A0000002471001"
    assert Apdu.parse(apdu.to_bytes()) == apdu
    assert Apdu.parse(bytes.fromhex("0084000008")) == Apdu(0, 0x84, 0, 0, le=8)


def test_tlv_lengths() -> None:
    long_value = bytes(300)
    encoded = tlv(0x5F1F, long_value)
    assert encoded[:5] == bytes.fromhex("5F1F82012C")
    assert parse_tlvs(encoded) == [(0x5F1F, long_value)]
    assert tlv_total_length(encoded[:6]) == len(encoded)
    with pytest.raises(ValueError, match="truncated"):
        parse_tlvs(encoded[:-1])
