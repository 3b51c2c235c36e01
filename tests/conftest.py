import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation

from grants import demo
from grants.models import Membership
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    StaffUserFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever the test before it read.

    The locale middleware activates the language of each request and leaves it
    active in the thread, as Django does; a test after a Hindi page would otherwise
    run in Hindi.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Keep tests fast, offline and away from the developer's var/ folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # The production configuration redirects to HTTPS; the test client speaks HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Tests of the second factor and of the lockout switch these on themselves.
    settings.KHANIJ_STAFF_2FA_REQUIRED = False
    settings.AXES_ENABLED = False
    # Cached page parts live as long as the test: a fresh in-memory cache each,
    # never the folder the developer's own server (or a parallel run) shares.
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pages-{tmp_path.name}",
        },
    }


@pytest.fixture
def demo_morning():
    """Today is the demo date, 22 Nov 2026, 10:00 IST, and the clock stands still.

    Tests that count days (overdue, waiting, resubmission dates) use it through
    ``pytest.mark.usefixtures("demo_morning")``.
    """
    moment = datetime.datetime(
        2026, 11, 22, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
    )
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def finance_user(db):
    return StaffUserFactory(username="finance-officer")


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def programme_officer(db):
    """A staff user in the Programme officer group."""
    user = StaffUserFactory(username="po")
    user.groups.add(Group.objects.get(name="Programme officer"))
    return user


@pytest.fixture
def finance_officer(db):
    """A staff user in the Finance officer group."""
    user = StaffUserFactory(username="fo-ministry")
    user.groups.add(Group.objects.get(name="Finance officer"))
    return user


@pytest.fixture
def grantee(db, organisation):
    """The principal investigator of ``organisation``."""
    return MembershipFactory(
        organisation=organisation, role=Membership.Role.PRINCIPAL_INVESTIGATOR
    ).user


DEMO_DATE = datetime.date(2026, 11, 22)


@pytest.fixture
def demo_portfolio(db):
    """The demo portfolio as of its demo date, 22 Nov 2026."""
    demo.seed(as_of=DEMO_DATE, today=DEMO_DATE)
    return DEMO_DATE
