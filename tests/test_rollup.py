"""The dashboard's rollup stays equal to a fresh sum of the portfolio's own rows."""

import datetime
import random
import threading
import zoneinfo
from collections import Counter, defaultdict

import pytest
import time_machine
from django.db import connection

from grants import rollup, summaries
from grants.formatting import fiscal_year_of
from grants.generator import generate_portfolio
from grants.models import (
    Instalment,
    Milestone,
    Organisation,
    PortfolioRollup,
    Project,
    ProjectSummary,
    UtilisationCertificate,
)
from grants.reads import dashboard
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)

ON = datetime.date(2026, 11, 22)
IST = zoneinfo.ZoneInfo("Asia/Kolkata")


def fresh_sums():
    """The dashboard's figures summed afresh from projects, instalments, UCs and
    milestones, as a GROUP BY of the base tables would give them."""
    money = defaultdict(Counter)
    projects = dashboard.with_portfolio_figures(
        Project.objects.select_related("organisation")
    )
    for project in projects:
        figures = Counter(
            projects=1,
            sanctioned=project.sanctioned_amount,
            released=project.released_total,
            expenditure=project.accepted_expenditure,
            unspent=project.unspent_balance,
        )
        for key in (
            ("all", ""),
            ("fiscal_year", project.fiscal_year),
            ("scheme", str(project.scheme_id)),
            ("kind", project.organisation.kind),
            ("stage", project.stage),
            ("status", project.status),
        ):
            money[key].update(figures)
        for field in rollup.TRL_FIELDS:
            money[(field, str(getattr(project, field)))]["projects"] += 1
    for instalment in Instalment.objects.released():
        money[("released_in", fiscal_year_of(instalment.released_on))]["released"] += (
            instalment.amount
        )
    money[("all", "")]["returned"] = Milestone.objects.filter(
        status=Milestone.Status.RETURNED
    ).count()
    return money


def stored_without_the_pipeline():
    return {
        key: {name: amount for name, amount in row.items() if amount}
        for key, row in rollup.stored().items()
        if key[0] != "release_stage"
    }


def as_rows(sums):
    return {
        key: {name: amount for name, amount in row.items() if amount}
        for key, row in sums.items()
        if any(row.values())
    }


def change_something(rng: random.Random, on: datetime.date):
    """One change an officer or a grantee could make, saved as the services save."""
    project = rng.choice(list(Project.objects.all()))
    change = rng.randrange(9)
    if change == 0:
        instalment = project.instalments.filter(released_on__isnull=True).first()
        if instalment:
            instalment.released_on = on - datetime.timedelta(days=rng.randrange(900))
            instalment.release_order_number = f"RO/{rng.randrange(10**6)}"
            instalment.save()
    elif change == 1:
        project.stage = rng.choice(Project.Stage.values)
        project.trl_now = rng.randint(1, 9)
        project.save()
    elif change == 2:
        project.status = rng.choice(Project.Status.values)
        project.closed_on = on if project.status == Project.Status.CLOSED else None
        project.save()
    elif change == 3:
        taken = set(project.certificates.values_list("fiscal_year", flat=True))
        free = [
            datetime.date(year, 3, 31)
            for year in range(2024, 2031)
            if fiscal_year_of(datetime.date(year, 3, 31)) not in taken
        ]
        period_end = rng.choice(free)
        UtilisationCertificateFactory(
            project=project,
            accepted=True,
            kind=rng.choice(UtilisationCertificate.Kind.values),
            expenditure=rng.randrange(0, 20) * 1_00_000,
            period_start=period_end - datetime.timedelta(days=364),
            period_end=period_end,
        )
    elif change == 4:
        milestone = project.milestones.first() or MilestoneFactory(project=project)
        milestone.status = rng.choice(Milestone.OPEN_STATUSES)
        milestone.save()
    elif change == 5:
        organisation = project.organisation
        organisation.kind = rng.choice(Organisation.Kind.values)
        organisation.save()
    elif change == 6:
        project.delete()
    elif change == 7:
        new = ProjectFactory(
            ongoing=True,
            fiscal_year=rng.choice(["2023-24", "2024-25", "2025-26"]),
            sanctioned_amount=rng.randrange(10, 100) * 1_00_000,
        )
        InstalmentFactory(project=new, sequence=1, released=rng.random() < 0.5)
    else:
        released = project.instalments.filter(released_on__isnull=False).last()
        if released:
            released.released_on = None
            released.release_order_number = ""
            released.save()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_a_fresh_sum_of_the_rows_after_random_changes(seed):
    generate_portfolio(projects=25, seed=seed, today=ON)
    rng = random.Random(seed)

    for round_ in range(4):
        for _ in range(8):
            change_something(rng, ON)
        # A reader brings the summaries up to date first, as the dashboard does.
        summaries.bring_up_to_date(on=ON)

        assert rollup.stored() == rollup.from_summaries(), f"round {round_}"
        assert stored_without_the_pipeline() == as_rows(fresh_sums()), f"round {round_}"


