"""The illustrative demo portfolio: 11 REE projects, exactly Rs 9,33,00,000.

The data set (``grants/data/demo_portfolio.yaml``) holds what happened up to its
demo date, 22 Nov 2026: sanctions, budget lines, instalments and certificates.
Milestones and reports follow the ministry's reporting cadence (half-yearly
reports due 30 Apr and 30 Oct, annual UCs due 30 Jun after the fiscal year, final
report and UC three months after the end date). Loaded on a later day, every
date moves by whole years (``years_for``), so fiscal years and half-years keep
their boundaries; "days overdue" then count from the real date.

The package, by concern:

- ``data``: the data set's file and loading, and the events it states in words;
- ``dates``: the milestones planned from each scheme's reporting cadence;
- ``loader``: ``DemoLoader``, which writes the portfolio moved by whole years;
- ``history``: the reminders the history says were sent before the demo date;
- ``seeding``: ``seed`` and ``delete_demo``, the entry points.

The names other code uses are importable from ``grants.demo`` itself.
"""

from grants.demo.data import DATA_FILE, DEMO_DATE, REFERENCE_PREFIX, load_data
from grants.demo.dates import PlannedMilestone, half_year_periods, plan_milestones
from grants.demo.loader import DemoLoader
from grants.demo.seeding import (
    delete_demo,
    demo_projects,
    loaded_years,
    seed,
    years_for,
)

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
    "loaded_years",
    "plan_milestones",
    "seed",
    "years_for",
]
