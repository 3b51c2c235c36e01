"""Seeding and removing the demo portfolio, idempotently."""

import datetime

from django.db import transaction

from grants.demo.data import DEMO_DATE, REFERENCE_PREFIX, load_data
from grants.demo.loader import DemoLoader
from grants.models import Instalment, Organisation, Project


def demo_projects():
    return Project.objects.filter(reference__startswith=REFERENCE_PREFIX)


def loaded_offset() -> datetime.timedelta | None:
    """How far the loaded demo was shifted from its demo date, or None if absent."""
    anchor = demo_projects().order_by("reference").first()
    if anchor is None:
        return None
    first = load_data()["projects"][0]
    original = Project.objects.get(reference=first["ref"]).sanctioned_on
    return original - first["sanction"]["date"]


def delete_demo():
    """Remove the demo projects and organisations; users stay, with their history."""
    projects = demo_projects()
    Instalment.objects.filter(project__in=projects).update(covering_certificate=None)
    projects.delete()
    Organisation.objects.filter(is_illustrative=True, projects__isnull=True).delete()


@transaction.atomic
def seed(*, as_of: datetime.date | None, today: datetime.date) -> str:
    """Load the demo portfolio, idempotently; return what was done, in words.

    With ``as_of`` the demo is (re)loaded shifted to that date. Without it, an
    existing demo stays as it is, and a new one is loaded as of ``today``.
    """
    current = loaded_offset()
    if as_of is None:
        if current is not None:
            DemoLoader(current).create_staff()
            return (
                f"Demo portfolio already loaded (as of "
                f"{DEMO_DATE + current:%d %b %Y}); nothing changed."
            )
        as_of = today
    offset = as_of - DEMO_DATE
    if current == offset:
        DemoLoader(current).create_staff()
        return f"Demo portfolio already loaded as of {as_of:%d %b %Y}; nothing changed."
    if current is not None:
        delete_demo()
    DemoLoader(offset).load()
    return (
        f"Loaded the demo portfolio as of {as_of:%d %b %Y}: "
        f"{demo_projects().count()} projects."
    )
