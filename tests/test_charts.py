"""Server-drawn bar charts keep every label and value whole."""

import re

from grants.charts import Bar, bar_chart, text_width


def test_a_long_label_is_drawn_whole_and_the_chart_is_wide_enough_for_it():
    label = "Government R&D laboratories and public-sector units"
    svg = str(bar_chart([Bar(label, 93_300_000, 77_002_000)], title="By kind"))

    assert f">{label.replace('&', '&amp;')}</text>" in svg
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg)[1])
    assert width >= text_width(label) + 200 + text_width("₹ 7.70 crore (82.5%)")


def test_a_share_in_a_chart_follows_the_one_rounding_rule():
    svg = str(bar_chart([Bar("Sanctioned", 3, 2)], title="Money", money=False))
    assert "2 (66.6%)" in svg
