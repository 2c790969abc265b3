"""Bar charts as inline SVG, drawn on the server: no script, no external asset."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD, LABEL_H = 640, 220, 30, 40


def bar_chart(
    title: str,
    labels: list[str],
    series: list[list[int]],
    empty: str = "",
    classes: tuple[str, ...] = ("bar", "bar2"),
) -> Markup:
    """Grouped bars: one group per label, one bar per series. The SVG is labelled for AT."""
    highest = max((v for s in series for v in s), default=0)
    top = highest or 1
    groups = max(len(labels), 1)
    slot = (WIDTH - 2 * PAD) / groups
    bar_w = max(slot * 0.8 / max(len(series), 1), 1.0)
    plot_h = HEIGHT - PAD - LABEL_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, label in enumerate(labels):
        x0 = PAD + i * slot + slot * 0.1
        for j, values in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / top
            x = x0 + j * bar_w
            y = PAD + plot_h - h
            parts.append(
                f'<rect class="{classes[j % len(classes)]}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(label)}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - LABEL_H + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if highest == 0 and empty:
        parts.append(
            f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle">'
            f"{escape(empty)}</text>"
        )
    parts.append(f'<text x="{PAD}" y="{PAD - 8}">{top}</text></svg>')
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
