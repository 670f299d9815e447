"""The Integrations page's chart: hourly deliveries and failures over 24 hours, drawn on the server as
an SVG image (no script, no inline style: presentation attributes only, so the page's CSP holds).

Bars in pairs per hour: deliveries solid blue, failures dark orange with white diagonal stripes and
their count written above them, so colour is never the only cue. `role="img"` with a `<title>` and a
`<desc>` that states the totals; each hour's pair carries its own `<title>` (a tooltip). The page puts
a compact table of the same numbers beside it for screen readers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from markupsafe import Markup

from application.console.commands import HourCount

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 44, 40  # the plot's margins: y labels, legend above, hours below
DELIVERED, FAILED, INK, GRID = "#1f5fbf", "#b34700", "#1d2330", "#d9dde5"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The chart's texts in the page's language; `hour_title` takes `%(hour)s`, `%(delivered)s` and
    `%(failed)s` (as gettext's texts do)."""

    title: str
    description: str
    delivered: str
    failed: str
    hour_title: str


def hour_label(count: HourCount, zone: ZoneInfo) -> str:
    return count.hour.astimezone(zone).strftime("%H:%M")


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def delivery_chart(
    hours: Sequence[HourCount],
    zone: ZoneInfo,
    words: ChartWords,
    *,
    number: Callable[[int], str] = str,
    id_prefix: str = "deliveries",
) -> Markup:
    top = nice_ceiling(max([h.delivered for h in hours] + [h.failed for h in hours] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(hours), 1)
    bar = max(2.0, slot * 0.36)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family={quoteattr(FONT)} font-size="12" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(words.title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(words.description)}</desc>',
        _pattern(id_prefix),
        *_grid(top, plot_w, plot_h, number),
        *_legend(words, id_prefix),
    ]

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    for i, h in enumerate(hours):
        x = LEFT + i * slot + (slot - 2 * bar) / 2
        label = hour_label(h, zone)
        tip = words.hour_title % {"hour": label, "delivered": number(h.delivered), "failed": number(h.failed)}
        parts.append(f"<g><title>{escape(tip)}</title>")
        parts.append(_bar(x, y(h.delivered), bar, TOP + plot_h - y(h.delivered), f'fill="{DELIVERED}"'))
        failed = f'fill="url(#{id_prefix}-failed)" stroke="{FAILED}" stroke-width="1"'
        parts.append(_bar(x + bar, y(h.failed), bar, TOP + plot_h - y(h.failed), failed))
        if h.failed:
            parts.append(
                f'<text x="{x + 1.5 * bar:.1f}" y="{y(h.failed) - 4:.1f}" text-anchor="middle" '
                f'font-size="11" font-weight="700" fill="{FAILED}">{escape(number(h.failed))}</text>'
            )
        parts.append("</g>")
        if i % 3 == 0 or i == len(hours) - 1:
            parts.append(
                f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{label}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape() above


def _bar(x: float, y: float, width: float, height: float, paint: str) -> str:
    if height <= 0:
        return ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {paint}/>'


def _pattern(id_prefix: str) -> str:
    return (
        f'<defs><pattern id="{id_prefix}-failed" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{FAILED}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>'
    )


def _grid(top: int, plot_w: float, plot_h: float, number: Callable[[int], str]) -> list[str]:
    """Whole counts up the axis: at most six lines from 0 to `top` (1, 2, 5, 10, ...), the baseline in ink."""
    lines = []
    step = max(1, top // 5)
    for value in range(0, top + 1, step):
        y = TOP + plot_h - plot_h * value / top
        colour = INK if value == 0 else GRID
        lines.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w:.1f}" y2="{y:.1f}" stroke="{colour}"/>'
        )
        lines.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(number(value))}</text>')
    return lines


def _legend(words: ChartWords, id_prefix: str) -> list[str]:
    return [
        f'<rect x="{LEFT}" y="12" width="14" height="14" fill="{DELIVERED}"/>',
        f'<text x="{LEFT + 20}" y="24" font-size="13">{escape(words.delivered)}</text>',
        f'<rect x="{LEFT + 160}" y="12" width="14" height="14" fill="url(#{id_prefix}-failed)" '
        f'stroke="{FAILED}"/>',
        f'<text x="{LEFT + 180}" y="24" font-size="13">{escape(words.failed)}</text>',
    ]
