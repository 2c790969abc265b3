"""ICAO Doc 9303 Part 11, Appendix D: every intermediate value, byte for byte."""

from __future__ import annotations

import pytest

from drivers.card.apdu import Apdu
from drivers.card.crypto import (
    ENC_COUNTER,
    MAC_COUNTER,
    decrypt,
    derive_key,
    key_seed,
    pad,
    retail_mac,
    unpad,
)
from drivers.card.emrtd import (
    EF_COM,
    SecureChannel,
    authentication_request,
    bac,
    basic_keys,
    session_keys,
)
from drivers.card.mrz import BacKey, check_digit
from drivers.card.sm import SecureMessaging, SessionKeys
from drivers.errors import AuthenticationFailed, SecureMessagingError

H = bytes.fromhex
KEY = BacKey("L898902C", "690806", "940623")
RND_IC = H("4608F91988702212")
RND_IFD = H("781723860C06C226")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
K_IC = H("0B4F80323EB3191CB04970CB4052790B")
K_ENC = H("AB94FDECF2674FDFB9B391F85D7F76F2")
K_MAC = H("7962D9ECE03D1ACD4C76089DCE131543")
E_IFD = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
M_IFD = H("5F1448EEA8AD90A7")
EXT_AUTH_ANSWER = H(
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
)
KS_ENC = H("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = H("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = H("887022120C06C226")

SELECT_COM = H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
SELECT_COM_ANSWER = H("990290008E08FA855A5D4C50A8ED")
READ_4 = H("0CB000000D9701048E08ED6705417E96BA5500")
READ_4_ANSWER = H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED")
READ_18 = H("0CB000040D9701128E082EA28A70F3C7B53500")
READ_18_ANSWER = H(
    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D74"
)


class ScriptedCard:
    """Answers a fixed sequence of APDUs and records what it was sent."""

    def __init__(self, script: list[tuple[bytes, bytes, int]]) -> None:
        self.script = script
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes, timeout: float = 5.0) -> tuple[bytes, int]:
        expected, data, sw = self.script[len(self.sent)]
        self.sent.append(apdu)
        assert apdu == expected
        return data, sw


def test_check_digits_of_the_example() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"


def test_mrz_information() -> None:
    assert KEY.mrz_information() == "L898902C<369080619406236"


def test_key_seed() -> None:
    assert key_seed(KEY.mrz_information()) == H("239AB9CB282DAF66231DC5A4DF6BFBAE")


def test_basic_access_keys() -> None:
    seed = key_seed(KEY.mrz_information())
    assert derive_key(seed, ENC_COUNTER) == K_ENC
    assert derive_key(seed, MAC_COUNTER) == K_MAC
    assert basic_keys(KEY) == (K_ENC, K_MAC)


def test_eifd_and_mifd() -> None:
    assert authentication_request(K_ENC, K_MAC, RND_IC, RND_IFD, K_IFD) == (E_IFD, M_IFD)


def test_card_answer_decrypts_to_the_challenges_and_kic() -> None:
    e_ic, m_ic = EXT_AUTH_ANSWER[:32], EXT_AUTH_ANSWER[32:]
    assert retail_mac(K_MAC, pad(e_ic)) == m_ic
    assert decrypt(K_ENC, e_ic) == RND_IC + RND_IFD + K_IC


def test_session_keys_and_ssc() -> None:
    keys = session_keys(K_IFD, K_IC, RND_IC, RND_IFD)
    assert keys.ks_enc == KS_ENC
    assert keys.ks_mac == KS_MAC
    assert keys.ssc == SSC


def test_whole_bac_exchange_sends_the_published_apdus() -> None:
    card = ScriptedCard(
        [
            (H("0084000008"), RND_IC, 0x9000),
            (H("0082000028") + E_IFD + M_IFD + H("28"), EXT_AUTH_ANSWER, 0x9000),
        ]
    )
    trace = bac(card, KEY, rnd_ifd=RND_IFD, k_ifd=K_IFD)
    assert (trace.e_ifd, trace.m_ifd, trace.k_ic) == (E_IFD, M_IFD, K_IC)
    assert (trace.keys.ks_enc, trace.keys.ks_mac, trace.keys.ssc) == (KS_ENC, KS_MAC, SSC)


def test_protected_select_and_reads_of_ef_com() -> None:
    card = ScriptedCard(
        [
            (SELECT_COM, SELECT_COM_ANSWER, 0x9000),
            (READ_4, READ_4_ANSWER, 0x9000),
            (READ_18, READ_18_ANSWER, 0x9000),
        ]
    )
    secure = SecureChannel(card, SessionKeys(KS_ENC, KS_MAC, SSC))
    secure.select_file(EF_COM)
    assert secure.sm.keys.ssc == H("887022120C06C228")
    assert secure.read_binary(0, 4) == H("60145F01")
    assert secure.sm.keys.ssc == H("887022120C06C22A")
    assert secure.read_binary(4, 0x12) == H("04303130365F36063034303030305C026175")
    assert secure.sm.keys.ssc == H("887022120C06C22C")


def test_whole_ef_com_through_read_file() -> None:
    card = ScriptedCard(
        [
            (SELECT_COM, SELECT_COM_ANSWER, 0x9000),
            (READ_4, READ_4_ANSWER, 0x9000),
            (READ_18, READ_18_ANSWER, 0x9000),
        ]
    )
    secure = SecureChannel(card, SessionKeys(KS_ENC, KS_MAC, SSC))
    assert secure.read_file(EF_COM) == H("60145F0104303130365F36063034303030305C026175")


def test_card_side_mirrors_the_reader_side() -> None:
    reader = SecureMessaging(SessionKeys(KS_ENC, KS_MAC, SSC))
    card = SecureMessaging(SessionKeys(KS_ENC, KS_MAC, SSC))
    protected = reader.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    assert protected == SELECT_COM
    assert card.open_command(protected) == Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E"))
    assert card.seal_response(b"", 0x9000) == SELECT_COM_ANSWER
    assert reader.unprotect(SELECT_COM_ANSWER, 0x9000) == (b"", 0x9000)
    read = reader.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert read == READ_4
    assert card.open_command(read).le == 4
    assert card.seal_response(H("60145F01"), 0x9000) == READ_4_ANSWER


def test_tampered_response_is_rejected() -> None:
    reader = SecureMessaging(SessionKeys(KS_ENC, KS_MAC, SSC))
    reader.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    bad = bytearray(SELECT_COM_ANSWER)
    bad[3] ^= 1
    with pytest.raises(SecureMessagingError):
        reader.unprotect(bytes(bad), 0x9000)


def test_plain_error_instead_of_a_protected_answer_is_an_sm_error() -> None:
    reader = SecureMessaging(SessionKeys(KS_ENC, KS_MAC, SSC))
    with pytest.raises(SecureMessagingError):
        reader.unprotect(b"", 0x6988)


def test_wrong_keys_are_reported_as_such() -> None:
    card = ScriptedCard(
        [
            (H("0084000008"), RND_IC, 0x9000),
            (H("0082000028") + E_IFD + M_IFD + H("28"), b"", 0x6300),
        ]
    )
    with pytest.raises(AuthenticationFailed):
        bac(card, KEY, rnd_ifd=RND_IFD, k_ifd=K_IFD)


def test_padding_round_trip() -> None:
    assert pad(b"") == H("8000000000000000")
    assert pad(H("011E")) == H("011E800000000000")
    assert unpad(H("60145F0180000000")) == H("60145F01")
    with pytest.raises(ValueError, match="padding"):
        unpad(H("60145F0100000000"))
