"""The change history names people and rows, never bare ids."""

import datetime

import pytest

from grants import services
from grants.reads.history import project_history
from tests.factories import (
    InstalmentFactory,
    ProjectFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


def test_a_release_names_who_released_it_and_the_certificate_that_covers_it():
    project = ProjectFactory(ongoing=True, sanctioned_amount=6_000_000)
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 6, 2),
        released=True,
    )
    second = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2025, 6, 1)
    )
    UtilisationCertificateFactory(project=project, accepted=True)
    finance = StaffUserFactory(display_name="Ms F. Officer")
    services.release_instalment(
        second,
        released_on=datetime.date(2025, 6, 10),
        release_order_number="MoM/RO/2025/17",
        released_by=finance,
    )

    entries, _total = project_history(project)

    release = next(
        entry
        for entry in entries
        if entry.what == "Instalment 2" and entry.reason.startswith("Released")
    )
    shown = {change.field: change.new for change in release.changes}
    assert shown["released by"] == "Ms F. Officer"
    assert shown["covering certificate"] == "Annual UC 2024-25"
    assert not any(value.startswith("#") for value in shown.values())
