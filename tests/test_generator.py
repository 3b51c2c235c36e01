import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from grants.generator import generate_portfolio
from grants.models import (
    BudgetLine,
    Instalment,
    Milestone,
    Organisation,
    Project,
    User,
    UtilisationCertificate,
)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def portfolio_shape():
    """What a generated portfolio holds, without its database ids."""
    projects = list(
        Project.objects.order_by("reference").values_list(
            "reference", "sanctioned_amount", "stage", "status", "sanctioned_on"
        )
    )
    milestones = list(
        Milestone.objects.order_by("project__reference", "due_on", "title").values_list(
            "project__reference", "title", "due_on", "status"
        )
    )
    money = list(
        Instalment.objects.order_by("project__reference", "sequence").values_list(
            "project__reference", "amount", "released_on"
        )
    )
    return projects, milestones, money


def test_a_generated_portfolio_has_everything_under_each_project():
    counts = generate_portfolio(projects=40, seed=7, today=TODAY)

    assert counts.projects == Project.objects.count() == 40
    assert counts.organisations == 8
    assert counts.milestones == 12 * 40
    assert counts.instalments == 3 * 40
    assert 9 <= counts.budget_lines / 40 <= 13
    assert counts.certificates > 40
    assert counts.reports > 40


def test_generated_money_adds_up_like_a_real_sanction():
    generate_portfolio(projects=40, seed=7, today=TODAY)

    for project in Project.objects.all():
        budget = project.budget_lines.aggregate(total=Sum("amount"))["total"]
        planned = project.instalments.aggregate(total=Sum("amount"))["total"]
        assert budget == planned == project.sanctioned_amount, project.reference
    for uc in UtilisationCertificate.objects.all():
        assert uc.closing_balance == uc.total_available - uc.expenditure


def test_generated_records_are_marked_illustrative():
    generate_portfolio(projects=10, seed=7, today=TODAY)

    assert all(p.reference.startswith("GEN-7-") for p in Project.objects.all())
    assert not Organisation.objects.filter(is_illustrative=False).exists()


def test_generated_portfolio_spreads_like_real_life_and_has_overdue_items():
    generate_portfolio(projects=300, seed=11, today=TODAY)

    stages = set(Project.objects.values_list("stage", flat=True))
    assert stages == set(Project.Stage.values)
    statuses = set(Project.objects.values_list("status", flat=True))
    assert {Project.Status.ONGOING, Project.Status.COMPLETED} <= statuses
    assert Milestone.objects.overdue(on=TODAY).exists()
    fiscal_years = set(Project.objects.values_list("fiscal_year", flat=True))
    assert len(fiscal_years) >= 5


def test_the_same_seed_generates_the_same_portfolio():
    generate_portfolio(projects=25, seed=21, today=TODAY)
    first = portfolio_shape()
    Instalment.objects.all().delete()
    BudgetLine.objects.all().delete()
    Project.objects.all().delete()
    Organisation.objects.all().delete()
    User.objects.filter(username__startswith="gen21-").delete()

    generate_portfolio(projects=25, seed=21, today=TODAY)

    assert portfolio_shape() == first


def test_another_seed_generates_another_portfolio():
    generate_portfolio(projects=25, seed=21, today=TODAY)
    first = portfolio_shape()[0]
    generate_portfolio(projects=25, seed=22, today=TODAY)
    assert [row[1:] for row in first] != [
        row[1:] for row in portfolio_shape()[0] if row[0].startswith("GEN-22-")
    ]


def test_rows_created_after_generating_get_fresh_ids():
    generate_portfolio(projects=5, seed=3, today=TODAY)
    highest = Project.objects.order_by("-pk").first().pk

    assert ProjectFactory().pk > highest


def test_generating_the_same_seed_twice_is_refused():
    generate_portfolio(projects=3, seed=4, today=TODAY)
    with pytest.raises(CommandError, match="already loaded"):
        call_command("generate_portfolio", "--projects", "3", "--seed", "4")
    assert Project.objects.count() == 3


def test_the_command_reports_what_it_generated():
    out = StringIO()
    call_command("generate_portfolio", "--projects", "6", "--seed", "9", stdout=out)
    assert "Generated 6 projects" in out.getvalue()
