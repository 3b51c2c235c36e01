import pytest

from tests.factories import (
    OrganisationFactory,
    ProjectFactory,
    StaffUserFactory,
    UserFactory,
)


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
