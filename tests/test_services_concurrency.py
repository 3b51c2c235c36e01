"""Releases at the same moment: the project-row lock in release_instalment.

Two finance officers may press "release" on the same instalment together. Each
request runs in its own thread with its own database connection, so the two
transactions really overlap. Only PostgreSQL has row locks; SQLite serialises
whole-database writes, so there is nothing to show there.

Why the same instalment: releases must go in sequence order, so at any moment a
project has exactly one releasable instalment, and the sanction ceiling can only
be raced through it. Without the lock, both transactions would read it as
unreleased, and the second UPDATE would overwrite the first release.
"""

import datetime
import threading

import pytest
from django.db import OperationalError, connection, transaction

from grants import services
from grants.models import Instalment, Project
from grants.services import GrantRuleError
from tests.factories import (
    InstalmentFactory,
    ProjectFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL row locks (SELECT ... FOR UPDATE); "
        "SQLite locks the whole database.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RELEASED_ON = datetime.date(2024, 6, 2)
SECOND_RELEASED_ON = datetime.date(2025, 6, 2)
ROUNDS = 20
TIMEOUT = 20  # seconds; a thread still waiting after this has deadlocked


def in_thread(target, *args):
    """Run ``target`` in a thread with its own connection; return thread and outcome.

    The outcome list receives the return value, or the exception raised.
    """
    outcome = []

    def run():
        try:
            outcome.append(target(*args))
        except Exception as error:  # reported to the test
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def join(*threads):
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a release thread is stuck"


def released_total(project):
    return sum(
        Instalment.objects.released()
        .filter(project=project)
        .values_list("amount", flat=True)
    )


@pytest.fixture
def first_instalment():
    """Instalment 1 (Rs 6,00,000) of a project sanctioned for Rs 10,00,000."""
    project = ProjectFactory(sanctioned_amount=1_000_000)
    return InstalmentFactory(project=project, sequence=1, amount=600_000)


@pytest.fixture
def second_instalment():
    """Instalment 2 (Rs 6,00,000) of an ongoing Rs 10,00,000 project.

    Instalment 1 (Rs 4,00,000) went out on 02 Jun 2024 and an accepted UC covers
    it, so releasing instalment 2 does not write to the project row: any lock on
    that row is the service's own.
    """
    project = ProjectFactory(ongoing=True, sanctioned_amount=1_000_000)
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=400_000,
        planned_on=RELEASED_ON,
        released=True,
    )
    UtilisationCertificateFactory(
        project=project, accepted=True, grant_received=400_000, expenditure=350_000
    )
    return InstalmentFactory(project=project, sequence=2, amount=600_000)


def release_second(instalment, order_number, officer):
    return services.release_instalment(
        instalment,
        released_on=SECOND_RELEASED_ON,
        release_order_number=order_number,
        released_by=officer,
    )


def test_two_simultaneous_releases_of_one_instalment_let_exactly_one_through(
    first_instalment,
):
    officers = [StaffUserFactory(), StaffUserFactory()]
    project = first_instalment.project

    for round_number in range(ROUNDS):
        barrier = threading.Barrier(2)

        def release(index, barrier=barrier, round_number=round_number):
            barrier.wait(TIMEOUT)
            return services.release_instalment(
                first_instalment,
                released_on=RELEASED_ON,
                release_order_number=f"MoM/RO/{round_number}/{index}",
                released_by=officers[index],
            )

        attempts = [in_thread(release, index) for index in range(2)]
        join(*(thread for thread, _ in attempts))

        outcomes = [outcome[0] for _, outcome in attempts]
        winners = [o for o in outcomes if isinstance(o, Instalment)]
        refusals = [o for o in outcomes if isinstance(o, GrantRuleError)]
        assert len(winners) == 1, f"round {round_number}: {outcomes!r}"
        assert len(refusals) == 1, f"round {round_number}: {outcomes!r}"
        assert "already released on 02 Jun 2024" in " ".join(refusals[0].messages)
        # The winner's release stands: the loser did not overwrite it.
        stored = Instalment.objects.get(pk=first_instalment.pk)
        assert stored.release_order_number == winners[0].release_order_number
        assert stored.released_by == winners[0].released_by
        assert released_total(project) == 600_000 <= project.sanctioned_amount
        assert Project.objects.get(pk=project.pk).status == Project.Status.ONGOING

        Instalment.objects.filter(pk=first_instalment.pk).update(
            released_on=None, release_order_number="", released_by=None
        )
        Project.objects.filter(pk=project.pk).update(status=Project.Status.SANCTIONED)


def test_a_second_release_waits_for_the_first_to_commit_and_then_sees_it(
    second_instalment,
):
    inside = threading.Event()
    finish = threading.Event()
    officer, other_officer = StaffUserFactory(), StaffUserFactory()

    def first_release():
        with transaction.atomic():
            release_second(second_instalment, "MoM/RO/2025/17", officer)
            inside.set()
            assert finish.wait(TIMEOUT)

    first, first_outcome = in_thread(first_release)
    try:
        assert inside.wait(TIMEOUT), f"first release failed: {first_outcome!r}"
        second, second_outcome = in_thread(
            release_second, second_instalment, "MoM/RO/2025/18", other_officer
        )
        # The second is held at the project lock while the first is uncommitted.
        second.join(1)
        assert second.is_alive(), f"second release did not wait: {second_outcome!r}"
    finally:
        finish.set()
    join(first, second)

    assert first_outcome == [None]
    [refusal] = second_outcome
    assert isinstance(refusal, GrantRuleError), refusal
    assert "already released on 02 Jun 2025 (order MoM/RO/2025/17)" in " ".join(
        refusal.messages
    )
    stored = Instalment.objects.get(pk=second_instalment.pk)
    assert stored.release_order_number == "MoM/RO/2025/17"
    assert stored.released_by == officer
    assert released_total(stored.project) == 1_000_000


def test_the_project_row_stays_locked_until_the_release_commits(second_instalment):
    inside = threading.Event()
    finish = threading.Event()
    project = second_instalment.project
    officer = StaffUserFactory()

    def hold_release_open():
        with transaction.atomic():
            release_second(second_instalment, "MoM/RO/2025/17", officer)
            inside.set()
            assert finish.wait(TIMEOUT)

    holder, outcome = in_thread(hold_release_open)
    try:
        assert inside.wait(TIMEOUT), f"release failed: {outcome!r}"
        # A plain read still sees the instalment unreleased: reading alone cannot
        # tell a second release that the first is under way. The lock can.
        assert not Instalment.objects.get(pk=second_instalment.pk).is_released
        with pytest.raises(OperationalError), transaction.atomic():
            Project.objects.select_for_update(nowait=True).get(pk=project.pk)
    finally:
        finish.set()
    join(holder)

    assert outcome == [None]
    with transaction.atomic():
        Project.objects.select_for_update(nowait=True).get(pk=project.pk)
    assert Instalment.objects.get(pk=second_instalment.pk).is_released
