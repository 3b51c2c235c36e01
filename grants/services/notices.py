"""Decision notices: every decision told to the grantee once, after it commits.

A decision service (accepting or returning a report or certificate, releasing an
instalment, deciding an extension, waiving or rescheduling a milestone, closing a
project) calls ``record_notice`` inside its own transaction. That writes one
``Notice`` row per recipient: the project's principal investigator and the
organisation's finance officers, and the programme officer in copy. The rows are
queued for ``grants.tasks.send_notice`` only once the transaction commits, so a
decision that is rolled back tells no one, and no e-mail is ever sent inside the
request. The send claims its row exactly as a reminder's does (``delivery``), and
the daily sweep queues again any row a lost message or worker left behind.

Each row is written in its recipient's language (``preferred_language``): what a
decision says (``about``, ``reason``, ``next_step``) is given as a function that
``record_notice`` calls once per language, and the e-mail is rendered in that
language when the task sends it. So one decision may tell the grantee in Hindi and
the programme officer, in copy, in English.
"""

import contextlib
import contextvars
import datetime
import functools
from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from grants import page_cache, reminders
from grants.formatting import fiscal_year_of, format_date, format_inr
from grants.models import Notice, Project, User
from grants.services import queue
from grants.services.delivery import claim, deliver, queue_sends
from grants.services.emails import message_id as make_message_id
from grants.services.emails import render_email, site_url
from grants.services.recipients import language_of, project_recipients

# What a decision says: a text, or a function that writes it in the active language.
Words = str | Callable[[], str]

_silenced = contextvars.ContextVar("notices_silenced", default=False)


@contextlib.contextmanager
def silenced():
    """Record decisions without telling anyone: within, ``record_notice`` writes
    nothing. For decisions taken before the portfolio came here (an import of the
    ministry's earlier files): the grantee was told at the time, by letter.
    """
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def decision_key(kind: str, row) -> str:
    """Name one decision: its kind and the audit-history row it wrote on ``row``."""
    history_id = (
        row.history.order_by("-history_id").values_list("history_id", flat=True).first()
    )
    return f"{kind}:{row._meta.model_name}:{row.pk}:{history_id}"


def notice_recipients(project: Project):
    """The grantee's people (in To) and the programme officer (in copy)."""
    grantees = project_recipients(project, (reminders.GRANTEE,))
    officers = project_recipients(project, (reminders.PROGRAMME_OFFICER,))
    taken = {recipient.email.lower() for recipient in grantees}
    return [(recipient, False) for recipient in grantees] + [
        (recipient, True)
        for recipient in officers
        if recipient.email.lower() not in taken
    ]


