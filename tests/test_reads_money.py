import datetime

import pytest

from grants.models import BudgetLine
from grants.reads.money import budget_table, project_finance
from tests.factories import BudgetLineFactory, InstalmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = ProjectFactory(start_on=datetime.date(2024, 4, 1))
    BudgetLineFactory(project=project, head=BudgetLine.Head.EQUIPMENT, amount=900_000)
    BudgetLineFactory(project=project, head=BudgetLine.Head.MANPOWER, amount=300_000)
    BudgetLineFactory(
        project=project,
        head=BudgetLine.Head.MANPOWER,
        project_year=2,
        amount=400_000,
    )
    return project


def test_the_grantees_budget_table_pivots_heads_by_project_year(project):
    table = budget_table(list(project.budget_lines.all()))

    assert table["years"] == [1, 2]
    assert [(row["head"], row["cells"]) for row in table["rows"]] == [
        ("manpower", [300_000, 400_000]),
        ("equipment", [900_000, None]),
    ]
    assert table["totals"] == [1_200_000, 400_000]
    assert table["grand_total"] == 1_600_000


def test_staff_see_the_same_budget_as_the_grantee_over_every_year_money_moved(
    project,
):
    # A release in project year 3, where nothing is budgeted, adds a column.
    instalment = InstalmentFactory(
        project=project,
        sequence=1,
        released_on=datetime.date(2026, 5, 1),
        release_order_number="RO/1",
    )
    lines = list(project.budget_lines.all())

    finance = project_finance(
        project, budget_lines=lines, instalments=[instalment], certificates=[]
    )

    assert finance.years == [1, 2, 3]
    assert [(row.label, row.cells, row.total) for row in finance.heads] == [
        ("manpower", [300_000, 400_000, 0], 700_000),
        ("equipment", [900_000, 0, 0], 900_000),
    ]
    assert finance.budget.cells == [1_200_000, 400_000, 0]
    assert finance.budget.total == budget_table(lines)["grand_total"]
    assert finance.released.cells == [0, 0, instalment.amount]
