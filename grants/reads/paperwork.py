"""Reports and certificates as both sides see them: what came back, what was decided.

The portal's home page and project pages, the certificate form's pre-fill and the
staff pages ask these functions; each takes the queryset scope it reads from, so
a grantee's call is already limited to their organisation (``visible_to``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _

from grants.models import (
    Document,
    Milestone,
    Notice,
    ProgressReport,
    Project,
    Reminder,
    UtilisationCertificate,
)

RECENT_DECISIONS = 10
RECENT_REMINDERS = 10
# Labels by value, looked up once a row: ``get_FOO_display`` builds the choices
# afresh and translates every label on each call, which a list of many rows feels.
REPORT_STATUSES = dict(ProgressReport.Status.choices)
CERTIFICATE_STATUSES = dict(UtilisationCertificate.Status.choices)
NOTICE_KINDS = dict(Notice.Kind.choices)


@dataclass
class RecentDecision:
    """An accepted or returned report or certificate, for a list of decisions."""

    decided_on: datetime.date
    what: str
    project: Project
    status: str
    status_label: str
    comment: str
    url: str


def certificate_title(certificate: UtilisationCertificate) -> str:
    """Name a certificate without reading its project."""
    if certificate.kind == UtilisationCertificate.Kind.PROVISIONAL:
        return _("Provisional UC as on %(day)s") % {
            "day": dateformat.format(certificate.period_end, "d M Y")
        }
    return _("%(kind)s UC %(year)s") % {
        "kind": certificate.get_kind_display().capitalize(),
        "year": certificate.fiscal_year,
    }


def report_title(report: ProgressReport) -> str:
    """Name one version of a report by its milestone (which must be fetched)."""
    return _("%(title)s, version %(version)s") % {
        "title": report.milestone.title,
        "version": report.version,
    }


def attachment_label(document: Document) -> str:
    """Say what a document is kept against, without reading more rows."""
    if document.report_id:
        return _("Report: %(title)s") % {"title": report_title(document.report)}
    if document.certificate_id:
        return _("Certificate: %(title)s") % {
            "title": certificate_title(document.certificate)
        }
    return _("Project")


def returned_certificates(user):
    """Return the user's returned certificates that no later one has replaced."""
    later = UtilisationCertificate.objects.filter(
        project=OuterRef("project"),
        kind=OuterRef("kind"),
        fiscal_year=OuterRef("fiscal_year"),
        pk__gt=OuterRef("pk"),
    )
    milestone = Milestone.objects.filter(certificate=OuterRef("pk")).values("pk")[:1]
    return (
        UtilisationCertificate.objects.visible_to(user)
        .returned()
        .exclude(Exists(later))
        .annotate(milestone_pk=Subquery(milestone))
        .select_related("project")
        .order_by("decided_on", "pk")
    )


def returned_reports(user):
    """Return the latest returned version of each report awaiting resubmission."""
    reports = (
        ProgressReport.objects.visible_to(user)
        .returned()
        .filter(milestone__status=Milestone.Status.RETURNED)
        .select_related("milestone__project")
        .order_by("milestone__due_on", "milestone_id", "-version")
    )
    latest = {}
    for report in reports:
        latest.setdefault(report.milestone_id, report)
    return list(latest.values())


def recent_decisions(user, *, limit=RECENT_DECISIONS) -> list[RecentDecision]:
    """Return the latest decisions on the user's reports and certificates."""
    reports = (
        ProgressReport.objects.visible_to(user)
        .recently_decided()
        .select_related("milestone__project")[:limit]
    )
    certificates = (
        UtilisationCertificate.objects.visible_to(user)
        .recently_decided()
        .select_related("project")[:limit]
    )
    decisions = [
        RecentDecision(
            decided_on=report.decided_on,
            what=report_title(report),
            project=report.milestone.project,
            status=report.status,
            status_label=REPORT_STATUSES.get(report.status, report.status),
            comment=report.review_comment,
            url=reverse("portal:report-detail", args=[report.pk]),
        )
        for report in reports
    ] + [
        RecentDecision(
            decided_on=certificate.decided_on,
            what=certificate_title(certificate),
            project=certificate.project,
            status=certificate.status,
            status_label=CERTIFICATE_STATUSES.get(
                certificate.status, certificate.status
            ),
            comment=certificate.return_reason,
            url=reverse("portal:certificate-detail", args=[certificate.pk]),
        )
        for certificate in certificates
    ]
    decisions += notified_decisions(user, limit=limit)
    decisions.sort(key=lambda decision: decision.decided_on, reverse=True)
    return decisions[:limit]


# Reports and certificates are read from their own rows above (the demo's history
# has them without notices); every other decision, from the notice it sent.
NOTIFIED_KINDS = [
    kind
    for kind in Notice.Kind.values
    if not kind.startswith(("report_", "certificate_"))
]


def notified_decisions(user, *, limit=RECENT_DECISIONS) -> list[RecentDecision]:
    """Return the latest releases, extensions, waivers, reschedules and closures."""
    notices = (
        Notice.objects.visible_to(user)
        .to_grantees()
        .filter(kind__in=NOTIFIED_KINDS)
        .select_related("project")
        .order_by("-decided_on", "-pk")[: limit * 4]
    )
    decisions = {}
    for notice in notices:
        decisions.setdefault(
            notice.decision,
            RecentDecision(
                decided_on=notice.decided_on,
                what=notice.about,
                project=notice.project,
                status=notice.kind,
                status_label=NOTICE_KINDS.get(notice.kind, notice.kind),
                comment=notice.reason,
                url=notice.portal_path,
            ),
        )
    return list(decisions.values())[:limit]


def reminders_received(user, *, limit=RECENT_REMINDERS):
    """Return the reminders sent to the user about milestones they may see."""
    to_user = Q(recipient=user)
    if user.email:
        to_user |= Q(recipient_email__iexact=user.email)
    return (
        Reminder.objects.filter(milestone__in=Milestone.objects.visible_to(user))
        .filter(to_user, status=Reminder.Status.SENT)
        .select_related("milestone__project", "rule")
        .order_by("-sent_at", "-pk")[:limit]
    )


def previous_certificate(certificates, *, before: datetime.date):
    """The certificate whose closing balance opens the next period.

    The latest annual or final certificate ending before ``before`` that was not
    returned; of two for the same period, the accepted one.
    """
    candidates = [
        certificate
        for certificate in certificates
        if certificate.kind != UtilisationCertificate.Kind.PROVISIONAL
        and certificate.status != UtilisationCertificate.Status.RETURNED
        and certificate.period_end < before
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda c: (
            c.period_end,
            c.status == UtilisationCertificate.Status.ACCEPTED,
            c.pk,
        ),
    )
