"""The generated portfolio each size is measured on, and the URLs of each case."""

import random
import time
from urllib.parse import urlencode

from pagebench.config import (
    ADMIN_SEARCH,
    API_PAGE_SIZE,
    EXPORT_ROWS,
    PORTAL_PROJECTS,
    PROJECT_PAGES,
)


def prepare_portfolio(size, *, seed, backend):
    """Migrate, generate, give one organisation 50 projects; return the people.

    Returns (programme officer, grantee, superuser): the superuser, made here (the
    generator makes none), is who opens the Django admin.
    """
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db.models import Count

    from grants.models import Membership, Project, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_portfolio", projects=size, seed=seed)

    # The programme officer: a generated one, who holds projects.
    officer = User.objects.get(
        pk=Project.objects.order_by("pk").values_list("programme_officer", flat=True)[0]
    )
    officer.groups.add(Group.objects.get(name="Programme officer"))
    superuser = User.objects.create(
        username="bench-admin",
        email="bench-admin@bench.example",
        is_staff=True,
        is_superuser=True,
    )

    # The grantee: the PI of an organisation with exactly 50 projects.
    counts = (
        Project.objects.values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")
    )
    top = counts[0]
    organisation_id = top["organisation"]
    membership = (
        Membership.objects.filter(
            organisation=organisation_id,
            role=Membership.Role.PRINCIPAL_INVESTIGATOR,
            is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        user = User.objects.create(
            username=f"bench-pi-{organisation_id}",
            email=f"bench-pi-{organisation_id}@bench.example",
        )
        membership = Membership.objects.create(
            user=user,
            organisation_id=organisation_id,
            role=Membership.Role.PRINCIPAL_INVESTIGATOR,
        )
    grantee = membership.user
    own = list(
        Project.objects.filter(organisation=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved_out = own[PORTAL_PROJECTS:]
    moved_in = []
    if len(own) < PORTAL_PROJECTS:
        others = list(
            Project.objects.exclude(organisation=organisation_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        moved_in = random.Random(seed).sample(others, PORTAL_PROJECTS - len(own))
    # One save() each, as the application changes a project, so that whatever it
    # keeps beside the project (history, summaries) follows.
    for project in Project.objects.filter(pk__in=own + moved_in):
        if project.pk in moved_out:
            project.organisation_id = counts[1]["organisation"]
        else:
            project.organisation_id = organisation_id
            project.principal_investigator = grantee
        project.save()
    held = Project.objects.filter(organisation=organisation_id).count()
    if held != PORTAL_PROJECTS:
        raise SystemExit(f"The grantee's organisation holds {held} projects.")
    if backend == "postgresql":
        from django.db import connection

        # What autovacuum gives a live database: fresh statistics, and a visibility
        # map so that counts can read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"  portfolio of {size:,} projects ready in {elapsed:,.0f} s")
    return officer, grantee, superuser


def choose_urls(size, superuser):
    """Return {case: [urls]} with filter values that exist in this portfolio.

    Also {case: rows matched} for the filtered and searched cases.
    """
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from grants.filters import ProjectFilter
    from grants.formatting import fiscal_year_of
    from grants.models import Project
    from grants.tables import ProjectTable

    projects_url = reverse("staff:project-list")
    filters = ProjectFilter.base_filters
    for name in ("stage", "fiscal_year", "q"):
        if name not in filters:
            raise SystemExit(f"The projects filter has no {name!r} parameter.")
    released = next(
        (
            name
            for name, column in ProjectTable.base_columns.items()
            if str(column.verbose_name).lower() == "released"
        ),
        "released_total",
    )
    # The commonest stage and fiscal year: a filter with several pages of rows.
    common = (
        Project.objects.values("stage", "fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("-n", "stage", "fiscal_year")[0]
    )
    # A search as a person types it: a word of one organisation's name.
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    middle = Project.objects.select_related("organisation").get(pk=ids[len(ids) // 2])
    word = middle.organisation.name.split()[-1]
    # Project pages: ongoing projects spread over the portfolio.
    ongoing = (
        list(
            Project.objects.filter(status=Project.Status.ONGOING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        or ids
    )
    step = max(1, len(ongoing) // PROJECT_PAGES)
    pages = ongoing[step // 2 :: step][:PROJECT_PAGES]

    urls = {
        "dashboard": [reverse("staff:dashboard")],
        "projects_table": [projects_url],
        "projects_sorted": [f"{projects_url}?{urlencode({'sort': f'-{released}'})}"],
        "projects_filtered": [
            f"{projects_url}?"
            + urlencode(
                {"stage": common["stage"], "fiscal_year": common["fiscal_year"]}
            )
        ],
        "projects_search": [f"{projects_url}?{urlencode({'q': word})}"],
        "project_page": [reverse("staff:project-detail", args=[pk]) for pk in pages],
        "portal_home": [reverse("portal:home")],
        "admin_projects": [reverse("admin:grants_project_changelist")],
        "admin_search": [
            f"{reverse('admin:grants_project_changelist')}?"
            + urlencode({"q": ADMIN_SEARCH})
        ],
    }
    try:
        api_projects = reverse("api:project-list")
    except NoReverseMatch:  # a checkout from before the API
        api_projects = None
    if api_projects is not None:
        # The first page of projects, and this fiscal year's releases as a finance
        # script reconciling them asks for them.
        this_year = fiscal_year_of(timezone.localdate())
        urls["api_projects"] = [
            f"{api_projects}?{urlencode({'page_size': API_PAGE_SIZE})}"
        ]
        urls["api_releases"] = [
            f"{reverse('api:instalment-list')}?"
            + urlencode({"released_in": this_year, "page_size": API_PAGE_SIZE})
        ]
    urls["dashboard_uncached"] = urls["dashboard"]
    urls["projects_table_uncached"] = urls["projects_table"]
    urls["project_page_uncached"] = urls["project_page"]
    urls["portal_home_uncached"] = urls["portal_home"]
    rows = {
        "projects_filtered": common["n"],
        "projects_search": ProjectFilter(
            {"q": word}, queryset=Project.objects.all()
        ).qs.count(),
    }
    matched = admin_result_count(urls["admin_search"][0], superuser)
    if matched is not None:
        rows["admin_search"] = matched
    if size >= EXPORT_ROWS:
        query, rows["export_csv"] = export_filter(size)
        urls["export_csv"] = [
            f"{projects_url}?{urlencode({**query, '_export': 'csv'})}"
        ]
    return urls, rows


def admin_result_count(url, user):
    """Return how many projects the admin's change list at ``url`` matches.

    None when the change list cannot be built outside a request (the case itself
    is still measured, through the client).
    """
    from django.contrib import admin
    from django.test import RequestFactory

    from grants.models import Project

    request = RequestFactory().get(url)
    request.user = user
    model_admin = admin.site.get_model_admin(Project)
    try:
        return model_admin.get_changelist_instance(request).result_count
    except Exception as error:  # noqa: BLE001 - only the "rows matched" column
        print(f"  rows matched by {url} not counted: {error}")
        return None


def export_filter(size):
    """Return the filter (query parameters) nearest to 10,000 rows, and its rows."""
    from django.db.models import Count

    from grants.models import Project

    if size <= EXPORT_ROWS:
        return {}, size
    options = [
        ({"stage": row["stage"]}, row["n"])
        for row in Project.objects.values("stage").annotate(n=Count("pk"))
    ] + [
        ({"fiscal_year": row["fiscal_year"]}, row["n"])
        for row in Project.objects.values("fiscal_year").annotate(n=Count("pk"))
    ]
    return min(options, key=lambda option: (abs(option[1] - EXPORT_ROWS), str(option)))
