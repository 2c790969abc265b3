"""Receipt layout: width, Arabic shaped right-to-left, code and secret, duplicate and pending."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps
from pydantic import ValidationError

from drivers.printer.receipt import (
    ReceiptContent,
    _Canvas,
    find_fonts,
    format_fee,
    group_secret,
    raqm_available,
    render_receipt,
    sample_content,
)


def _components(img: Image.Image) -> int:
    """Number of 8-connected black blobs (letters that do not touch count separately)."""
    width, height = img.size
    px = img.load()
    assert px is not None
    seen: set[tuple[int, int]] = set()
    count = 0
    for y in range(height):
        for x in range(width):
            if px[x, y] == 0 and (x, y) not in seen:
                count += 1
                stack = [(x, y)]
                seen.add((x, y))
                while stack:
                    cx, cy = stack.pop()
                    for dx in (-1, 0, 1):
                        for dy in (-1, 0, 1):
                            nx, ny = cx + dx, cy + dy
                            if (
                                0 <= nx < width
                                and 0 <= ny < height
                                and (nx, ny) not in seen
                                and px[nx, ny] == 0
                            ):
                                seen.add((nx, ny))
                                stack.append((nx, ny))
    return count


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Share of the ink that differs between two same-sized 1-bit images."""
    pa, pb = a.convert("L").tobytes(), b.convert("L").tobytes()
    diff = sum(1 for p, q in zip(pa, pb, strict=True) if p != q)
    ink = sum(1 for q in pb if q == 0)
    return diff / max(1, ink)


def _ink_box(img: Image.Image) -> tuple[int, int, int, int]:
    box = ImageOps.invert(img.convert("L")).getbbox()
    assert box is not None
    return box


def _word(text: str, engine: ImageFont.Layout) -> Image.Image:
    font = ImageFont.truetype(str(find_fonts().arabic), 48, layout_engine=engine)
    img = Image.new("1", (400, 100), 1)
    draw = ImageDraw.Draw(img)
    draw.fontmode = "1"
    if engine is ImageFont.Layout.RAQM:
        draw.text((10, 10), text, font=font, fill=0, direction="rtl", language="ar")
    else:
        draw.text((10, 10), text, font=font, fill=0)
    return img


def test_raqm_is_there_to_shape_arabic() -> None:
    assert raqm_available()


def test_arabic_letters_are_joined() -> None:
    # ل ح م (lahm): joined, it is one stroke plus the dot-less body; unshaped, three letters.
    shaped = _components(_word("لحم", ImageFont.Layout.RAQM))
    isolated = _components(_word("لحم", ImageFont.Layout.BASIC))
    assert shaped == 1
    assert isolated == 3


def test_arabic_lines_run_right_to_left_and_hug_the_right_margin() -> None:
    fonts = find_fonts()
    whole = _Canvas(576, fonts)
    whole.text("سجل مكناس", arabic=True, size=26)
    first = _Canvas(576, fonts)
    first.text("سجل", arabic=True, size=26)
    a, b = whole.finish(), first.finish()
    # The first word, typed first, is at the right end of the line.
    bbox = _ink_box(b)
    assert bbox[2] >= 576 - 12 - 2  # right margin
    word = b.crop(bbox)
    # The same word sits at the right end of the line, up to a pixel of glyph rounding.
    best = min(
        _difference(a.crop((bbox[0] + dx, bbox[1] + dy, bbox[2] + dx, bbox[3] + dy)), word)
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    )
    assert best < 0.1
    assert _ink_box(a)[0] < bbox[0] - 40  # the second word is to its left


@pytest.mark.parametrize("width", [384, 576])
def test_receipt_has_the_printer_width_and_is_one_bit(width: int) -> None:
    img = render_receipt(sample_content(), width)  # type: ignore[arg-type]
    assert img.mode == "1"
    assert img.width == width
    assert 800 < img.height < 2000
    black = img.histogram()[0]
    assert 0.03 < black / (img.width * img.height) < 0.4


def full_black_rows(img: Image.Image) -> int:
    row_bytes = img.width // 8
    data = img.tobytes()
    return sum(
        1
        for y in range(img.height)
        if data[y * row_bytes : (y + 1) * row_bytes] == b"\x00" * row_bytes
    )


def test_duplicate_adds_a_full_width_black_band() -> None:
    plain = render_receipt(sample_content(duplicate=False), 576)
    dup = render_receipt(sample_content(duplicate=True), 576)
    assert full_black_rows(plain) == 0
    assert full_black_rows(dup) > 10
    assert dup.height > plain.height


def test_long_office_name_wraps_instead_of_overflowing() -> None:
    content = sample_content().model_copy(
        update={"office_name_fr": "Bureau d'état civil de l'arrondissement " * 3}
    )
    short = render_receipt(sample_content(), 384)
    long = render_receipt(content, 384)
    assert long.width == 384
    assert long.height > short.height + 40


def test_content_checks_request_codes_and_times() -> None:
    data = sample_content().model_dump()
    with pytest.raises(ValidationError, match="check character"):
        ReceiptContent.model_validate({**data, "request_code": "MK07-2026-004213-5"})
    with pytest.raises(ValidationError, match="not a request code"):
        ReceiptContent.model_validate({**data, "request_code": "mk07 2026"})
    spaced = ReceiptContent.model_validate({**data, "request_code": "mk07 2026 004213 4"})
    assert spaced.request_code == "MK07-2026-004213-4"
    data["issued_at"] = data["issued_at"].replace(tzinfo=None)
    with pytest.raises(ValidationError):
        ReceiptContent.model_validate(data)


def test_fee_is_written_the_french_way() -> None:
    assert format_fee(Decimal("4")) == "4,00"
    assert format_fee(Decimal("12.5")) == "12,50"


@pytest.mark.parametrize("width", [384, 576])
def test_pending_adds_a_band_and_an_explanation(width: int) -> None:
    plain = render_receipt(sample_content(), width)  # type: ignore[arg-type]
    pending = render_receipt(sample_content(pending=True), width)  # type: ignore[arg-type]
    assert full_black_rows(plain) == 0
    assert full_black_rows(pending) > 20  # the band around its two lines
    assert pending.height > plain.height + 80


def test_secret_is_printed_under_the_code_in_groups_of_four() -> None:
    assert group_secret("7Q2FX9KM") == "7Q2F-X9KM"
    assert group_secret("ABCDEFGHJK") == "ABCD-EFGH-JK"
    without = sample_content().model_copy(update={"receipt_secret": None})
    assert render_receipt(sample_content(), 576).height > render_receipt(without, 576).height


def test_content_checks_the_secret_against_its_alphabet_and_the_qr() -> None:
    data = sample_content().model_dump()
    typed = ReceiptContent.model_validate({**data, "receipt_secret": "7q2f x9km"})
    assert typed.receipt_secret == "7Q2FX9KM"
    for bad in ("7Q2F", "7Q2FX9K!", "ZZZZZZZZ"):
        with pytest.raises(ValidationError):
            ReceiptContent.model_validate({**data, "receipt_secret": bad})
    with pytest.raises(ValidationError, match="differs from the one in the QR"):
        ReceiptContent.model_validate({**data, "receipt_secret": "7Q2FX9KA"})
    foreign = {**data, "qr_payload": "https://example.org/x", "receipt_secret": "7Q2FX9KA"}
    assert ReceiptContent.model_validate(foreign).receipt_secret == "7Q2FX9KA"
