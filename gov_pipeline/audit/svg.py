"""A small SVG writer for the index's plots: a dot plot of values by category and group, and a line
chart of series over years. Plain SVG text, no plotting library, every label escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 130, 16, 36
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f")


def _frame(title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def _axes(categories: Sequence[str], y_max: float, y_label: str, percent: bool) -> list[str]:
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    out = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>']
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:.0%}" if percent else f"{value:g}"
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{label}</text>')
    step = max(1, len(categories) // 12)
    for i, category in enumerate(categories):
        if i % step == 0:
            out.append(f'<text x="{_x(i, len(categories)):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                       f'text-anchor="middle">{escape(category)}</text>')
    out.append(f'<text x="12" y="{TOP + plot_h / 2:.0f}" font-size="11" text-anchor="middle" '
               f'transform="rotate(-90 12 {TOP + plot_h / 2:.0f})">{escape(y_label)}</text>')
    return out


def _x(index: int, count: int) -> float:
    plot_w = WIDTH - LEFT - RIGHT
    return LEFT + plot_w * (index + 0.5) / max(count, 1)


def _y(value: float, y_max: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value / y_max if y_max else 0)


def _legend(groups: Sequence[str]) -> list[str]:
    out = []
    for i, group in enumerate(groups):
        y = TOP + 12 + 16 * i
        out.append(f'<circle cx="{WIDTH - RIGHT + 14}" cy="{y - 4}" r="4" fill="{COLOURS[i % len(COLOURS)]}"/>'
                   f'<text x="{WIDTH - RIGHT + 22}" y="{y}" font-size="11">{escape(group)}</text>')
    return out


def dot_plot(title: str, points: Sequence[tuple[str, str, float]], y_max: float, y_label: str) -> str:
    """One dot per (category, group, value): categories along x, groups side by side and coloured."""
    categories = sorted({c for c, _, _ in points})
    groups = sorted({g for _, g, _ in points})
    body = _axes(categories, y_max, y_label, percent=False) + _legend(groups)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for category, group, value in points:
        offset = (groups.index(group) + 0.5) / len(groups) - 0.5
        x = _x(categories.index(category), len(categories)) + offset * band * 0.8
        body.append(f'<circle cx="{x:.1f}" cy="{_y(value, y_max):.1f}" r="3" fill-opacity="0.7" '
                    f'fill="{COLOURS[groups.index(group) % len(COLOURS)]}"><title>{escape(group)} '
                    f'{escape(category)}: {value:g}</title></circle>')
    return _frame(title, body)


def line_chart(title: str, series: Mapping[str, Sequence[tuple[str, float]]], y_label: str,
               percent: bool = False) -> str:
    """One line per series over the categories (years) any series has."""
    categories = sorted({c for points in series.values() for c, _ in points})
    y_max = max((v for points in series.values() for _, v in points), default=0) or 1.0
    y_max = min(1.0, y_max * 1.1) if percent else y_max * 1.1
    body = _axes(categories, y_max, y_label, percent) + _legend(list(series))
    for i, (name, points) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        xy = [(_x(categories.index(c), len(categories)), _y(v, y_max), c, v) for c, v in sorted(points)]
        if len(xy) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in xy)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, c, v in xy:
            shown = f"{v:.1%}" if percent else f"{v:g}"
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(name)} '
                        f'{escape(c)}: {shown}</title></circle>')
    return _frame(title, body)
