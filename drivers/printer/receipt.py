"""Receipt layout: a citizen's request receipt drawn as a 1-bit image at the printer's dot width.

Thermal printers have no usable Arabic code page, so the whole receipt is a raster: Arabic is
shaped and laid out right-to-left by Pillow's Raqm engine, French left-to-right, and the
request code, its Code 128 barcode and the QR code are drawn crisp (no dithering). The receipt
secret (the second factor a citizen types to check the status) is printed under the code in
groups of four; a receipt accepted offline carries a black "waiting to be sent" band.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import qrcode
from barcode.codex import Code128
from PIL import Image, ImageDraw, ImageFont, features
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from protocol.codes import ALPHABET, CodeError, RequestCode, normalize_secret
from protocol.qr import QrError, ReceiptQr

DotWidth = Literal[384, 576]
_SECRET_RE = re.compile(f"[{ALPHABET}]{{6,16}}")  # as protocol.qr reads it
_ARABIC_SCALE = 1.2

_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/fonts-hosny-amiri"),
    Path("/usr/share/fonts/truetype/fonts-hosny-amiri"),
    Path("/usr/share/fonts/truetype/dejavu"),
)


class ReceiptContent(BaseModel):
    """Everything printed on a request receipt; the kiosk fills it in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office_name_ar: Annotated[str, Field(min_length=1, max_length=120)]
    office_name_fr: Annotated[str, Field(min_length=1, max_length=120)]
    request_code: str  # checked and written canonically by protocol.codes
    qr_payload: Annotated[str, Field(min_length=1, max_length=300)]
    document_kind_ar: Annotated[str, Field(min_length=1, max_length=120)]
    document_kind_fr: Annotated[str, Field(min_length=1, max_length=120)]
    copies: Annotated[int, Field(ge=1, le=20)]
    fee_dirhams: Annotated[Decimal, Field(ge=0, le=10000, decimal_places=2)]
    pickup_place_ar: Annotated[str, Field(min_length=1, max_length=160)]
    pickup_place_fr: Annotated[str, Field(min_length=1, max_length=160)]
    pickup_date_ar: Annotated[str, Field(min_length=1, max_length=80)]
    pickup_date_fr: Annotated[str, Field(min_length=1, max_length=80)]
    issued_at: AwareDatetime
    duplicate: bool = False
    receipt_secret: str | None = None  # checked and written canonically (no separators)
    pending: bool = False  # accepted offline: the code is final, the registry is told later

    @field_validator("request_code")
    @classmethod
    def _canonical_code(cls, value: str) -> str:
        try:
            return str(RequestCode.parse(value))
        except CodeError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("receipt_secret")
    @classmethod
    def _canonical_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        secret = normalize_secret(value)
        if not _SECRET_RE.fullmatch(secret):
            raise ValueError("invalid receipt secret")
        return secret

    @model_validator(mode="after")
    def _secret_matches_qr(self) -> ReceiptContent:
        if self.receipt_secret is None:
            return self
        try:
            scanned = ReceiptQr.parse(self.qr_payload)
        except QrError:
            return self  # a foreign payload (a test receipt): nothing to compare with
        if scanned.secret != self.receipt_secret:
            raise ValueError("receipt secret differs from the one in the QR code")
        return self

    def as_duplicate(self) -> ReceiptContent:
        return self.model_copy(update={"duplicate": True})


@dataclass(frozen=True, slots=True)
class Fonts:
    arabic: Path
    arabic_bold: Path
    latin: Path
    latin_bold: Path


def find_fonts(extra_dirs: tuple[Path, ...] = ()) -> Fonts:
    """Amiri for Arabic, DejaVu Sans for French and the code; raises if one is missing."""
    wanted = {
        "arabic": "Amiri-Regular.ttf",
        "arabic_bold": "Amiri-Bold.ttf",
        "latin": "DejaVuSans.ttf",
        "latin_bold": "DejaVuSans-Bold.ttf",
    }
    found: dict[str, Path] = {}
    for key, name in wanted.items():
        for folder in (*extra_dirs, *_FONT_DIRS):
            if (folder / name).is_file():
                found[key] = folder / name
                break
        else:
            raise FileNotFoundError(
                f"font {name} not found (install fonts-hosny-amiri, fonts-dejavu-core)"
            )
    return Fonts(**found)


