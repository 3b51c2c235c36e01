"""Whether each release condition of an instalment holds, and why not.

Read logic only, on rows already in memory: the pipeline prefetches what these
functions read (``PREFETCH``), so a page of many projects runs no query per
condition, and the release service asks the same questions, so the page and the
refusal can never disagree.

The covering UC of GFR 230(10) / 238(2) is not decided here: it binds every release
after the first whether or not a row names it, and ``grants.reads.pipeline`` and
``services.release_instalment`` keep deciding it as they always have. Its row, where
there is one, is shown; it is never counted twice.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from grants.formatting import INDIA, format_date, format_percent
from grants.models import (
    Document,
    Milestone,
    ReleaseCondition,
    UtilisationCertificate,
)

# What a page of projects prefetches so that ``checks`` runs no query.
PREFETCH = (
    Prefetch(
        "instalments__conditions",
        queryset=ReleaseCondition.objects.select_related(
            "milestone", "met_by", "overridden_by"
        ).order_by("pk"),
    ),
    Prefetch(
        "documents",
        queryset=Document.objects.filter(kind=Document.Kind.AUDITED_SOE).only(
            "pk", "project_id", "uploaded_at", "kind"
        ),
        to_attr="audited_statements",
    ),
)

MET_MILESTONE_STATUSES = (Milestone.Status.ACCEPTED, Milestone.Status.WAIVED)


@dataclass(frozen=True)
class Check:
    """One condition on one day: met or not, and in words why."""

    condition: ReleaseCondition
    met: bool
    detail: str

    @property
    def name(self) -> str:
        return self.condition.name

    @property
    def under_review_since(self) -> datetime.date | None:
        """The day a milestone's submission reached the ministry, while undecided."""
        milestone = self.condition.milestone
        if self.met or milestone is None:
            return None
        if milestone.status != Milestone.Status.SUBMITTED:
            return None
        return milestone.submitted_on

    @property
    def overridden(self) -> bool:
        return self.condition.overridden_on is not None

    def sentence(self) -> str:
        """The condition and its state, as a blocker reads: "X: not yet (...)"."""
        return _("Condition not met: %(name)s (%(detail)s).") % {
            "name": self.name,
            "detail": self.detail,
        }


def _milestone(condition, *, on, **context) -> tuple[bool, str]:
    # Met by a decision taken on or before the day: a release dated before the
    # milestone was accepted did not have it.
    milestone = condition.milestone
    decided = milestone.decided_on
    if milestone.status == Milestone.Status.ACCEPTED and (
        decided is None or decided <= on
    ):
        if decided is None:
            return True, _("accepted")
        return True, _("accepted on %(day)s") % {"day": format_date(decided)}
    if milestone.status == Milestone.Status.WAIVED and (
        decided is None or decided <= on
    ):
        return True, _("waived: %(reason)s") % {"reason": milestone.waiver_reason}
    if milestone.status in (Milestone.Status.ACCEPTED, Milestone.Status.WAIVED):
        return False, _("%(status)s only on %(day)s") % {
            "status": milestone.get_status_display(),
            "day": format_date(decided),
        }
    if milestone.status == Milestone.Status.SUBMITTED:
        return False, _("submitted on %(day)s, under the ministry's review") % {
            "day": format_date(milestone.submitted_on)
        }
    if milestone.status == Milestone.Status.RETURNED:
        return False, _("returned; due again on %(day)s") % {
            "day": format_date(milestone.due_on)
        }
    return False, _("pending, due on %(day)s") % {"day": format_date(milestone.due_on)}


def _audited_soe(condition, *, project, instalment, on, **context):
    # A statement received after the previous release speaks for the money this
    # release follows; one from an earlier year does not.
    statements = getattr(project, "audited_statements", None)
    if statements is None:
        statements = list(project.documents.filter(kind=Document.Kind.AUDITED_SOE))
    since = _previous_release(instalment, project)
    days = (document.uploaded_at.astimezone(INDIA).date() for document in statements)
    received = [day for day in days if (since is None or day > since) and day <= on]
    if received:
        return True, _("received on %(day)s") % {"day": format_date(min(received))}
    if since is None:
        return False, _("none uploaded yet")
    return False, _("none uploaded since the release of %(day)s") % {
        "day": format_date(since)
    }


def _previous_release(instalment, project) -> datetime.date | None:
    """The latest release before this instalment, from the instalments in memory."""
    earlier = [
        other.released_on
        for other in project.instalments.all()
        if other.sequence < instalment.sequence and other.released_on is not None
    ]
    return max(earlier, default=None)


def _min_utilisation(condition, *, certificates, on, **context) -> tuple[bool, str]:
    # The newest accepted UC speaks for the money released before it, as for the
    # 75% benchmark of GFR 238(2).
    accepted = [
        uc
        for uc in certificates
        if uc.status == UtilisationCertificate.Status.ACCEPTED
        and uc.decided_on is not None
        and uc.decided_on <= on
    ]
    if not accepted:
        return False, _("no accepted utilisation certificate yet")
    latest = max(accepted, key=lambda uc: (uc.period_end, uc.decided_on, uc.pk))
    shown = format_percent(latest.expenditure, latest.total_available)
    met = latest.utilisation_percent >= condition.min_utilisation_percent
    return met, _("%(uc)s shows %(percent)s") % {"uc": latest, "percent": shown}


def _trl(condition, *, project, **context) -> tuple[bool, str]:
    met = project.trl_now >= condition.trl
    return met, _("TRL now %(trl)s") % {"trl": project.trl_now}


def _other(condition, *, on, **context) -> tuple[bool, str]:
    if condition.met_on is not None and condition.met_on <= on:
        return True, _("marked met on %(day)s: %(note)s") % {
            "day": format_date(condition.met_on),
            "note": condition.met_note,
        }
    return False, _("the programme officer has not marked it met")


DECIDERS = {
    ReleaseCondition.Kind.MILESTONE: _milestone,
    ReleaseCondition.Kind.AUDITED_SOE: _audited_soe,
    ReleaseCondition.Kind.MIN_UTILISATION: _min_utilisation,
    ReleaseCondition.Kind.TRL: _trl,
    ReleaseCondition.Kind.OTHER: _other,
}


def checks(instalment, *, project, certificates, on: datetime.date) -> list[Check]:
    """Return each condition of the instalment that this module decides, on ``on``.

    ``certificates`` are the project's, as the pipeline holds them.
    """
    result = []
    for condition in instalment.conditions.all():
        decide = DECIDERS.get(condition.kind)
        if decide is None:  # the covering UC: decided by the GFR rule itself
            continue
        met, detail = decide(
            condition,
            project=project,
            instalment=instalment,
            certificates=certificates,
            on=on,
        )
        result.append(Check(condition, met, detail))
    return result


def unmet(instalment, *, project, certificates, on: datetime.date) -> list[Check]:
    """Return the conditions that do not hold on ``on``."""
    return [
        check
        for check in checks(
            instalment, project=project, certificates=certificates, on=on
        )
        if not check.met
    ]
