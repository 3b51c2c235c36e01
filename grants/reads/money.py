"""One project's money, as the staff project page and the portal show it.

Computed from rows the page has already fetched, so neither costs a query.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from grants.models import BudgetLine, GFRComponent, Project, UtilisationCertificate


def project_year_of(project: Project, day: datetime.date) -> int:
    """The project year (from 1) a date falls in, counted from the start date."""
    start = project.start_on
    months = (day.year - start.year) * 12 + day.month - start.month
    if day.day < start.day:
        months -= 1
    return max(months // 12 + 1, 1)


@dataclass
class FinanceRow:
    label: str
    cells: list
    total: int


@dataclass
class ProjectFinance:
    """The money of one project, from rows already fetched (no query)."""

    years: list[int]
    heads: list[FinanceRow]
    budget: FinanceRow
    released: FinanceRow
    expenditure: FinanceRow
    components: list[dict]
    certificates: list
    interest_earned: int
    interest_remitted: int

    @property
    def interest_unremitted(self) -> int:
        return self.interest_earned - self.interest_remitted


def _row(label, by_year, years) -> FinanceRow:
    cells = [by_year.get(year, 0) for year in years]
    return FinanceRow(label, cells, sum(cells))


def project_finance(project: Project, *, budget_lines, instalments, certificates):
    """Budget by head and project year against releases and reported expenditure.

    Releases count in the project year of their release date, and an accepted
    annual or final UC's expenditure in the project year its period ends in.
    """
    accepted = [
        uc
        for uc in certificates
        if uc.status == UtilisationCertificate.Status.ACCEPTED
        and uc.kind != UtilisationCertificate.Kind.PROVISIONAL
    ]
    released_by_year, spent_by_year = {}, {}
    for instalment in instalments:
        if instalment.released_on:
            year = project_year_of(project, instalment.released_on)
            released_by_year[year] = released_by_year.get(year, 0) + instalment.amount
    for uc in accepted:
        year = project_year_of(project, uc.period_end)
        spent_by_year[year] = spent_by_year.get(year, 0) + uc.expenditure
    budget_years = {line.project_year for line in budget_lines}
    years = sorted({*budget_years, *released_by_year, *spent_by_year}) or [1]
    # The same pivot the grantee sees, over every year money moved in.
    pivot = budget_table(budget_lines, years=years)
    heads = [
        FinanceRow(str(row["head"]), [cell or 0 for cell in row["cells"]], row["total"])
        for row in pivot["rows"]
    ]

    components = []
    spent_field = {
        GFRComponent.GENERAL: "expenditure_general",
        GFRComponent.SALARY: "expenditure_salary",
        GFRComponent.CAPITAL_ASSETS: "expenditure_capital",
    }
    for component, label in GFRComponent.choices:
        budget = sum(
            line.amount
            for line in budget_lines
            if BudgetLine.Head(line.head).gfr_component == component
        )
        reported = [getattr(uc, spent_field[component]) for uc in accepted]
        components.append(
            {
                "label": str(label),
                "budget": budget,
                "spent": sum(value or 0 for value in reported),
                "unreported": sum(1 for value in reported if value is None),
            }
        )
    return ProjectFinance(
        years=years,
        heads=heads,
        budget=FinanceRow(_("Budget"), pivot["totals"], pivot["grand_total"]),
        released=_row(_("Released"), released_by_year, years),
        expenditure=_row(_("Expenditure in accepted UCs"), spent_by_year, years),
        components=components,
        certificates=accepted,
        interest_earned=sum(uc.interest_earned for uc in accepted),
        interest_remitted=sum(uc.interest_remitted for uc in accepted),
    )


def budget_table(lines, *, years=None):
    """Pivot budget lines into rows by head and columns by project year.

    ``years`` gives the columns (by default the years the lines are for); a head
    with nothing in a year has ``None`` in that cell.
    """
    years = sorted({line.project_year for line in lines}) if years is None else years
    amounts = defaultdict(dict)
    for line in lines:
        amounts[line.head][line.project_year] = line.amount
    rows = []
    for head in BudgetLine.Head:
        if head.value not in amounts:
            continue
        cells = [amounts[head.value].get(year) for year in years]
        rows.append(
            {
                "head": head.label,
                "component": head.gfr_component.label,
                "cells": cells,
                "total": sum(cell or 0 for cell in cells),
            }
        )
    totals = [
        sum(line.amount for line in lines if line.project_year == y) for y in years
    ]
    return {
        "years": years,
        "rows": rows,
        "totals": totals,
        "grand_total": sum(totals),
    }
