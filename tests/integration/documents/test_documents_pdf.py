"""Real PDFs: A4, the text in both languages, the QR read back by zbar, the page as an image.

Golden images: ``python tests/integration/documents/test_documents_pdf.py --update-golden``
rewrites them after a deliberate layout change (look at them before committing).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageChops

from records_backend.documents.keyring import Signer
from records_backend.documents.keys import PublicKeyInfo, PublicKeySet
from records_backend.documents.model import DocumentKind
from records_backend.documents.payload import DocumentClaims
from records_backend.documents.render import document_view, render_pdf
from records_backend.documents.revocations import RevocationList
from records_backend.documents.samples import sample
from records_backend.documents.verify import Verdict, verify_qr

pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_DPI = 50
# A fixed test key: signatures (so QR codes) and pages come out identical on every run.
_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _render(kind: DocumentKind) -> tuple[bytes, str, str]:
    content = sample(kind)
    signer = Signer(_KEY)
    signed = signer.sign(DocumentClaims.from_content(content, signer.kid))
    return render_pdf(document_view(content, signed)), signed.qr_text, signed.short_code


def _run(*args: str, data: bytes | None = None) -> str:
    done = subprocess.run(args, input=data, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


def _png(pdf_path: Path, dpi: int, out: Path) -> Path:
    _run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf_path), str(out))
    return out.with_suffix(".png")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[DocumentKind, tuple[Path, str, str]]:
    base = tmp_path_factory.mktemp("documents")
    result = {}
    for kind in DocumentKind:
        pdf, qr, code = _render(kind)
        path = base / f"{kind.value}.pdf"
        path.write_bytes(pdf)
        result[kind] = (path, qr, code)
    return result


def _text(pdf_path: Path) -> str:
    text = _BIDI_CONTROLS.sub("", _run("pdftotext", "-enc", "UTF-8", str(pdf_path), "-"))
    # pdftotext drops the hyphen where a line broke after one ("quatre-/vingt" comes out
    # "quatrevingt"): compare without hyphens.
    return re.sub(r"\s+", " ", text).replace("-", "")


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_one_a4_page_with_embedded_fonts(
    kind: DocumentKind, rendered: dict[DocumentKind, tuple[Path, str, str]]
) -> None:
    path = rendered[kind][0]
    info = _run("pdfinfo", str(path))
    assert re.search(r"Pages:\s+1\n", info)
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = _run("pdffonts", str(path))
    assert "Amiri" in fonts
    assert "DejaVu" in fonts
    # Every font is embedded (column "emb" is "yes"): the paper looks the same everywhere.
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows
    assert all("yes" in row[-5:-2] for row in rows)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_text_in_both_languages(
    kind: DocumentKind, rendered: dict[DocumentKind, tuple[Path, str, str]]
) -> None:
    path, _, code = rendered[kind]
    text = _text(path)
    # Arabic comes out in logical (reading) order: right-to-left was laid out correctly.
    for expected in (
        "فاطمة الزهراء",
        "بنجلون",
        "خمسة وعشرون مارس ألف وتسعمائة وتسعون",
        "ثمانية وعشرون شعبان ألف وأربعمائة وعشرة",
        "وزارة الداخلية",
        "درهم",
        "Fatima Zahra",
        "BENJELLOUN",
        "vingt-cinq mars mille neuf cent quatre-vingt-dix",
        "vingt-huit Chaabane mille quatre cent dix",
        "MK03-2026-",
        "Droit de timbre : 2 DH",
        "25/02/2027",
        "Abderrahim El Idrissi",
        code,
    ):
        assert expected.replace("-", "") in text, expected
    shows_notes = "Mentions marginales" in text
    assert shows_notes is (kind is DocumentKind.FULL_COPY)
    if kind is DocumentKind.FULL_COPY:
        assert "Mariée avec M. Youssef Bennani le 12 juillet 2014" in text
        assert "تزوجت بالسيد يوسف بناني" in text


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_qr_reads_back_and_verifies(
    kind: DocumentKind, rendered: dict[DocumentKind, tuple[Path, str, str]], tmp_path: Path
) -> None:
    path, qr, code = rendered[kind]
    png = _png(path, 150, tmp_path / "page")
    decoded = _run("zbarimg", "-q", "--raw", str(png)).strip()
    assert decoded == qr
    keys = PublicKeySet([PublicKeyInfo(Signer(_KEY).kid, _KEY.public_key(), date(2026, 1, 1))])
    result = verify_qr(decoded, keys, RevocationList(), date(2026, 11, 30))
    assert result.verdict is Verdict.VALID
    assert result.shown is not None
    assert result.shown.short_code == code


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_page_matches_its_golden_image(
    kind: DocumentKind, rendered: dict[DocumentKind, tuple[Path, str, str]], tmp_path: Path
) -> None:
    page = Image.open(_png(rendered[kind][0], GOLDEN_DPI, tmp_path / "page")).convert("L")
    golden = Image.open(GOLDEN / f"{kind.value}.png").convert("L")
    assert page.size == golden.size
    diff = ImageChops.difference(page, golden).point(lambda v: 255 if v > 96 else 0)
    changed = diff.histogram()[255] / (page.width * page.height)
    assert changed < 0.005, f"{changed:.2%} of the page changed: look at it"


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_nothing_reaches_the_page_edges(
    kind: DocumentKind, rendered: dict[DocumentKind, tuple[Path, str, str]], tmp_path: Path
) -> None:
    page = Image.open(_png(rendered[kind][0], GOLDEN_DPI, tmp_path / "page")).convert("L")
    band = round(4 / 25.4 * GOLDEN_DPI)  # 4 mm: printers cannot reach closer to the edge
    w, h = page.size
    for box in ((0, 0, w, band), (0, h - band, w, h), (0, 0, band, h), (w - band, 0, w, h)):
        ink = page.crop(box).point(lambda v: 255 if v < 240 else 0)
        assert ink.getbbox() is None, box


def test_long_full_copy_continues_with_serial_on_every_page(tmp_path: Path) -> None:
    content = sample(DocumentKind.FULL_COPY)
    content = content.model_copy(update={"marginal_notes": content.marginal_notes * 4})
    signer = Signer(_KEY)
    signed = signer.sign(DocumentClaims.from_content(content, signer.kid))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(document_view(content, signed)))
    pages = [
        _run("pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-")
        for n in (1, 2)
    ]
    assert "MK03-2026-F004127 · 1 / 2" in pages[0]
    assert "MK03-2026-F004127 · 2 / 2" in pages[1]
    assert signed.short_code in pages[1]


def _update_golden() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for kind in DocumentKind:
        pdf = GOLDEN / f"{kind.value}.pdf"
        pdf.write_bytes(_render(kind)[0])
        _png(pdf, GOLDEN_DPI, GOLDEN / kind.value)
        pdf.unlink()
        print(f"wrote {GOLDEN / kind.value}.png")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update-golden"]:
        _update_golden()
