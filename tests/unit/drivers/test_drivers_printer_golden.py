"""Golden receipts: the layout may only change on purpose.

After an intended change, regenerate with SIJILL_UPDATE_GOLDEN=1 and look at the new PNGs
before committing them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from drivers.printer.receipt import render_receipt, sample_content

GOLDEN = Path(__file__).parent / "golden"
ISSUED = datetime(2026, 11, 25, 10, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "width", "duplicate", "pending"),
    [
        ("receipt-576.png", 576, False, False),
        ("receipt-384-duplicate.png", 384, True, False),
        ("receipt-384-pending.png", 384, False, True),
    ],
)
def test_receipt_matches_its_golden_image(
    name: str, width: int, duplicate: bool, pending: bool
) -> None:
    content = sample_content(duplicate, ISSUED, pending=pending)
    image = render_receipt(content, width)  # type: ignore[arg-type]
    path = GOLDEN / name
    if os.environ.get("SIJILL_UPDATE_GOLDEN") == "1":
        image.save(path, optimize=True)
    golden = Image.open(path).convert("1")
    assert golden.size == image.size
    diff = ImageChops.difference(golden.convert("L"), image.convert("L"))
    changed = sum(1 for v in diff.tobytes() if v)
    # A different FreeType or font build may move a few edge pixels, never the layout.
    assert changed / (image.width * image.height) < 0.005
