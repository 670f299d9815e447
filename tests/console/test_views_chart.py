"""The Integrations chart: well-formed SVG with its totals, hours in the business's zone, an accessible
name, failures marked by more than colour, and a drawing even when nothing happened."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from application.console.commands import HourCount
from entrypoints.web.console.chart import ChartWords, delivery_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"
SINCE = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
WORDS = ChartWords(
    title="Deliveries and failures, last 24 hours",
    description="37 deliveries & 4 failures",
    delivered="Deliveries",
    failed="Failures",
    hour_title="%(hour)s: %(delivered)s deliveries, %(failed)s failures",
)


def _parse(svg: object) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own drawing, not untrusted input


def _hours(counts: dict[int, tuple[int, int]] | None = None) -> list[HourCount]:
    counts = counts or {}
    return [HourCount(SINCE + timedelta(hours=i), *counts.get(i, (0, 0))) for i in range(24)]


def _texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_the_chart_is_well_formed_svg_named_and_described_by_its_totals() -> None:
    svg = _parse(delivery_chart(_hours({0: (30, 0), 5: (7, 4)}), PARIS, WORDS))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.text, desc.text) == (WORDS.title, "37 deliveries & 4 failures")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style" not in str(delivery_chart(_hours(), PARIS, WORDS))


def test_each_hour_says_its_numbers_and_failures_are_written_above_their_striped_bars() -> None:
    svg = _parse(delivery_chart(_hours({5: (7, 4)}), PARIS, WORDS))
    tips = [g.find(f"{SVG}title") for g in svg.iter(f"{SVG}g")]
    assert [t.text for t in tips if t is not None][5] == "17:00: 7 deliveries, 4 failures"  # 15:00 UTC
    assert "4" in _texts(svg)
    assert svg.find(f".//{SVG}pattern") is not None
    assert any((r.get("fill") or "").startswith("url(#") for r in svg.iter(f"{SVG}rect"))


def test_the_hour_axis_is_labelled_in_the_businesss_time_zone() -> None:
    svg = _parse(delivery_chart(_hours(), PARIS, WORDS))
    labels = [t for t in _texts(svg) if ":" in t]
    assert labels[:3] == ["12:00", "15:00", "18:00"]  # 10:00 UTC is noon in Paris in June
    assert labels[-1] == "11:00"


def test_an_empty_day_still_draws_its_axes_and_legend() -> None:
    svg = _parse(delivery_chart(_hours(), PARIS, WORDS))
    assert {"Deliveries", "Failures", "0", "1"} <= set(_texts(svg))
    assert len(list(svg.iter(f"{SVG}line"))) >= 2
    assert _parse(delivery_chart([], PARIS, WORDS)).get("role") == "img"


def test_texts_are_escaped_and_numbers_formatted_as_asked() -> None:
    words = ChartWords("<b>", "a & b", "D", "F", "%(hour)s %(delivered)s %(failed)s")
    svg = _parse(delivery_chart(_hours({0: (1234, 0)}), PARIS, words, number="{:,}".format))
    assert svg.find(f"{SVG}title").text == "<b>"  # type: ignore[union-attr]
    assert "2,000" in _texts(svg)


def test_the_count_axis_tops_out_at_a_round_number() -> None:
    assert [nice_ceiling(n) for n in (0, 1, 2, 3, 7, 11, 49, 51, 999)] == [1, 1, 2, 5, 10, 20, 50, 100, 1000]
