"""What a committee member reads: their meetings' agendas, and one item's papers.

Nothing here decides who may open an item: that is ``AgendaItem.objects.open_to``,
and every function takes items already found through it (or the user, and asks it).
The reviewer's pages (``grants/views/review/``) and the staff meeting page read the
same papers, each in a fixed number of queries whatever the agenda's length.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Subquery

from grants.models import (
    AgendaItem,
    ConflictDeclaration,
    Document,
    Meeting,
    ProgressReport,
    Project,
    Score,
    UtilisationCertificate,
)


class ItemStatus:
    """Where a member stands on an item, from first to last."""

    DECLARE_FIRST = "declare_first"
    DECLARED_NONE = "declared_none"
    SCORED = "scored"
    RECOMMENDED = "recommended"


def paper_items(queryset=None):
    """Agenda items with the rows their heading and papers name, in one query."""
    queryset = AgendaItem.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "meeting__committee",
        "project__organisation",
        "project__scheme",
        "extension",
        "reappropriation",
        "instalment",
        "recommendation",
    )


def latest_report(project: Project) -> ProgressReport | None:
    """The project's most recently submitted progress report, whatever its status."""
    return (
        ProgressReport.objects.filter(milestone__project=project)
        .select_related("milestone")
        .order_by("-submitted_on", "-version", "-pk")
        .first()
    )


def report_documents(project: Project, report: ProgressReport | None):
    """The files attached to the report (none without one): what a member may fetch."""
    if report is None:
        return Document.objects.none()
    return Document.objects.filter(project=project, report=report).order_by("pk")


@dataclass
class ItemPapers:
    """An item's papers: the project's facts, its latest report, its certificates."""

    item: AgendaItem
    project: Project
    report: ProgressReport | None
    documents: list[Document] = field(default_factory=list)
    certificates: list[UtilisationCertificate] = field(default_factory=list)

    @property
    def extension(self):
        return self.item.extension

    @property
    def reappropriation(self):
        return self.item.reappropriation

    @property
    def instalment(self):
        return self.item.instalment


def item_papers(item: AgendaItem) -> ItemPapers:
    """The papers of an item fetched through ``paper_items``: three queries at most."""
    project = item.project
    report = latest_report(project)
    return ItemPapers(
        item=item,
        project=project,
        report=report,
        documents=list(report_documents(project, report)),
        certificates=list(
            UtilisationCertificate.objects.filter(project=project).order_by(
                "period_start", "pk"
            )
        ),
    )


# The member's agenda ------------------------------------------------------------------


@dataclass
class AgendaLine:
    item: AgendaItem
    status: str


@dataclass
class MeetingAgenda:
    meeting: Meeting
    lines: list[AgendaLine]
    closed: int  # items of the meeting the member takes no part in


@dataclass
class MemberAgenda:
    upcoming: list[MeetingAgenda]
    past: list[MeetingAgenda]

    def __bool__(self) -> bool:
        return bool(self.upcoming or self.past)


def status_of(item: AgendaItem) -> str:
    """The member's status on an item annotated by ``member_agenda``."""
    if getattr(item, "has_recommendation", False):
        return ItemStatus.RECOMMENDED
    if item.has_scored:
        return ItemStatus.SCORED
    if item.declared == ConflictDeclaration.Conflict.NONE:
        return ItemStatus.DECLARED_NONE
    return ItemStatus.DECLARE_FIRST


def member_agenda(user, *, on: datetime.date) -> MemberAgenda:
    """The user's meetings, upcoming (soonest first) then past (latest first).

    Each with the items open to the user and the count of the others, never their
    titles. Three queries, however many meetings and items.
    """
    meetings = list(
        Meeting.objects.of_member(user)
        .select_related("committee")
        .order_by("held_on", "starts_at", "pk")
    )
    if not meetings:
        return MemberAgenda(upcoming=[], past=[])
    declared = ConflictDeclaration.objects.filter(
        agenda_item=OuterRef("pk"), member=user
    ).values("conflict")[:1]
    items = (
        AgendaItem.objects.open_to(user)
        .select_related("project__organisation")
        .annotate(
            declared=Subquery(declared),
            has_scored=Exists(
                Score.objects.filter(agenda_item=OuterRef("pk"), member=user)
            ),
            has_recommendation=Exists(
                AgendaItem.objects.filter(
                    pk=OuterRef("pk"), recommendation__isnull=False
                )
            ),
        )
        .order_by("meeting", "position")
    )
    lines: dict[int, list[AgendaLine]] = {}
    for item in items:
        lines.setdefault(item.meeting_id, []).append(AgendaLine(item, status_of(item)))
    closed = dict(
        AgendaItem.objects.closed_to(user)
        .order_by()
        .values("meeting")
        .annotate(count=Count("pk"))
        .values_list("meeting", "count")
    )
    agendas = [
        MeetingAgenda(meeting, lines.get(meeting.pk, []), closed.get(meeting.pk, 0))
        for meeting in meetings
    ]
    return MemberAgenda(
        upcoming=[a for a in agendas if a.meeting.held_on >= on],
        past=[a for a in agendas if a.meeting.held_on < on][::-1],
    )
