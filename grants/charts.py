"""Bar charts drawn on the server as SVG: no script, no library, nothing from a CDN.

A chart is decoration for people who look; every page that shows one shows the
same numbers in a table beside it for people who read. Colours come from CSS
classes (``static/css/staff.css``), with presentation attributes as a fallback, so
the markup needs no ``style`` attribute and passes a ``'self'``-only CSP.
"""

from dataclasses import dataclass
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from grants.formatting import format_inr_short, format_percent

LABEL_WIDTH = 200
BAR_AREA = 200
VALUE_WIDTH = 140
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8
LEGEND_HEIGHT = 22

_ids = count(1)


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a total and, optionally, the part of it already done."""

    label: str
    value: int
    part: int | None = None


def _short(amount) -> str:
    return format_inr_short(amount, symbol="₹\u00a0")


def text_width(text: str) -> int:
    """A generous estimate of a 12 px label's width in pixels."""
    return round(7.2 * len(text))


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    value_name: str = "",
    part_name: str = "",
    money: bool = True,
) -> SafeString:
    """Return an SVG horizontal bar chart, one bar per row, scaled to the largest.

    With ``part`` values, each bar shows the part (say, released) drawn over the
    whole (say, sanctioned), and a legend names both.
    """
    chart_id = f"chart-{next(_ids)}"
    has_parts = any(bar.part is not None for bar in bars)
    top = TOP + (LEGEND_HEIGHT if has_parts else 0)
    height = top + ROW_HEIGHT * max(len(bars), 1) + 4
    largest = max([bar.value for bar in bars] + [1])
    show = _short if money else str

    def value_text_of(bar):
        if bar.part is None:
            return show(bar.value)
        percent = f" ({format_percent(bar.part, bar.value)})" if bar.value else ""
        return f"{show(bar.part)}{percent}"

    # Wide enough for the longest label and value: nothing is cut off.
    label_width = max([LABEL_WIDTH] + [text_width(bar.label) + 16 for bar in bars])
    value_width = max(
        [VALUE_WIDTH] + [text_width(value_text_of(bar)) + 12 for bar in bars]
    )
    width = label_width + BAR_AREA + value_width

    rows = []
    for index, bar in enumerate(bars):
        y = top + index * ROW_HEIGHT
        bar_width = round(BAR_AREA * bar.value / largest, 1)
        text_y = y + BAR_HEIGHT - 3
        value_text = value_text_of(bar)
        rows.append(
            format_html(
                '<g class="chart-row"><title>{}: {}</title>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" '
                'fill="#9cc3d5"></rect>{}'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                bar.label,
                value_text if bar.part is None else f"{show(bar.value)}, {value_text}",
                label_width - 8,
                text_y,
                bar.label,
                label_width,
                y,
                bar_width,
                BAR_HEIGHT,
                format_html(
                    '<rect class="chart-part" x="{}" y="{}" width="{}" height="{}" '
                    'fill="#0b5a7a"></rect>',
                    label_width,
                    y + 3,
                    round(BAR_AREA * bar.part / largest, 1),
                    BAR_HEIGHT - 6,
                )
                if bar.part is not None
                else "",
                label_width + bar_width + 6,
                text_y,
                value_text,
            )
        )
    legend = ""
    if has_parts:
        legend = format_html(
            '<g class="chart-legend">'
            '<rect class="chart-bar" x="{}" y="{}" width="12" height="12" '
            'fill="#9cc3d5"></rect><text x="{}" y="{}">{}</text>'
            '<rect class="chart-part" x="{}" y="{}" width="12" height="12" '
            'fill="#0b5a7a"></rect><text x="{}" y="{}">{}</text></g>',
            label_width,
            TOP,
            label_width + 16,
            TOP + 10,
            value_name,
            label_width + 120,
            TOP,
            label_width + 136,
            TOP + 10,
            part_name,
        )
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="{}" height="{}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}{}</svg>',
        width,
        height,
        width,
        height,
        chart_id,
        chart_id,
        title,
        legend,
        format_html_join("", "{}", ((row,) for row in rows)) if rows else mark_safe(""),
    )
