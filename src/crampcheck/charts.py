"""Accessible bar charts rendered on the server as SVG, each with a table alternative.

No scripts and no inline styles (the pages' Content-Security-Policy forbids them): colours are SVG
presentation attributes. The SVG is ``role="img"`` with a title and a description that states the
figures, and the same figures are in a table for screen readers and for anyone who prefers it.
The GP report reuses these.

>>> chart = Chart("demo", "Cramps per week", "Number of cramps", [Bar("1 Jan", "week of 1 Jan", 3)])
>>> "<svg" in bar_chart_svg(chart) and "<table" in chart_table(chart)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from crampcheck.diary_summary import DiarySummary

BAR = "#005eb8"  # NHS blue: 7:1 contrast against white
TEXT = "#212b32"
GRID = "#d8dde0"
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 20, 60


@dataclass(frozen=True)
class Bar:
    """One bar: a short axis label, the full label used in the table and description, a value."""

    label: str
    full_label: str
    value: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    value_label: str
    bars: Sequence[Bar]
    category_label: str = ""

    def description(self) -> str:
        if not self.bars or not any(b.value for b in self.bars):
            return f"{self.title}: no cramps recorded in this period."
        parts = [f"{b.full_label}: {_num(b.value)}" for b in self.bars]
        return f"{self.title}. " + "; ".join(parts) + "."


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _nice_max(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000):
        if value <= step * 4:
            return step * 4 if value > 4 else max(1, int(-(-value // 1)))
    return int(value) + 1


def bar_chart_svg(chart: Chart) -> Markup:
    """The chart as an inline ``<svg>`` (scales to its container)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_max(max((b.value for b in chart.bars), default=0))
    n = max(1, len(chart.bars))
    slot = plot_w / n
    label_every = max(1, -(-n // 10))  # at most about 10 axis labels, so they never overlap
    tid, did = f"{chart.id}-title", f"{chart.id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{tid} {did}" focusable="false" class="crampcheck-chart">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description())}</desc>',
    ]
    ticks = sorted({0, top // 2, top}) if top >= 2 else [0, top]
    for t in ticks:
        y = TOP + plot_h - plot_h * t / top
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="14" fill="{TEXT}">{t}</text>'
        )
    for i, bar in enumerate(chart.bars):
        h = plot_h * bar.value / top
        x = LEFT + i * slot + slot * 0.15
        w = slot * 0.7
        y = TOP + plot_h - h
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BAR}"/>')
        if bar.value and n <= 26:
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="14" '
                f'fill="{TEXT}">{_num(bar.value)}</text>'
            )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" font-size="13" '
                f'fill="{TEXT}">{escape(bar.label)}</text>'
            )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{TEXT}"/>'
    )
    if chart.category_label:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="14" '
            f'fill="{TEXT}">{escape(chart.category_label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()


def chart_table(chart: Chart) -> Markup:
    """The chart's figures as an NHS.UK-styled table."""
    head = escape(chart.category_label or "Period")
    rows = "".join(
        f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{escape(b.full_label)}</td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(b.value)}</td></tr>'
        for b in chart.bars
    )
    value_head = escape(chart.value_label)
    return Markup(  # noqa: S704 - every text here went through escape()
        f'<table class="nhsuk-table"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">'
        f"{escape(chart.title)}</caption>"
        f'<thead class="nhsuk-table__head"><tr class="nhsuk-table__row">'
        f'<th scope="col" class="nhsuk-table__header">{head}</th>'
        f'<th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric">{value_head}</th>'
        f'</tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>'
    )


def chart_figure(chart: Chart) -> Markup:
    """A ``<figure>``: heading, the SVG, and the table in a "Show as a table" details element."""
    return Markup(  # noqa: S704 - every text here went through escape()
        f'<figure class="nhsuk-u-margin-bottom-6" id="{chart.id}">'
        f'<figcaption><h3 class="nhsuk-heading-s">{escape(chart.title)}</h3></figcaption>'
        f"{bar_chart_svg(chart)}"
        f'<details class="nhsuk-details"><summary class="nhsuk-details__summary">'
        f'<span class="nhsuk-details__summary-text">Show "{escape(chart.title)}" as a table</span></summary>'
        f'<div class="nhsuk-details__text">{chart_table(chart)}</div></details></figure>'
    )


def weekly_chart(summary: DiarySummary) -> Chart:
    bars = [
        Bar(d.strftime("%-d %b"), f"Week starting {d.strftime('%-d %B %Y')}", n) for d, n in summary.weekly
    ]
    return Chart("chart-weekly", "Cramps per week", "Cramps", bars, "Week starting")


def time_of_day_chart(summary: DiarySummary) -> Chart:
    bars = [Bar(label[:5], label, n) for label, n in summary.time_of_day]
    return Chart("chart-time", "Time of day the cramps started", "Cramps", bars, "Time of day")


def durations_chart(summary: DiarySummary) -> Chart:
    short = {"under 1 minute": "<1 min", "30 minutes or more": "30+ min"}
    bars = [
        Bar(short.get(label, label.replace(" to ", "–").replace(" minutes", " min")), label.capitalize(), n)
        for label, n in summary.durations
    ]
    return Chart("chart-durations", "How long the cramps lasted", "Cramps", bars, "Length")


def summary_charts(summary: DiarySummary) -> list[Chart]:
    """The three diary charts, in page order."""
    return [weekly_chart(summary), time_of_day_chart(summary), durations_chart(summary)]
