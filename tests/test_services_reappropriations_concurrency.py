"""Approvals of re-appropriations at the same moment: the project-row lock.

Two finance officers may approve, together, two requests that take from the same
budget line, or press "approve" on the same request. Each runs in its own thread
with its own database connection, so the transactions really overlap. Only
PostgreSQL has row locks; SQLite serialises whole-database writes, so there is
nothing to show there.

Without the lock, both would read the line before either wrote it: the second
write would overwrite the first (money created from nothing), or the line would be
taken below what it holds.
"""

import datetime
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Sum

from grants import services
from grants.models import BudgetLine, Project, Reappropriation
from grants.services import GrantRuleError
from tests.factories import (
    BudgetLineFactory,
    ProjectFactory,
    ReappropriationFactory,
    StaffUserFactory,
)
from tests.test_services_concurrency import TIMEOUT, in_thread, join

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL row locks (SELECT ... FOR UPDATE); "
        "SQLite locks the whole database.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DECIDED_ON = datetime.date(2026, 11, 22)
ROUNDS = 10
EQUIPMENT = BudgetLine.Head.EQUIPMENT
CONSUMABLES = BudgetLine.Head.CONSUMABLES
TRAVEL = BudgetLine.Head.TRAVEL


@pytest.fixture
def finance_officers():
    group = Group.objects.get(name="Finance officer")
    officers = [StaffUserFactory(), StaffUserFactory()]
    for officer in officers:
        officer.groups.add(group)
    return officers


def project_with_budget():
    """An ongoing Rs 10,00,000 project: equipment year 1 holds Rs 4,00,000."""
    project = ProjectFactory(ongoing=True, sanctioned_amount=1_000_000)
    for head, year, amount in [
        (EQUIPMENT, 1, 400_000),
        (CONSUMABLES, 1, 300_000),
        (CONSUMABLES, 2, 300_000),
    ]:
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)
    return project


def ask(project, *, to_head, amount=300_000):
    return services.request_reappropriation(
        project,
        from_head=EQUIPMENT,
        from_year=1,
        to_head=to_head,
        to_year=2,
        amount=amount,
        reason="Reagents cost more than quoted.",
        requested_on=DECIDED_ON,
        requested_by=project.principal_investigator,
    )


def race(requests, officers):
    """Approve each request in its own thread, all released at once."""
    barrier = threading.Barrier(len(requests))

    def approve(reappropriation, officer):
        barrier.wait(TIMEOUT)
        return services.approve_reappropriation(
            reappropriation, decided_on=DECIDED_ON, decided_by=officer
        )

    attempts = [
        in_thread(approve, reappropriation, officer)
        for reappropriation, officer in zip(requests, officers, strict=True)
    ]
    join(*(thread for thread, _ in attempts))
    return [outcome[0] for _, outcome in attempts]


def amounts(project) -> dict:
    return {
        (line.head, line.project_year): line.amount
        for line in BudgetLine.objects.filter(project=project)
    }


def total(project) -> int:
    return BudgetLine.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]


def test_two_approvals_taking_from_one_line_never_take_it_below_zero(
    finance_officers,
):
    for round_number in range(ROUNDS):
        project = project_with_budget()
        # Together they ask for Rs 6,00,000 of a line holding Rs 4,00,000: the
        # second was asked for on paper before the first was entered, so the
        # request service's own check never saw the two together.
        requests = [
            ask(project, to_head=CONSUMABLES),
            ReappropriationFactory(
                project=project,
                from_head=EQUIPMENT,
                from_year=1,
                to_head=TRAVEL,
                to_year=2,
                amount=300_000,
                needs_finance=True,
            ),
        ]

        outcomes = race(requests, finance_officers)

        winners = [o for o in outcomes if isinstance(o, Reappropriation)]
        refusals = [o for o in outcomes if isinstance(o, GrantRuleError)]
        assert len(winners) == 1, f"round {round_number}: {outcomes!r}"
        assert len(refusals) == 1, f"round {round_number}: {outcomes!r}"
        assert "holds ₹\u00a01,00,000: it cannot give ₹\u00a03,00,000" in " ".join(
            refusals[0].messages
        )
        held = amounts(project)
        assert held[(EQUIPMENT, 1)] == 100_000
        assert min(held.values()) >= 0
        assert total(project) == project.sanctioned_amount
        statuses = sorted(
            Reappropriation.objects.filter(project=project).values_list(
                "status", flat=True
            )
        )
        assert statuses == ["approved", "requested"]


def test_two_approvals_of_one_request_move_the_money_once(finance_officers):
    for round_number in range(ROUNDS):
        project = project_with_budget()
        request = ask(project, to_head=CONSUMABLES, amount=100_000)

        outcomes = race([request, request], finance_officers)

        winners = [o for o in outcomes if isinstance(o, Reappropriation)]
        refusals = [o for o in outcomes if isinstance(o, GrantRuleError)]
        assert len(winners) == 1, f"round {round_number}: {outcomes!r}"
        assert len(refusals) == 1, f"round {round_number}: {outcomes!r}"
        assert refusals[0].messages == [
            "This re-appropriation request was already approved on 22 Nov 2026."
        ]
        held = amounts(project)
        assert held[(EQUIPMENT, 1)] == 300_000
        assert held[(CONSUMABLES, 2)] == 400_000
        assert total(project) == project.sanctioned_amount
        stored = Reappropriation.objects.get(pk=request.pk)
        assert stored.decided_by == winners[0].decided_by
        assert Project.objects.get(pk=project.pk).status == Project.Status.ONGOING
