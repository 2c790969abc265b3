"""Inline SVG line charts, rendered on the server (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from html import escape

WIDTH, HEIGHT, PAD = 600, 120, 24


def line_chart(
    points: Sequence[tuple[datetime, float | None]],
    title: str,
    y_max: float | None = None,
    unit: str = "",
    tz: tzinfo = UTC,
) -> str:
    values = [(ts, v) for ts, v in points if v is not None]
    label = escape(title)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" class="chart-bg"/>'
    )
    if len(values) < 2:
        return head + f'<text x="{PAD}" y="{HEIGHT // 2}" class="chart-empty">—</text></svg>'
    t0 = values[0][0].timestamp()
    span = max(1.0, values[-1][0].timestamp() - t0)
    top = y_max if y_max is not None else max(v for _, v in values) or 1.0
    top = max(top, 1e-9)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    coords = " ".join(
        f"{PAD + (ts.timestamp() - t0) / span * inner_w:.1f},"
        f"{HEIGHT - PAD - min(v, top) / top * inner_h:.1f}"
        for ts, v in values
    )
    last = values[-1][1]
    return (
        head + f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="chart-axis"/>'
        + f'<polyline points="{coords}" class="chart-line" fill="none"/>'
        + f'<text x="{PAD}" y="{PAD - 6}" class="chart-label">{label}: {last:g}{escape(unit)}'
        f" (max {top:g})</text>" + f'<text x="{PAD}" y="{HEIGHT - 6}" class="chart-label">'
        f"{values[0][0].astimezone(tz):%Y-%m-%d %H:%M}</text>"
        + f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" text-anchor="end" class="chart-label">'
        f"{values[-1][0].astimezone(tz):%H:%M:%S}</text></svg>"
    )
