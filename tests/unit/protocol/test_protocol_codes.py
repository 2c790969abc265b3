"""Request codes: round trip, and no single typo or swap yields another valid code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.codes import ALPHABET, CodeBlock, CodeError, RequestCode, is_valid
from protocol.qr import QrError, ReceiptQr

offices = st.text(alphabet=ALPHABET, min_size=2, max_size=6)
codes = st.builds(
    RequestCode, office=offices, year=st.integers(2000, 9999), sequence=st.integers(1, 999_999)
)


def test_known_code_renders_in_the_documented_shape() -> None:
    code = RequestCode("MK07", 2026, 4213)
    assert str(code).startswith("MK07-2026-004213-")
    assert len(str(code)) == len("MK07-2026-004213-K")


@given(codes)
def test_round_trip(code: RequestCode) -> None:
    assert RequestCode.parse(str(code)) == code


@given(codes)
def test_reading_is_forgiving_about_case_separators_and_lookalikes(code: RequestCode) -> None:
    typed = str(code).replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert RequestCode.parse(typed) == code
    assert RequestCode.parse(str(code).replace("-", "")) == code


@given(codes, st.data())
def test_every_single_substitution_is_caught(code: RequestCode, data: st.DataObject) -> None:
    text = str(code)
    positions = [i for i, ch in enumerate(text) if ch != "-"]
    pos = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != text[pos]]))
    typo = text[:pos] + replacement + text[pos + 1 :]
    assert not is_valid(typo)


@given(codes, st.data())
def test_every_swap_of_two_characters_is_caught(code: RequestCode, data: st.DataObject) -> None:
    compact = str(code).replace("-", "")
    i = data.draw(st.integers(0, len(compact) - 2))
    j = data.draw(st.integers(i + 1, len(compact) - 1))
    if compact[i] == compact[j]:
        return  # swapping equal characters is no error
    swapped = list(compact)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert not is_valid("".join(swapped))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a request code"),
        ("MK07-2026-42-K", "not a request code"),
        ("MK07-2026-0042135-K", "not a request code"),
        ("ZZ07-2026-004213-0", "never use"),
        ("MK07-1999-004213-0", "invalid year"),
        ("MK07-2026-000000-0", "out of range"),
    ],
)
def test_rejections_say_why(text: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        RequestCode.parse(text)


def test_block_reserves_a_contiguous_range() -> None:
    block = CodeBlock("MK07", 2026, 1001, 1100, terminal_id="kiosk-mk07-1")
    assert len(block) == 100
    assert RequestCode("MK07", 2026, 1050) in block
    assert RequestCode("MK07", 2026, 1101) not in block
    assert RequestCode("MK08", 2026, 1050) not in block
    assert [c.sequence for c in block][:2] == [1001, 1002]
    assert block.code(99).sequence == 1100
    with pytest.raises(IndexError):
        block.code(100)
    with pytest.raises(CodeError):
        CodeBlock("MK07", 2026, 10, 9)


@given(codes, st.text(alphabet=ALPHABET, min_size=6, max_size=16))
def test_receipt_qr_round_trip(code: RequestCode, secret: str) -> None:
    qr = ReceiptQr(code, secret)
    assert ReceiptQr.parse(qr.encode()) == qr


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://example.org", "not a Sijill receipt"),
        ("SJ2|MK07-2026-004213-0|ABCDEFGH", "unsupported receipt version"),
        ("SJ1|MK07-2026-004213-0|AB", "secret|check character"),
        ("SJ1|" + "A" * 80, "too long"),
    ],
)
def test_foreign_qr_is_rejected(text: str, reason: str) -> None:
    with pytest.raises(QrError, match=reason):
        ReceiptQr.parse(text)