def record_notice(
    kind: str,
    *,
    row,
    project: Project,
    about: Words,
    decided_on: datetime.date,
    decided_by: User | None,
    reason: Words = "",
    next_step: Words = "",
    portal_path: str = "",
) -> list[Notice]:
    """Record the notices of one decision and queue them for after the commit.

    ``row`` is the object decided on, saved with its history just before; its
    latest history row names the decision, so calling this twice for the same
    decision records nothing more. ``about``, ``reason`` and ``next_step`` are
    texts or functions returning one: a function is called in each recipient's
    language, once per language.
    """
    if _silenced.get():
        return []
    key = decision_key(kind, row)
    portal_path = portal_path or reverse("portal:project-detail", args=[project.pk])
    written = {}

    def words_in(language: str) -> tuple[str, str, str]:
        if language not in written:
            with translation.override(language):
                written[language] = (
                    _write(about)[:255],
                    _write(reason),
                    _write(next_step),
                )
        return written[language]

    notices = []
    for recipient, is_copy in notice_recipients(project):
        about_text, reason_text, next_step_text = words_in(language_of(recipient.user))
        notices.append(
            Notice(
                project=project,
                kind=kind,
                decision=key,
                about=about_text,
                decided_on=decided_on,
                decided_by=decided_by,
                reason=reason_text,
                next_step=next_step_text,
                portal_path=portal_path,
                recipient=recipient.user,
                recipient_email=recipient.email,
                is_copy=is_copy,
            )
        )
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    page_cache.portfolio_changed()  # bulk inserts send no signal
    ids = list(
        Notice.objects.filter(decision=key, status=Notice.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(
        functools.partial(queue_sends, queue.sender(queue.NOTICE), ids)
    )
    return notices


def _write(words: Words) -> str:
    return str(words() if callable(words) else words)


def notice_context(notice: Notice, *, today: datetime.date) -> dict:
    project = notice.project
    recipient = notice.recipient
    if recipient is not None:
        name = recipient.get_full_name() or recipient.username
    else:
        name = gettext("Sir/Madam")
    decided_by = notice.decided_by
    return {
        "notice": notice,
        "project": project,
        "organisation": project.organisation,
        "recipient_name": name,
        "decided_by": decided_by,
        "decided_by_name": (
            (decided_by.get_full_name() or decided_by.username) if decided_by else ""
        ),
        "link": (
            site_url(reverse("staff:project-detail", args=[project.pk]))
            if notice.is_copy
            else site_url(notice.portal_path)
        ),
        "is_illustrative": project.is_illustrative,
        "today": today,
    }


def build_notice_email(notice: Notice, *, today: datetime.date):
    """Render a notice's e-mail, text and HTML, for its one recipient.

    In the recipient's language, whatever language the sending process is in.
    """
    with translation.override(language_of(notice.recipient)):
        return render_email(
            "notice",
            notice_context(notice, today=today),
            to=notice.recipient_email,
            message_id_header=make_message_id("notice", notice.pk),
        )


def send_notice(notice_id: int) -> str:
    """Claim one notice, send its e-mail and record it; return what happened.

    "sent", "failed" (a permanent refusal) or "not claimed" (another worker has
    it, or it went already). A transient failure raises ``TransientSendError``.
    """
    if not claim(Notice, notice_id):
        return "not claimed"
    notice = Notice.objects.select_related(
        "project__organisation", "recipient", "decided_by"
    ).get(pk=notice_id)
    return deliver(Notice, notice, build_notice_email, today=timezone.localdate())


def pending_notice_ids() -> list[int]:
    """The notices not yet sent: queued again by the daily sweep."""
    return list(
        Notice.objects.filter(status=Notice.Status.PENDING).values_list("pk", flat=True)
    )


# What each decision tells the grantee -----------------------------------------------


def tell_report_decision(report, *, decided_by: User) -> None:
    milestone = report.milestone
    accepted = report.status == report.Status.ACCEPTED

    def next_step():
        if accepted:
            return gettext("The milestone is met: nothing more is needed for it.")
        return gettext(
            "Correct the report and resubmit it from the portal by %(date)s."
        ) % {"date": format_date(milestone.due_on)}

    record_notice(
        Notice.Kind.REPORT_ACCEPTED if accepted else Notice.Kind.REPORT_RETURNED,
        row=report,
        project=milestone.project,
        about=lambda: (
            gettext("%(title)s, version %(version)s")
            % {"title": milestone.title, "version": report.version}
        ),
        decided_on=report.decided_on,
        decided_by=decided_by,
        reason=report.review_comment if report.review_comment != "Accepted." else "",
        next_step=next_step,
        portal_path=reverse("portal:report-detail", args=[report.pk]),
    )


def tell_certificate_decision(certificate, *, decided_by: User) -> None:
    accepted = certificate.status == certificate.Status.ACCEPTED
    milestone = certificate.milestones.order_by("pk").first()

    def next_step():
        if accepted:
            return gettext(
                "The certificate is on record: it can cover the next release of "
                "funds (GFR 2017, rules 230(10) and 238(2))."
            )
        if milestone is not None:
            return gettext(
                "Correct the certificate and resubmit it, with its signed copy, "
                "from the portal by %(date)s."
            ) % {"date": format_date(milestone.due_on)}
        return gettext("Correct the certificate and resubmit it, with its signed copy.")

    record_notice(
        Notice.Kind.CERTIFICATE_ACCEPTED
        if accepted
        else Notice.Kind.CERTIFICATE_RETURNED,
        row=certificate,
        project=certificate.project,
        about=lambda: str(certificate),
        decided_on=certificate.decided_on,
        decided_by=decided_by,
        reason=certificate.return_reason,
        next_step=next_step,
        portal_path=reverse("portal:certificate-detail", args=[certificate.pk]),
    )


def tell_release(instalment, *, decided_by: User) -> None:
    owed = _still_owed(instalment)

    def next_step():
        text = gettext(
            "Record the receipt in the grant's accounts and show it as grant "
            "received in the utilisation certificate for %(year)s (Form GFR 12-A)."
        ) % {"year": fiscal_year_of(instalment.released_on)}
        if not owed:
            return text
        return gettext("%(next_step)s Still due from you: %(conditions)s.") % {
            "next_step": text,
            "conditions": "; ".join(condition.name for condition in owed),
        }

    record_notice(
        Notice.Kind.INSTALMENT_RELEASED,
        row=instalment,
        project=instalment.project,
        about=lambda: (
            gettext("Instalment %(number)s of %(amount)s")
            % {
                "number": instalment.sequence,
                "amount": f"₹ {format_inr(instalment.amount)}",
            }
        ),
        decided_on=instalment.released_on,
        decided_by=decided_by,
        reason=lambda: _release_reason(instalment),
        next_step=next_step,
    )


def _release_reason(instalment) -> str:
    words = {
        "number": instalment.release_order_number,
        "reason": instalment.override_reason,
    }
    if instalment.override_reason:
        return (
            gettext(
                "Release order %(number)s. Released before every condition of the "
                "release was met: %(reason)s"
            )
            % words
        )
    return gettext("Release order %(number)s.") % words


def _still_owed(instalment) -> list:
    """The conditions a release went out without: the grantee still owes them."""
    return list(
        instalment.conditions.filter(overridden_on__isnull=False).select_related(
            "milestone"
        )
    )


def tell_extension_decision(extension, *, decided_by: User) -> None:
    approved = extension.status == extension.Status.APPROVED
    project = extension.project

    def next_step():
        if approved:
            return gettext(
                "The project now ends on %(date)s; the final report and final UC "
                "move with the end date."
            ) % {"date": format_date(extension.new_end_on)}
        return gettext("The project still ends on %(date)s.") % {
            "date": format_date(project.end_on)
        }

    record_notice(
        Notice.Kind.EXTENSION_APPROVED if approved else Notice.Kind.EXTENSION_REJECTED,
        row=extension,
        project=project,
        about=lambda: (
            gettext("Extension of %(reference)s from %(start)s to %(end)s")
            % {
                "reference": project.reference,
                "start": format_date(extension.previous_end_on),
                "end": format_date(extension.new_end_on),
            }
        ),
        decided_on=extension.decided_on,
        decided_by=decided_by,
        reason=extension.decision_comment,
        next_step=next_step,
    )


def tell_reappropriation_decision(reappropriation, *, decided_by: User) -> None:
    approved = reappropriation.status == reappropriation.Status.APPROVED
    project = reappropriation.project

    def words():
        return {
            "amount": f"₹ {format_inr(reappropriation.amount)}",
            "source": gettext("%(head)s, year %(year)s")
            % {
                "head": reappropriation.get_from_head_display(),
                "year": reappropriation.from_year,
            },
            "target": gettext("%(head)s, year %(year)s")
            % {
                "head": reappropriation.get_to_head_display(),
                "year": reappropriation.to_year,
            },
        }

    def next_step():
        if approved:
            return (
                gettext(
                    "The budget now holds %(amount)s less under %(source)s and as much "
                    "more under %(target)s; the sanctioned total is unchanged."
                )
                % words()
            )
        return gettext("The budget stays as it was.")

    record_notice(
        Notice.Kind.REAPPROPRIATION_APPROVED
        if approved
        else Notice.Kind.REAPPROPRIATION_REJECTED,
        row=reappropriation,
        project=project,
        about=lambda: (
            gettext("Re-appropriation of %(amount)s from %(source)s to %(target)s")
            % words()
        ),
        decided_on=reappropriation.decided_on,
        decided_by=decided_by,
        reason=reappropriation.decision_comment,
        next_step=next_step,
        portal_path=reverse("portal:reappropriations", args=[project.pk]),
    )


def tell_milestone_decision(milestone, *, kind: str, decided_by: User, decided_on):
    waived = kind == Notice.Kind.MILESTONE_WAIVED

    def next_step():
        if waived:
            return gettext("Nothing is owed for it any more.")
        return gettext("It is now due on %(date)s.") % {
            "date": format_date(milestone.due_on)
        }

    record_notice(
        kind,
        row=milestone,
        project=milestone.project,
        about=milestone.title,
        decided_on=decided_on,
        decided_by=decided_by,
        reason=milestone.waiver_reason if waived else milestone.reschedule_reason,
        next_step=next_step,
    )


def tell_closure(project, *, decided_by: User | None, decided_on) -> None:
    record_notice(
        Notice.Kind.PROJECT_CLOSED,
        row=project,
        project=project,
        about=lambda: (
            gettext("Closure of %(reference)s") % {"reference": project.reference}
        ),
        decided_on=decided_on,
        decided_by=decided_by,
        reason=lambda: gettext(
            "The final report and final UC are accepted and the refunds are in."
        ),
        next_step=lambda: gettext(
            "No more money will be released. Keep the project's records and the "
            "register of assets for audit."
        ),
    )


def tell_disposal_decision(disposal, *, decided_by: User) -> None:
    """Tell the grantee the ministry's decision on disposing of an asset."""
    approved = disposal.status == disposal.Status.APPROVED
    asset = disposal.asset
    project = asset.project

    def words():
        return {
            "kind": disposal.get_kind_display(),
            "asset": asset.particulars,
            "proceeds": format_inr(disposal.expected_proceeds, symbol="₹\u00a0"),
        }

    def next_step():
        if not approved:
            return gettext(
                "Keep the asset and its entry in the register of assets (Form "
                "GFR-22); it may not be disposed of without the ministry's approval "
                "(GFR 230(9))."
            )
        if disposal.kind == disposal.Kind.SALE:
            return (
                gettext(
                    "Sell the asset and remit the proceeds, about %(proceeds)s, to the "
                    "ministry (GFR 233); the register shows it as sold."
                )
                % words()
            )
        return gettext(
            "Dispose of the asset as approved; the register shows its disposal."
        )

    record_notice(
        Notice.Kind.DISPOSAL_APPROVED if approved else Notice.Kind.DISPOSAL_REFUSED,
        row=disposal,
        project=project,
        about=lambda: gettext("Disposal of %(asset)s by %(kind)s") % words(),
        decided_on=disposal.decided_on,
        decided_by=decided_by,
        reason=disposal.decision_comment,
        next_step=next_step,
        portal_path=reverse("portal:assets", args=[project.pk]),
    )
