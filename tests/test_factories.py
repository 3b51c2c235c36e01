import pytest

from tests.factories import (
    DocumentFactory,
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    ProgressReportFactory,
    ReminderFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


def test_every_factory_builds_a_row_that_passes_full_clean():
    for factory in (
        DocumentFactory,
        ExtensionFactory,
        InstalmentFactory,
        MembershipFactory,
        ProgressReportFactory,
        ReminderFactory,
        UtilisationCertificateFactory,
    ):
        obj = factory()
        obj.full_clean()
    InstalmentFactory(released=True)
    UtilisationCertificateFactory(accepted=True)
