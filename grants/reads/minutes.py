"""A committee meeting as its record: who sat, who attended, and for each item on
the agenda what each member declared and scored, what the committee recommended
and what the approving committee decided.

The staff meeting page and the minutes (page and PDF) read the same record, so
what the page says and what the file says are one thing. A member whose own
organisation is the grantee (``own_organisations``, the rule ``open_to`` keeps)
is shown with that conflict whether or not they declared it.
"""

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from grants.models import (
    AgendaItem,
    CommitteeMember,
    ConflictDeclaration,
    Meeting,
    Recommendation,
    Score,
    User,
    own_organisations_of,
)

OWN_ORGANISATION = _("own organisation is the grantee")
NOT_DECLARED = _("not declared")
# Seats in the order the minutes list them.
ROLE_ORDER = {
    CommitteeMember.Role.CHAIR: 0,
    CommitteeMember.Role.SECRETARY: 1,
    CommitteeMember.Role.MEMBER: 2,
}


@dataclass
class Declaration:
    """What one member stands as on one item: declared, and by affiliation."""

    member: User
    role: str
    declared: ConflictDeclaration | None
    own_organisation: bool

    @property
    def has_conflict(self) -> bool:
        return self.own_organisation or bool(
            self.declared and self.declared.has_conflict
        )

    @property
    def labels(self) -> list:
        """The conflicts in words; no conflict, or not declared, if none."""
        labels = []
        if self.declared and self.declared.has_conflict:
            labels.append(self.declared.get_conflict_display())
        if self.own_organisation:
            labels.append(OWN_ORGANISATION)
        if not labels:
            labels.append(
                self.declared.get_conflict_display() if self.declared else NOT_DECLARED
            )
        return labels


@dataclass
class ItemRecord:
    item: AgendaItem
    declarations: list[Declaration]
    scores: list[Score]
    recommendation: Recommendation | None
    joined: list[User] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Declaration]:
        return [row for row in self.declarations if row.has_conflict]

    @property
    def average(self) -> Decimal | None:
        """The mean total (out of 20) of the scores, to one decimal place."""
        if not self.scores:
            return None
        mean = statistics.fmean(score.total for score in self.scores)
        return Decimal(str(mean)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MeetingRecord:
    meeting: Meeting
    seats: list[CommitteeMember]
    attendee_ids: set[int]
    items: list[ItemRecord]

    @property
    def committee(self):
        return self.meeting.committee

    @property
    def attendance_recorded(self) -> bool:
        return bool(self.attendee_ids)

    @property
    def present(self) -> list[CommitteeMember]:
        return [seat for seat in self.seats if seat.user_id in self.attendee_ids]

    @property
    def absent(self) -> list[CommitteeMember]:
        return [seat for seat in self.seats if seat.user_id not in self.attendee_ids]

    @property
    def illustrative(self) -> bool:
        return any(record.item.project.is_illustrative for record in self.items)


def record_meetings():
    """The meetings with what their record reads of the committee."""
    return Meeting.objects.select_related(
        "committee__approving_committee", "scheduled_by"
    )


def committee_seats(committee) -> list[CommitteeMember]:
    """The committee's active seats: chairperson, member secretary, members."""
    seats = committee.seats.active().select_related("user", "organisation")
    return sorted(
        seats, key=lambda seat: (ROLE_ORDER.get(seat.role, 9), str(seat.user))
    )


def meeting_items(meeting):
    return meeting.items.select_related(
        "project__organisation",
        "milestone",
        "extension",
        "reappropriation__project",
        "instalment",
        "recommendation__recorded_by",
        "recommendation__decided_by",
    ).prefetch_related(
        Prefetch(
            "declarations",
            queryset=ConflictDeclaration.objects.select_related("member"),
        ),
        Prefetch("scores", queryset=Score.objects.select_related("member")),
        "recommendation__members",
    )


def _declarations(item, seats, own) -> list[Declaration]:
    declared = {row.member_id: row for row in item.declarations.all()}
    organisation = item.project.organisation_id
    rows = [
        Declaration(
            member=seat.user,
            role=seat.get_role_display(),
            declared=declared.pop(seat.user_id, None),
            own_organisation=organisation in own[seat.user_id],
        )
        for seat in seats
    ]
    # A member who declared and has since left the committee.
    rows += [
        Declaration(
            member=declaration.member,
            role="",
            declared=declaration,
            own_organisation=False,
        )
        for declaration in declared.values()
    ]
    return rows


def meeting_record(meeting: Meeting) -> MeetingRecord:
    """The meeting's record, in a number of queries that grows with neither its
    agenda nor its members."""
    seats = committee_seats(meeting.committee)
    own = own_organisations_of([seat.user_id for seat in seats])
    items = []
    for item in meeting_items(meeting):
        declarations = _declarations(item, seats, own)
        conflicted = {row.member.pk for row in declarations if row.has_conflict}
        recommendation = getattr(item, "recommendation", None)
        items.append(
            ItemRecord(
                item=item,
                declarations=declarations,
                scores=[
                    score
                    for score in item.scores.all()
                    if score.member_id not in conflicted
                ],
                recommendation=recommendation,
                joined=list(recommendation.members.all()) if recommendation else [],
            )
        )
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    return MeetingRecord(
        meeting=meeting, seats=seats, attendee_ids=attendees, items=items
    )
