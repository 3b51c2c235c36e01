"""The rows of the staff tables, with the annotations their columns read.

A table never queries per row: each ``*_rows()`` prepares every field and
annotation its table shows and sorts on, so a page is a constant number of
queries however many rows it lists. The filters read the same definitions.
"""

import datetime

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import (
    Asset,
    AssetDisposal,
    Committee,
    CommitteeMember,
    Instalment,
    Meeting,
    Milestone,
    Organisation,
    Project,
    Reminder,
    UtilisationCertificate,
    overdue_condition,
)


def open_milestones_first_due():
    return (
        Milestone.objects.open().filter(project=OuterRef("pk")).order_by("due_on", "pk")
    )


def overdue_exists(*, on: datetime.date):
    return Exists(Milestone.objects.overdue(on=on).filter(project=OuterRef("pk")))


def project_rows(queryset=None):
    """Return projects with what the table shows: totals and the next due milestone.

    Annotates ``released_total`` and ``pending_total`` from the project's summary
    (the caller brings summaries up to date first: ``summaries.bring_up_to_date``),
    so sorting by them uses an index; and ``next_due_on`` and ``next_due_title``
    (the earliest pending or returned milestone).

    Every project has a summary (made when it is saved; the generator and the
    nightly task make any missing), but the join is an outer one all the same: to
    count the rows, the database drops it, as it cannot change the count, where an
    inner join would be made over every row. Sorting by the released amount joins
    inner (``ProjectTable.order_released_total``), to walk the summary's index.
    """
    queryset = Project.objects.all() if queryset is None else queryset
    first_due = open_milestones_first_due()
    return (
        queryset.annotate(
            released_total=F("summary__released"),
            pending_total=F("sanctioned_amount") - F("released_total"),
        )
        .annotate(
            next_due_on=Subquery(first_due.values("due_on")[:1]),
            next_due_title=Subquery(first_due.values("title")[:1]),
        )
        .select_related("organisation", "scheme")
    )


def milestone_rows(queryset=None, *, on: datetime.date | None = None):
    """Return milestones with their project, and ``overdue_since`` for sorting.

    ``overdue_since`` is the due date of an overdue milestone, else empty.
    """
    on = on or timezone.localdate()
    queryset = Milestone.objects.all() if queryset is None else queryset
    return queryset.select_related("project__organisation").annotate(
        overdue_since=Case(
            When(overdue_condition(on=on), then=F("due_on")),
            default=None,
            output_field=DateField(),
        )
    )


class InstalmentState:
    RELEASED = "released"
    RECOMMENDED = "recommended"
    DUE = "due"
    PLANNED = "planned"
    LABELS = {
        RELEASED: _("released"),
        RECOMMENDED: _("recommended"),
        DUE: _("due, not released"),
        PLANNED: _("planned"),
    }
    # Sorting follows the pipeline, from the furthest away to paid.
    RANK = {PLANNED: 1, DUE: 2, RECOMMENDED: 3, RELEASED: 4}


def instalment_rows(queryset=None, *, on: datetime.date | None = None):
    """Return instalments with their project, ``state`` and its ``state_rank``."""
    on = on or timezone.localdate()
    queryset = Instalment.objects.all() if queryset is None else queryset
    whens = [
        (Q(released_on__isnull=False), InstalmentState.RELEASED),
        (Q(recommended_on__isnull=False), InstalmentState.RECOMMENDED),
        (Q(planned_on__lte=on), InstalmentState.DUE),
    ]
    return queryset.select_related("project__organisation").annotate(
        state=Case(
            *(When(condition, then=Value(state)) for condition, state in whens),
            default=Value(InstalmentState.PLANNED),
        ),
        state_rank=Case(
            *(
                When(condition, then=Value(InstalmentState.RANK[state]))
                for condition, state in whens
            ),
            default=Value(InstalmentState.RANK[InstalmentState.PLANNED]),
            output_field=IntegerField(),
        ),
    )


def certificate_rows(queryset=None):
    """Return certificates with ``funds_available`` and ``utilisation_permille``.

    Utilisation is expenditure over funds available (GFR 12-A column 6 over
    column 5), in tenths of a percent, rounded down; empty when nothing was
    available.
    """
    queryset = UtilisationCertificate.objects.all() if queryset is None else queryset
    available = (
        F("opening_balance")
        + F("interest_earned")
        - F("interest_remitted")
        + F("grant_received")
    )
    return (
        queryset.select_related("project__organisation")
        .annotate(funds_available=ExpressionWrapper(available, IntegerField()))
        .annotate(
            utilisation_permille=ExpressionWrapper(
                F("expenditure") * 1000 / NullIf(F("funds_available"), 0),
                IntegerField(),
            )
        )
    )


