"""A meeting's agenda, sent to each member once, a set number of days before it.

The daily reminder sweep calls ``record_due_agendas``: for every meeting whose
committee's ``agenda_days_before`` has come (and which is not yet past), one
``AgendaNotice`` row per active member, made idempotent by the unique (meeting,
recipient) constraint. A member seated later still receives it at the next sweep.
Each row is then sent as a decision notice is (``delivery``: claim, send, record),
in the member's language. A member is shown only the items they may take part in
(``AgendaItem.objects.open_to``); the others are counted, never named.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import AgendaItem, AgendaNotice, CommitteeMember, Meeting
from grants.services.delivery import claim, deliver
from grants.services.emails import message_id as make_message_id
from grants.services.emails import render_email, site_url
from grants.services.recipients import language_of

# The longest notice any committee may set (``Committee.agenda_days_before``).
LONGEST_NOTICE = datetime.timedelta(days=60)


def meetings_with_agenda_due(on: datetime.date):
    """The meetings still to come whose agenda is due on or before ``on``."""
    # A meeting with nothing on its agenda yet waits: its agenda goes out at the
    # first sweep after an item is added (the sweep is daily).
    upcoming = (
        Meeting.objects.filter(
            held_on__gte=on,
            held_on__lte=on + LONGEST_NOTICE,
            committee__is_active=True,
            items__isnull=False,
        )
        .distinct()
        .select_related("committee")
    )
    return [
        meeting
        for meeting in upcoming
        if meeting.held_on - datetime.timedelta(meeting.committee.agenda_days_before)
        <= on
    ]


@transaction.atomic
def record_due_agendas(on: datetime.date) -> int:
    """Write the agenda notices due ``on``; return how many rows were new."""
    meetings = meetings_with_agenda_due(on)
    seats = (
        CommitteeMember.objects.active()
        .filter(committee__in=[meeting.committee_id for meeting in meetings])
        .select_related("user")
        .order_by("pk")
    )
    by_committee = {}
    for seat in seats:
        by_committee.setdefault(seat.committee_id, []).append(seat.user)
    # Only the rows not yet written are new; ignore_conflicts still keeps a sweep
    # running at the same moment from writing one twice.
    written = set(
        AgendaNotice.objects.filter(meeting__in=meetings).values_list(
            "meeting_id", "recipient_email"
        )
    )
    rows = [
        AgendaNotice(meeting=meeting, recipient=user, recipient_email=user.email)
        for meeting in meetings
        for user in by_committee.get(meeting.committee_id, [])
        if user.is_active and user.email and (meeting.pk, user.email) not in written
    ]
    AgendaNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def pending_agenda_ids() -> list[int]:
    """The agenda notices not yet sent: queued again by the daily sweep."""
    pending = AgendaNotice.objects.filter(status=AgendaNotice.Status.PENDING)
    return list(pending.values_list("pk", flat=True))


def agenda_context(notice: AgendaNotice, *, today: datetime.date) -> dict:
    meeting = notice.meeting
    recipient = notice.recipient
    items = meeting.items.select_related("project__organisation").order_by("position")
    open_items = list(items.filter(pk__in=AgendaItem.objects.open_to(recipient)))
    secretary = (
        meeting.committee.seats.active()
        .filter(role=CommitteeMember.Role.SECRETARY)
        .select_related("user")
        .first()
    )
    return {
        "notice": notice,
        "meeting": meeting,
        "secretary": secretary.user if secretary else None,
        "committee": meeting.committee,
        "recipient_name": recipient.get_full_name() or recipient.username,
        "items": open_items,
        "excused": items.count() - len(open_items),
        "link": site_url(reverse("review:home")),
        "is_illustrative": any(item.project.is_illustrative for item in open_items),
        "today": today,
    }


def build_agenda_email(notice: AgendaNotice, *, today: datetime.date):
    """Render the agenda e-mail in the recipient's language."""
    with translation.override(language_of(notice.recipient)):
        return render_email(
            "agenda",
            agenda_context(notice, today=today),
            to=notice.recipient_email,
            message_id_header=make_message_id("agenda", notice.pk),
        )


def send_agenda_notice(notice_id: int) -> str:
    """Claim one agenda notice, send it and record it; return what happened."""
    if not claim(AgendaNotice, notice_id):
        return "not claimed"
    notice = AgendaNotice.objects.select_related("meeting__committee", "recipient").get(
        pk=notice_id
    )
    seated = (
        notice.recipient is not None
        and notice.meeting.committee.seats.active()
        .filter(user=notice.recipient)
        .exists()
    )
    if not seated:
        AgendaNotice.objects.filter(pk=notice_id).update(
            status=AgendaNotice.Status.FAILED,
            last_error="Not sent: the member no longer sits on the committee.",
        )
        return "failed"
    return deliver(AgendaNotice, notice, build_agenda_email, today=timezone.localdate())
