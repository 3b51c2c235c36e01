"""The iCalendar (RFC 5545) feed of a member's milestones, one all-day event each.

The ``icalendar`` package writes the file: it escapes TEXT values, folds content
lines at 75 octets without splitting a UTF-8 character and ends them with CRLF.
What it leaves to us is removing the control characters that a TEXT value may
not hold (RFC 5545, 3.3.11).
"""

import datetime

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, vDuration

from grants.models import Milestone

PRODID = "-//Khanij R&D//Grantee portal//EN"
CALENDAR_NAME = gettext_lazy("Khanij R&D milestones")
# How often a calendar application should fetch the feed again.
REFRESH = datetime.timedelta(hours=6)
UID = "milestone-{pk}@khanij-rd"


def plain_text(value) -> str:
    """Return a TEXT value with one kind of line end and no control characters."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        character
        for character in value
        if character in "\n\t" or not (ord(character) < 32 or ord(character) == 127)
    )


def milestone_event(milestone: Milestone, *, url: str, stamp: datetime.datetime):
    """Return one milestone as an all-day VEVENT."""
    project = milestone.project
    status = milestone.get_status_display()
    summary = f"{project.reference}: {milestone.title}"
    if milestone.status != Milestone.Status.PENDING:
        summary = _("%(summary)s (%(status)s)") % {"summary": summary, "status": status}
    description = [
        _("%(kind)s for %(reference)s, %(title)s.")
        % {
            "kind": milestone.get_kind_display().capitalize(),
            "reference": project.reference,
            "title": project.title,
        },
        _("Due %(day)s; status: %(status)s.")
        % {"day": dateformat.format(milestone.due_on, "d M Y"), "status": status},
    ]
    if milestone.deliverable:
        description.append(
            _("Deliverable: %(deliverable)s") % {"deliverable": milestone.deliverable}
        )
    description.append(_("Portal: %(url)s") % {"url": url})
    event = Event()
    event.add("uid", UID.format(pk=milestone.pk))
    event.add("dtstamp", stamp)
    # A date, not a datetime: VALUE=DATE, an all-day event; DTEND is exclusive.
    event.add("dtstart", milestone.due_on)
    event.add("dtend", milestone.due_on + datetime.timedelta(days=1))
    event.add("summary", plain_text(summary))
    event.add("description", plain_text("\n".join(description)))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add(
        "status",
        "CANCELLED" if milestone.status == Milestone.Status.WAIVED else "CONFIRMED",
    )
    return event


def milestones_calendar(milestones, *, url_for, now: datetime.datetime) -> bytes:
    """Write an iCalendar (RFC 5545) feed of milestones as all-day events."""
    stamp = now.astimezone(datetime.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", str(CALENDAR_NAME))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for milestone in milestones:
        calendar.add_component(
            milestone_event(milestone, url=url_for(milestone), stamp=stamp)
        )
    return calendar.to_ical(sorted=False)