def organisation_rows(queryset=None):
    """Return organisations with ``project_count``, ``sanctioned_total``,
    ``released_total`` and ``pending_total`` over all their projects.

    Each is a subquery per organisation rather than a join with ``GROUP BY``: a
    join through projects to instalments would multiply the sanctioned amounts.
    """
    queryset = Organisation.objects.all() if queryset is None else queryset
    own_projects = (
        Project.objects.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
    )
    released = (
        Instalment.objects.released()
        .filter(project__organisation=OuterRef("pk"))
        .order_by()
        .values("project__organisation")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    count = own_projects.annotate(n=Count("pk")).values("n")
    sanctioned = own_projects.annotate(total=Sum("sanctioned_amount")).values("total")
    return (
        queryset.annotate(
            project_count=Coalesce(Subquery(count), Value(0)),
            sanctioned_total=Coalesce(Subquery(sanctioned), Value(0)),
            released_total=Coalesce(Subquery(released), Value(0)),
        )
        .annotate(pending_total=F("sanctioned_total") - F("released_total"))
        .order_by("name")
    )


def reminder_rows(queryset=None):
    """Return reminders with their milestone, project and rule."""
    queryset = Reminder.objects.all() if queryset is None else queryset
    return queryset.select_related("milestone__project", "rule")


class DisposalState:
    IN_USE = "in_use"
    REQUESTED = "requested"
    DISPOSED = "disposed"
    LABELS = {
        IN_USE: _("on the register"),
        REQUESTED: _("disposal asked"),
        DISPOSED: _("disposed of"),
    }


def asset_rows(queryset=None):
    """Return assets with their project, ``disposal_state`` and ``open_disposal_id``.

    ``disposal_state`` is ``disposed`` once the asset has a disposition or a
    disposal date, ``requested`` while a disposal request awaits the ministry, and
    ``in_use`` otherwise; ``open_disposal_id`` is that waiting request's id.
    """
    queryset = Asset.objects.all() if queryset is None else queryset
    waiting = AssetDisposal.objects.awaiting_decision().filter(asset=OuterRef("pk"))
    return queryset.select_related(
        "project__organisation", "budget_line", "invoice"
    ).annotate(
        open_disposal_id=Subquery(waiting.values("pk")[:1]),
        disposal_state=Case(
            When(
                ~Q(disposition="") | Q(disposed_on__isnull=False),
                then=Value(DisposalState.DISPOSED),
            ),
            When(Exists(waiting), then=Value(DisposalState.REQUESTED)),
            default=Value(DisposalState.IN_USE),
        ),
    )


class _JoinedText(Aggregate):
    """Text values joined with ", " (``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT``
    on SQLite); the order of the parts is the database's."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT")


def _person_name(prefix: str):
    """A user's name as ``User.get_full_name`` writes it, in the database."""
    return Coalesce(
        NullIf(F(f"{prefix}display_name"), Value("")),
        Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"))),
        output_field=CharField(),
    )


def committee_rows(queryset=None, *, on: datetime.date | None = None):
    """Return committees with what their table shows and sorts on.

    ``scheme_names`` (joined), ``chair_name`` and ``secretary_name`` (the active
    seats'), ``member_count`` (active seats), ``meeting_count`` and
    ``next_meeting_on`` (the first meeting on or after ``on``): each a subquery
    per committee, so a page is a constant number of queries.
    """
    on = on or timezone.localdate()
    queryset = Committee.objects.all() if queryset is None else queryset
    schemes = (
        Committee.schemes.through.objects.filter(committee=OuterRef("pk"))
        .order_by()
        .values("committee")
        .annotate(names=_JoinedText("scheme__name"))
        .values("names")
    )
    seats = CommitteeMember.objects.active().filter(committee=OuterRef("pk"))

    def seat_name(role):
        return Subquery(
            seats.filter(role=role)
            .annotate(name=_person_name("user__"))
            .values("name")[:1]
        )

    members = seats.order_by().values("committee").annotate(n=Count("pk")).values("n")
    meetings = Meeting.objects.filter(committee=OuterRef("pk")).order_by()
    meeting_count = meetings.values("committee").annotate(n=Count("pk")).values("n")
    next_meeting = meetings.filter(held_on__gte=on).order_by("held_on", "pk")
    return queryset.annotate(
        scheme_names=Subquery(schemes),
        chair_name=seat_name(CommitteeMember.Role.CHAIR),
        secretary_name=seat_name(CommitteeMember.Role.SECRETARY),
        member_count=Coalesce(Subquery(members), Value(0)),
        meeting_count=Coalesce(Subquery(meeting_count), Value(0)),
        next_meeting_on=Subquery(next_meeting.values("held_on")[:1]),
    )
