"""The demo's milestones, planned from each scheme's reporting cadence."""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.models import Milestone


@dataclass
class PlannedMilestone:
    kind: str
    title: str
    due_on: datetime.date
    months_after_end: int | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    fiscal_year: str = ""
    extra: dict = field(default_factory=dict)


def half_year_periods(start_on, end_on):
    """Yield (start, end, due, label) for each half-year that ends before end_on."""
    if start_on.month >= 10:
        period_start = datetime.date(start_on.year, 10, 1)
    elif start_on.month >= 4:
        period_start = datetime.date(start_on.year, 4, 1)
    else:
        period_start = datetime.date(start_on.year - 1, 10, 1)
    while True:
        period_end = period_start + relativedelta(months=6, days=-1)
        if period_end >= end_on:
            return
        if period_start.month == 4:
            due = datetime.date(period_start.year, 10, 30)
            label = f"Apr–Sep {period_start.year}"
        else:
            due = datetime.date(period_end.year, 4, 30)
            label = f"Oct {period_start.year}–Mar {period_end.year}"
        yield max(period_start, start_on), period_end, due, label
        period_start = period_end + datetime.timedelta(days=1)


def plan_milestones(data: dict, end_on: datetime.date) -> list[PlannedMilestone]:
    """Derive a project's milestones from its scheme's reporting cadence."""
    start_on = data["start"]
    planned = []
    if data["scheme"] == "S&T Programme":
        for period_start, period_end, due, label in half_year_periods(start_on, end_on):
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.PROGRESS_REPORT,
                    f"Half-yearly progress report, {label}",
                    due,
                    period_start=period_start,
                    period_end=period_end,
                )
            )
        for year in range(start_on.year, end_on.year + 1):
            meeting = datetime.date(year, 12, 10)
            if start_on < meeting <= end_on:
                planned.append(
                    PlannedMilestone(
                        Milestone.Kind.REVIEW_MEETING,
                        f"Annual review meeting (PERC), {year}",
                        meeting,
                    )
                )
    else:
        for number, months in ((1, 9), (2, 18)):
            due = start_on + relativedelta(months=months)
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.PROGRESS_REPORT,
                    f"Milestone-{number} report (month {months})",
                    due,
                    period_start=start_on,
                    period_end=due - datetime.timedelta(days=1),
                )
            )
        quarter = 1
        while (meeting := start_on + relativedelta(months=3 * quarter)) < end_on:
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.REVIEW_MEETING,
                    f"Mentor review, quarter {quarter}",
                    meeting,
                )
            )
            quarter += 1
        planned.append(
            PlannedMilestone(
                Milestone.Kind.TECHNICAL_DELIVERABLE,
                "Technical completion",
                end_on,
                months_after_end=0,
                extra={"deliverable": "Pilot demonstrated at the target TRL."},
            )
        )

    releases = [i["released_on"] for i in data["instalments"] if i["released_on"]]
    final_instalment = data["instalments"][-1]
    last_money = max(end_on, final_instalment["released_on"] or end_on)
    fiscal_year = fiscal_year_of(min(releases))
    while fiscal_year != fiscal_year_of(last_money):
        fy_start, fy_end = fiscal_year_bounds(fiscal_year)
        planned.append(
            PlannedMilestone(
                Milestone.Kind.UTILISATION_CERTIFICATE,
                f"Annual UC {fiscal_year} (GFR 12-A)",
                datetime.date(fy_end.year, 6, 30),
                period_start=fy_start,
                period_end=fy_end,
                fiscal_year=fiscal_year,
            )
        )
        fiscal_year = fiscal_year_of(fy_end + datetime.timedelta(days=1))

    planned.append(
        PlannedMilestone(
            Milestone.Kind.FINAL_REPORT,
            "Final technical report",
            end_on + relativedelta(months=3),
            months_after_end=3,
            period_start=start_on,
            period_end=end_on,
        )
    )
    final_uc_due = end_on + relativedelta(months=3)
    months_after_end = 3
    if final_instalment["released_on"]:
        after_release = final_instalment["released_on"] + relativedelta(months=3)
        if after_release > final_uc_due:
            final_uc_due, months_after_end = after_release, None
    planned.append(
        PlannedMilestone(
            Milestone.Kind.UTILISATION_CERTIFICATE,
            "Final UC and audited statement of expenditure",
            final_uc_due,
            months_after_end=months_after_end,
            fiscal_year="final",
        )
    )
    return sorted(planned, key=lambda milestone: milestone.due_on)
