"""Charts: well-formed, accessible SVG with the same figures as the table alternative."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from crampcheck.charts import Bar, Chart, bar_chart_svg, chart_figure, chart_table, summary_charts
from crampcheck.diary import Episode
from crampcheck.diary_summary import summarize

SVG = "{http://www.w3.org/2000/svg}"
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own generated markup, not untrusted input


def _summary(n: int = 10):  # type: ignore[no-untyped-def]
    eps = [
        Episode(
            id=i,
            started_at=NOW - dt.timedelta(days=i * 2, hours=i),
            duration_minutes=0.5 + i,
            location="calf",
            created_at=NOW,
            updated_at=NOW,
        )
        for i in range(n)
    ]
    return summarize(eps, {}, days=28, now=NOW)


def test_svg_is_well_formed_and_labelled() -> None:
    for chart in summary_charts(_summary()):
        root = _xml(str(bar_chart_svg(chart)))
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert len(root.findall(f"{SVG}rect")) == len(chart.bars)
        assert "style" not in str(bar_chart_svg(chart))  # the CSP forbids inline styles


def test_table_has_the_same_figures() -> None:
    s = _summary()
    weekly, time_of_day, durations = summary_charts(s)
    assert sum(b.value for b in weekly.bars) == s.episodes == 10
    assert sum(b.value for b in time_of_day.bars) == 10 and sum(b.value for b in durations.bars) == 10
    table = _xml(str(chart_table(durations)))
    cells = [td.text for td in table.iter("td")]
    assert cells[1::2] == [str(int(b.value)) for b in durations.bars]
    for bar in durations.bars:
        assert bar.full_label in durations.description()


def test_empty_chart_says_so() -> None:
    chart = summary_charts(_summary(0))[0]
    assert "no cramps recorded" in chart.description()
    _xml(str(bar_chart_svg(chart)))


def test_text_is_escaped() -> None:
    chart = Chart("x", "<script>alert(1)</script>", "n", [Bar("<b>", "<i>full</i>", 2)], "a & b")
    html = str(chart_figure(chart))
    assert "<script>" not in html and "<b>" not in html and "&lt;i&gt;" in html
    _xml(str(bar_chart_svg(chart)))


def test_many_bars_keep_axis_labels_apart() -> None:
    bars = [Bar(f"w{i}", f"week {i}", i % 5) for i in range(104)]
    root = _xml(str(bar_chart_svg(Chart("big", "Two years", "Cramps", bars))))
    labels = [t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("w")]
    assert 5 <= len(labels) <= 11
