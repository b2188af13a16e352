"""The dashboard's chart, drawn on the server as SVG: no JavaScript library, readable by screen
readers (a title, a description with every number, and a tooltip title per bar)."""

from __future__ import annotations

import datetime as dt
from html import escape

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 36


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above ``value`` (at least 4), for round ticks."""
    top = max(4, value)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= top:
                return m * step
        step *= 10


def hourly_chart_svg(
    *,
    hours: list[dt.datetime],
    imported: list[int],
    errors: list[int],
    title: str = "Orders imported and errors per hour, last 24 hours",
    standalone: bool = False,
) -> str:
    """Bars of orders imported per hour (blue) with errors per hour beside them (red).

    ``hours`` are the starts of the hours (labels show them in the zone they carry);
    ``standalone`` adds the XML namespace a ``.svg`` file needs."""
    count = len(hours)
    peak = _nice_max(max([*imported, *errors, 0]))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, count)
    bar = max(1.0, slot * 0.38)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / peak

    summary = "; ".join(
        f"{h:%H:00} {i} imported, {e} errors"
        for h, i, e in zip(hours, imported, errors, strict=True)
    )
    namespace = 'xmlns="http://www.w3.org/2000/svg" ' if standalone else ""
    parts = [
        f"<svg {namespace}"
        f'class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
        "<style>text{font:11px system-ui,sans-serif;fill:#667085}"
        ".imported{fill:#2e6be6}.errors{fill:#d92d20}.grid{stroke:#e4e7ec}</style>",
    ]
    for tick in range(5):
        value = peak * tick // 4
        ty = y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{value}</text>')
    for n, (hour, made, failed) in enumerate(zip(hours, imported, errors, strict=True)):
        x = LEFT + n * slot + slot * 0.1
        label = f"{hour:%H:00}: {made} orders imported, {failed} errors"
        for cls, value, offset in (("imported", made, 0.0), ("errors", failed, bar)):
            top = y(value)
            parts.append(
                f'<rect class="{cls}" x="{x + offset:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{TOP + plot_h - top:.1f}"><title>{escape(label)}</title></rect>'
            )
        if n % 3 == 0 or n == count - 1:
            parts.append(
                f'<text x="{x + bar:.1f}" y="{HEIGHT - BOTTOM + 14}" '
                f'text-anchor="middle">{hour:%H:00}</text>'
            )
    parts += [
        f'<text x="{LEFT}" y="14">orders / hour</text>',
        f'<rect class="imported" x="{WIDTH - 230}" y="6" width="10" height="10"/>',
        f'<text x="{WIDTH - 215}" y="15">orders imported</text>',
        f'<rect class="errors" x="{WIDTH - 120}" y="6" width="10" height="10"/>',
        f'<text x="{WIDTH - 105}" y="15">errors</text>',
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">'
        "hour (start)</text>",
        "</svg>",
    ]
    return "".join(parts)