@lru_cache(maxsize=64)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # Raqm does the Arabic shaping; without it Arabic comes out as isolated letters.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def raqm_available() -> bool:
    return bool(features.check_feature("raqm"))


@dataclass(frozen=True, slots=True)
class _Metrics:
    margin: int
    body: int
    small: int
    heading: int
    code_max: int
    gap: int


def _metrics(width: int) -> _Metrics:
    if width >= 576:
        return _Metrics(margin=12, body=26, small=22, heading=32, code_max=56, gap=10)
    return _Metrics(margin=6, body=22, small=18, heading=26, code_max=44, gap=8)


class _Canvas:
    """Draws top to bottom on a tall white 1-bit image, cropped at the end."""

    def __init__(self, width: int, fonts: Fonts) -> None:
        self.width = width
        self.fonts = fonts
        self.m = _metrics(width)
        self.image = Image.new("1", (width, 3000), 1)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"  # no anti-aliasing: crisp dots, no dithering needed
        self.y = self.m.margin

    @property
    def inner(self) -> int:
        return self.width - 2 * self.m.margin

    def _wrap(self, text: str, font: ImageFont.FreeTypeFont, rtl: bool) -> list[tuple[str, float]]:
        """Lines that fit the width, each with its length (measuring is the costly part)."""
        direction = "rtl" if rtl else "ltr"

        def measure(candidate: str) -> float:
            return float(self.draw.textlength(candidate, font=font, direction=direction))

        whole = " ".join(text.split())
        length = measure(whole)
        if length <= self.inner:
            return [(whole, length)]  # most lines fit: one measurement
        lines: list[tuple[str, float]] = []
        current, current_length = "", 0.0
        for word in whole.split(" "):
            candidate = f"{current} {word}" if current else word
            candidate_length = measure(candidate)
            if current and candidate_length > self.inner:
                lines.append((current, current_length))
                current, current_length = word, measure(word)
            else:
                current, current_length = candidate, candidate_length
        if current:
            lines.append((current, current_length))
        return lines

    def text(
        self,
        text: str,
        *,
        arabic: bool,
        size: int,
        bold: bool = False,
        align: Literal["start", "center"] = "start",
    ) -> None:
        if arabic:
            # Amiri draws smaller than DejaVu at the same size: match their visual height.
            size = round(size * _ARABIC_SCALE)
            font = _font(self.fonts.arabic_bold if bold else self.fonts.arabic, size)
        else:
            font = _font(self.fonts.latin_bold if bold else self.fonts.latin, size)
        direction = "rtl" if arabic else "ltr"
        language = "ar" if arabic else "fr"
        ascent, descent = font.getmetrics()
        for line, length in self._wrap(text, font, arabic):
            if align == "center":
                x = (self.width - length) / 2
            elif arabic:
                x = self.width - self.m.margin - length
            else:
                x = self.m.margin
            self.draw.text(
                (x, self.y), line, font=font, fill=0, direction=direction, language=language
            )
            self.y += ascent + descent
        self.y += self.m.gap // 2

    def pair(self, ar: str, fr: str, *, size: int, bold: bool = False) -> None:
        self.text(ar, arabic=True, size=size, bold=bold)
        self.text(fr, arabic=False, size=size, bold=bold)

    def rule(self, thickness: int = 2) -> None:
        self.y += self.m.gap // 2
        self.draw.rectangle(
            (self.m.margin, self.y, self.width - self.m.margin - 1, self.y + thickness - 1), fill=0
        )
        self.y += thickness + self.m.gap

    def notice_band(self, lines: tuple[tuple[str, bool], ...]) -> None:
        """White lines (text, is Arabic) on one black band, each centred."""
        fonts = [
            _font(self.fonts.arabic_bold, round(self.m.body * _ARABIC_SCALE))
            if arabic
            else _font(self.fonts.latin_bold, self.m.body)
            for _, arabic in lines
        ]
        heights = [sum(font.getmetrics()) for font in fonts]
        top = self.y
        self.draw.rectangle((0, top, self.width - 1, top + sum(heights) + self.m.gap), fill=0)
        y = top + self.m.gap // 2
        for (text, arabic), font, height in zip(lines, fonts, heights, strict=True):
            direction = "rtl" if arabic else "ltr"
            length = self.draw.textlength(text, font=font, direction=direction)
            self.draw.text(
                ((self.width - length) / 2, y),
                text,
                font=font,
                fill=1,
                direction=direction,
                language="ar" if arabic else "fr",
            )
            y += height
        self.y = top + sum(heights) + 2 * self.m.gap

    def inverted_band(self, text: str) -> None:
        """White text on a black band: the duplicate mark must be seen at a glance."""
        font = _font(self.fonts.arabic_bold, self.m.heading)
        ascent, descent = font.getmetrics()
        height = ascent + descent + self.m.gap
        self.draw.rectangle((0, self.y, self.width - 1, self.y + height), fill=0)
        length = self.draw.textlength(text, font=font, direction="rtl")
        self.draw.text(
            ((self.width - length) / 2, self.y + self.m.gap // 2),
            text,
            font=font,
            fill=1,
            direction="rtl",
            language="ar",
        )
        self.y += height + self.m.gap

    def big_code(self, code: str) -> None:
        size = self.m.code_max
        while size > 12:
            font = _font(self.fonts.latin_bold, size)
            if self.draw.textlength(code, font=font) <= self.inner:
                break
            size -= 2
        font = _font(self.fonts.latin_bold, size)
        left, top, right, bottom = self.draw.textbbox((0, 0), code, font=font)
        x = (self.width - (right - left)) / 2 - left
        self.draw.text((x, self.y - top), code, font=font, fill=0)
        self.y += int(bottom - top) + self.m.gap

    def code128(self, data: str) -> None:
        modules = Code128(data).build()[0]
        quiet = 10
        module = max(1, (self.inner) // (len(modules) + 2 * quiet))
        height = 64 if self.width >= 576 else 48
        x0 = (self.width - module * len(modules)) // 2
        for i, bit in enumerate(modules):
            if bit == "1":
                x = x0 + i * module
                self.draw.rectangle((x, self.y, x + module - 1, self.y + height - 1), fill=0)
        self.y += height + self.m.gap

    def qr(self, payload: str) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(payload)
        code.make(fit=True)
        matrix: list[list[bool]] = code.get_matrix()
        n = len(matrix)
        target = 240 if self.width >= 576 else 176
        scale = max(2, target // n)
        size = n * scale
        tile = Image.new("1", (n, n), 1)
        tile.putdata([0 if cell else 1 for row in matrix for cell in row])
        tile = tile.resize((size, size), Image.Resampling.NEAREST)
        self.y += scale * 2  # part of the quiet zone; the rest is the white margin around
        self.image.paste(tile, ((self.width - size) // 2, self.y))
        self.y += size + scale * 2 + self.m.gap

    def finish(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + self.m.margin))


def group_secret(secret: str) -> str:
    """``7Q2FX9KM`` → ``7Q2F-X9KM``: groups of four are easier to copy and to type."""
    return "-".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def format_fee(fee: Decimal) -> str:
    return f"{fee:.2f}".replace(".", ",")


def render_receipt(
    content: ReceiptContent, width: DotWidth = 576, fonts: Fonts | None = None
) -> Image.Image:
    """Lay the receipt out as a 1-bit image ``width`` dots wide (384: 58 mm, 576: 80 mm)."""
    return _layout(content, width, fonts, draw_codes=True)[0]


def render_receipt_parts(
    content: ReceiptContent, width: DotWidth = 576, fonts: Fonts | None = None
) -> tuple[Image.Image, Image.Image]:
    """The receipt above and below its barcode and QR, for printers that draw those natively."""
    image, split = _layout(content, width, fonts, draw_codes=False)
    return image.crop((0, 0, width, split)), image.crop((0, split, width, image.height))


def _layout(
    content: ReceiptContent, width: int, fonts: Fonts | None, *, draw_codes: bool
) -> tuple[Image.Image, int]:
    canvas = _Canvas(width, fonts or find_fonts())
    m = canvas.m
    canvas.text("المملكة المغربية – جماعة مكناس", arabic=True, size=m.small, align="center")
    canvas.text("Royaume du Maroc – Commune de Meknès", arabic=False, size=m.small, align="center")
    canvas.pair(content.office_name_ar, content.office_name_fr, size=m.body, bold=True)
    canvas.rule()
    if content.duplicate:
        canvas.inverted_band("نسخة مكررة – DUPLICATA")
    if content.pending:
        canvas.notice_band((("طلب في انتظار الإرسال", True), ("Demande en attente d'envoi", False)))
    canvas.text("وصل طلب وثيقة", arabic=True, size=m.heading, bold=True, align="center")
    canvas.text("Reçu de demande", arabic=False, size=m.heading, bold=True, align="center")
    canvas.pair(
        f"الوثيقة: {content.document_kind_ar}",
        f"Document : {content.document_kind_fr}",
        size=m.body,
    )
    fee = format_fee(content.fee_dirhams)
    canvas.pair(
        f"عدد النسخ: {content.copies} – الرسوم: {fee} درهم",
        f"Copies : {content.copies} – Frais : {fee} DH",
        size=m.body,
    )
    canvas.rule()
    canvas.text("رمز الطلب – Code de la demande", arabic=True, size=m.small, align="center")
    canvas.big_code(content.request_code)
    if content.receipt_secret is not None:
        secret = group_secret(content.receipt_secret)
        # Isolated left to right: inside Arabic the groups' order would otherwise flip.
        canvas.text(f"مفتاح الوصل: \u2066{secret}\u2069", arabic=True, size=m.body, bold=True)
        canvas.text(f"Clé du reçu : {secret}", arabic=False, size=m.body, bold=True)
        canvas.pair(
            "أدخلوه مع رمز الطلب لتتبع حالته",
            "À saisir avec le code pour suivre la demande",
            size=m.small,
        )
    if content.pending:
        canvas.pair(
            "الرمز نهائي، وسيُرسل الطلب فور عودة الاتصال بالسجل.",
            "Le code est définitif ; la demande sera transmise dès le retour de la connexion.",
            size=m.small,
        )
    split = canvas.y
    if draw_codes:
        canvas.code128(content.request_code)
        canvas.qr(content.qr_payload)
    canvas.rule()
    canvas.pair(
        f"مكان السحب: {content.pickup_place_ar}",
        f"Retrait : {content.pickup_place_fr}",
        size=m.body,
    )
    canvas.pair(
        f"تاريخ السحب: {content.pickup_date_ar}",
        f"Date de retrait : {content.pickup_date_fr}",
        size=m.body,
        bold=True,
    )
    issued = content.issued_at.strftime("%Y-%m-%d %H:%M")
    # Left-to-right isolate: a bare date inside Arabic has its parts reordered by the bidi rules.
    canvas.pair(f"صدر في: \u2066{issued}\u2069", f"Émis le : {issued}", size=m.small)
    canvas.rule(1)
    canvas.text("احتفظوا بهذا الوصل لسحب الوثيقة", arabic=True, size=m.small, align="center")
    canvas.text("Conservez ce reçu pour le retrait", arabic=False, size=m.small, align="center")
    return canvas.finish(), split


def sample_content(
    duplicate: bool = False, issued_at: datetime | None = None, pending: bool = False
) -> ReceiptContent:
    """A typical receipt, for self-tests, benchmarks and the demo."""
    code = RequestCode("MK07", 2026, 4213)
    qr = ReceiptQr(code, "7Q2FX9KM")
    return ReceiptContent(
        office_name_ar="مكتب الحالة المدنية حمرية",
        office_name_fr="Bureau d'état civil Hamria",
        request_code=str(code),
        qr_payload=qr.encode(),
        document_kind_ar="نسخة موجزة من رسم الولادة",
        document_kind_fr="Extrait d'acte de naissance",
        copies=2,
        fee_dirhams=Decimal("4.00"),
        pickup_place_ar="الشباك رقم 3، مكتب حمرية",
        pickup_place_fr="Guichet 3, bureau Hamria",
        pickup_date_ar="الخميس 26 نونبر 2026",
        pickup_date_fr="jeudi 26 novembre 2026",
        issued_at=issued_at or datetime(2026, 11, 25, 10, 4, tzinfo=UTC),
        duplicate=duplicate,
        receipt_secret=qr.secret,
        pending=pending,
    )
