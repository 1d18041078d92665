"""The benchmark report's own arithmetic and the matching bench's NHS Numbers (no services)."""

import itertools
from xml.etree import ElementTree

from bench.chart import line_chart_svg
from bench.matching import nhs_numbers_for_bench
from bench.report import page_write
from bench.results import BenchResult, Figure
from caregraph.identifiers import nhs_number_normalise


def test_a_ratio_goal_is_met_at_or_under_it_and_missed_above():
    assert Figure("f", value=2.0, unit="ms", baseline=1.0, goal=2.0, goal_kind="ratio").met
    assert Figure("f", value=2.1, unit="ms", baseline=1.0, goal=2.0, goal_kind="ratio").met is False


def test_a_max_goal_judges_the_value_itself():
    assert Figure("f", value=9.9, unit="ms", baseline=50.0, goal=10.0, goal_kind="max").met
    assert Figure("f", value=12.0, unit="ms", goal=10.0, goal_kind="max").met is False


def test_a_figure_without_a_goal_is_not_judged():
    assert Figure("f", value=1.0, unit="ms", baseline=1.0).met is None


def test_the_page_says_by_how_much_a_goal_is_missed():
    result = BenchResult(
        bench="matching",
        settings="10 people",
        figures=[Figure("match p95", value=30.0, unit="ms", goal=10.0, goal_kind="max")],
    )
    page = page_write({"matching": result}, {"matching": (0, 5.0)})
    assert "| match p95 | 30.0 ms |" in page
    assert "**no**, 3.0x the goal" in page
    assert "- match p95: 30.0 ms, 3.0x the goal" in page


def test_the_chart_is_well_formed_svg_with_a_line_per_series():
    svg = line_chart_svg(
        title="t",
        x_label="members",
        y_label="ms",
        xs=[10, 100, 500],
        series={"Caregraph": [1.0, 2.0, 4.0], "relay": [0.5, 1.0, float("nan")]},
    )
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [3, 2]


def test_the_bench_has_a_million_distinct_valid_nhs_numbers():
    numbers = list(itertools.islice(nhs_numbers_for_bench(), 1_000_000))
    assert len(set(numbers)) == 1_000_000
    for number in numbers[::997] + numbers[-3:]:
        assert nhs_number_normalise(number) == number