@pytest.mark.django_db
def test_the_dashboard_reads_its_figures_from_the_rollup():
    generate_portfolio(projects=12, seed=4, today=ON)
    sums = fresh_sums()

    board = dashboard.build(on=ON)

    assert board.totals.projects == sums[("all", "")]["projects"] == 12
    assert board.totals.released == sums[("all", "")]["released"]
    assert board.totals.unspent == sums[("all", "")]["unspent"]
    by_status = dict(board.breakdowns[4].rows)
    for value, label in Project.Status.choices:
        assert by_status[str(label)].sanctioned == sums[("status", value)]["sanctioned"]
    assert dict(board.released_by_year) == {
        value: row["released"]
        for (dimension, value), row in sums.items()
        if dimension == "released_in"
    }


@pytest.mark.django_db
def test_a_deleted_project_takes_its_figures_out_of_the_rollup():
    kept = ProjectFactory(ongoing=True, sanctioned_amount=10_00_000)
    gone = ProjectFactory(ongoing=True, sanctioned_amount=30_00_000)
    InstalmentFactory(project=gone, sequence=1, amount=5_00_000, released=True)
    summaries.bring_up_to_date(on=ON)

    gone.delete()

    assert rollup.stored()[("all", "")]["sanctioned"] == kept.sanctioned_amount
    assert rollup.stored()[("all", "")]["released"] == 0
    assert rollup.stored() == rollup.from_summaries()


@pytest.mark.django_db
def test_refreshing_a_project_twice_counts_it_once():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, amount=5_00_000, released=True)

    summaries.refresh([project.pk], on=ON)
    summaries.refresh([project.pk], on=ON)

    assert rollup.stored()[("all", "")]["projects"] == 1
    assert rollup.stored()[("all", "")]["released"] == 5_00_000


@pytest.mark.django_db
def test_a_summary_never_refreshed_adds_nothing():
    ProjectFactory(ongoing=True)

    assert ProjectSummary.objects.filter(refreshed_at__isnull=True).exists()
    assert rollup.stored() == {}


@pytest.mark.django_db
# The refresh reads today, as a migrate would: the generated portfolio's today.
@time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=IST), tick=False)
def test_a_database_upgraded_without_a_rollup_has_it_filled_after_migrate():
    generate_portfolio(projects=10, seed=5, today=ON)
    expected = rollup.stored()
    PortfolioRollup.objects.all().delete()
    ProjectSummary.objects.update(released_by_year={}, returned_milestones=0)

    refreshed = summaries.fill_rollup_if_empty()

    assert refreshed == 10
    assert rollup.stored() == expected


@pytest.mark.django_db
def test_nothing_is_filled_after_migrate_when_the_rollup_is_there():
    generate_portfolio(projects=3, seed=6, today=ON)

    assert summaries.fill_rollup_if_empty() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_readers_refreshing_the_same_projects_at_once_count_them_once():
    projects = [ProjectFactory(ongoing=True) for _ in range(6)]
    for project in projects:
        InstalmentFactory(project=project, sequence=1, amount=2_00_000, released=True)
    ids = [project.pk for project in projects]
    start = threading.Barrier(2)
    errors = []

    def refresh():
        try:
            start.wait()
            summaries.refresh(ids, on=ON)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert rollup.stored()[("all", "")]["projects"] == 6
    assert rollup.stored()[("all", "")]["released"] == 12_00_000
    assert rollup.stored() == rollup.from_summaries()
