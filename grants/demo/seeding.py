"""Seeding and removing the demo portfolio, idempotently."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction

from grants.demo.committees import delete_demo_committees
from grants.demo.data import DEMO_DATE, REFERENCE_PREFIX, load_data
from grants.demo.loader import DemoLoader
from grants.models import Instalment, Organisation, Project


def demo_projects():
    return Project.objects.filter(reference__startswith=REFERENCE_PREFIX)


def years_for(day: datetime.date) -> int:
    """The whole years to move the demo by so that its story ends on or before ``day``.

    The latest such move: on 2 Dec 2026 the demo stays at its 22 Nov 2026, and
    "days overdue" count the ten days since; on 22 Nov 2027 it moves one year.
    """
    years = day.year - DEMO_DATE.year
    if DEMO_DATE + relativedelta(years=years) > day:
        years -= 1
    return years


def loaded_years() -> int | None:
    """How many years the loaded demo was moved from its demo date, or None."""
    first = load_data()["projects"][0]
    project = demo_projects().filter(reference=first["ref"]).first()
    if project is None:
        return None
    return project.sanctioned_on.year - first["sanction"]["date"].year


def delete_demo():
    """Remove the demo projects and organisations; users stay, with their history."""
    delete_demo_committees()
    projects = demo_projects()
    Instalment.objects.filter(project__in=projects).update(covering_certificate=None)
    projects.delete()
    Organisation.objects.filter(is_illustrative=True, projects__isnull=True).delete()


def _story_day(years: int) -> str:
    return f"{DEMO_DATE + relativedelta(years=years):%d %b %Y}"


@transaction.atomic
def seed(*, as_of: datetime.date | None, today: datetime.date) -> str:
    """Load the demo portfolio, idempotently; return what was done, in words.

    With ``as_of`` the demo is (re)loaded for that day; without it, an existing
    demo stays as it is and a new one is loaded for ``today``. Either way its
    dates move by whole years only (``years_for``).
    """
    current = loaded_years()
    if as_of is None and current is not None:
        DemoLoader(current).create_staff()
        return (
            f"Demo portfolio already loaded (its story up to {_story_day(current)}); "
            f"nothing changed."
        )
    years = years_for(as_of or today)
    if current == years:
        DemoLoader(current).create_staff()
        return (
            f"Demo portfolio already loaded (its story up to {_story_day(years)}); "
            f"nothing changed."
        )
    if current is not None:
        delete_demo()
    DemoLoader(years).load()
    return (
        f"Loaded the demo portfolio, its story up to {_story_day(years)}: "
        f"{demo_projects().count()} projects."
    )
