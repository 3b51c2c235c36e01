"""The illustrative demo portfolio: 11 REE projects, exactly Rs 9,33,00,000.

The data set (``grants/data/demo_portfolio.yaml``) holds what happened up to its
demo date, 22 Nov 2026: sanctions, budget lines, instalments and certificates.
Milestones and reports follow the ministry's reporting cadence (half-yearly
reports due 30 Apr and 30 Oct, annual UCs due 30 Jun after the fiscal year, final
report and UC three months after the end date). Loading ``as_of`` another day
shifts every date by the same number of days, so the overdue and upcoming
examples stay alive.

The package, by concern:

- ``data``: the data set's file and loading, and the events it states in words;
- ``dates``: the milestones planned from each scheme's reporting cadence;
- ``loader``: ``DemoLoader``, which writes the portfolio shifted by an offset;
- ``history``: the reminders the history says were sent before the demo date;
- ``seeding``: ``seed`` and ``delete_demo``, the entry points.

The names other code uses are importable from ``grants.demo`` itself.
"""

from grants.demo.data import DATA_FILE, DEMO_DATE, REFERENCE_PREFIX, load_data
from grants.demo.dates import PlannedMilestone, half_year_periods, plan_milestones
from grants.demo.loader import DemoLoader
from grants.demo.seeding import delete_demo, demo_projects, loaded_offset, seed

__all__ = [
    "DATA_FILE",
    "DEMO_DATE",
    "REFERENCE_PREFIX",
    "DemoLoader",
    "PlannedMilestone",
    "delete_demo",
    "demo_projects",
    "half_year_periods",
    "load_data",
    "loaded_offset",
    "plan_milestones",
    "seed",
]
