"""Where each project's next instalment stands, and what holds it back.

Read logic only. The release pipeline of an instalment runs
planned -> awaiting documents -> under review -> eligible -> recommended -> released.
A blocker is said in words a grantee and a finance officer both understand, and the
same rules as ``services.release_instalment`` decide it (GFR 230(10), 238(2)); an
escalated overdue milestone also blocks the next release.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from grants.formatting import format_date
from grants.models import (
    NON_COMPLIANT_AFTER_DAYS,
    Instalment,
    Milestone,
    Project,
    UtilisationCertificate,
)
from grants.reads import conditions

# A project in one of these states releases no more money (services refuse it).
ENDED_STATUSES = (Project.Status.CLOSED, Project.Status.TERMINATED)


class Stage:
    PLANNED = "planned"
    AWAITING_DOCUMENTS = "awaiting_documents"
    UNDER_REVIEW = "under_review"
    ELIGIBLE = "eligible"
    RECOMMENDED = "recommended"
    RELEASED = "released"

    LABELS = {
        PLANNED: gettext_lazy("Planned"),
        AWAITING_DOCUMENTS: gettext_lazy("Waiting for the grantee's documents"),
        UNDER_REVIEW: gettext_lazy("Documents under the ministry's review"),
        ELIGIBLE: gettext_lazy("Eligible for release"),
        RECOMMENDED: gettext_lazy("Recommended for release"),
        RELEASED: pgettext_lazy("release stage", "Released"),
    }
    ORDER = [
        PLANNED,
        AWAITING_DOCUMENTS,
        UNDER_REVIEW,
        ELIGIBLE,
        RECOMMENDED,
        RELEASED,
    ]


@dataclass
class ReleaseState:
    """The state of one instalment on a given day."""

    instalment: Instalment
    stage: str
    since: datetime.date | None
    blockers: list[str] = field(default_factory=list)
    covering_certificate: UtilisationCertificate | None = None
    # Every condition the sanction sets beyond the covering UC, met or not.
    conditions: list = field(default_factory=list)  # of conditions.Check

    @property
    def label(self) -> str:
        return Stage.LABELS[self.stage]

    @property
    def other_blockers(self) -> list[str]:
        """The blockers besides the unmet conditions, which are listed on their own."""
        listed = {check.sentence() for check in self.conditions if not check.met}
        return [blocker for blocker in self.blockers if blocker not in listed]

    @property
    def is_blocked(self) -> bool:
        """Due and held back: what it needs is missing."""
        return self.stage == Stage.AWAITING_DOCUMENTS

    def days_waiting(self, *, on: datetime.date) -> int | None:
        """Days since the instalment entered its stage; None before it is due."""
        if self.since is None or self.since > on:
            return None
        return (on - self.since).days


def _covering_blocker(certificates, *, previous_release, on):
    """Return (covering UC or None, blocker or None, UC under review or None)."""
    candidates = [uc for uc in certificates if uc.period_end >= previous_release]
    accepted = [
        uc
        for uc in candidates
        if uc.status == UtilisationCertificate.Status.ACCEPTED and uc.decided_on <= on
    ]
    if accepted:
        return max(accepted, key=lambda uc: (uc.period_end, uc.decided_on)), None, None
    by_status = defaultdict(list)
    for uc in candidates:
        by_status[uc.status].append(uc)
    if submitted := by_status[UtilisationCertificate.Status.SUBMITTED]:
        uc = submitted[-1]
        blocker = _("%(uc)s submitted on %(day)s is under review.") % {
            "uc": uc,
            "day": format_date(uc.submitted_on),
        }
        return None, blocker, uc
    if returned := by_status[UtilisationCertificate.Status.RETURNED]:
        uc = returned[-1]
        blocker = _(
            "%(uc)s was returned on %(day)s: a corrected certificate is awaited."
        ) % {"uc": uc, "day": format_date(uc.decided_on)}
        return None, blocker, None
    blocker = _(
        "An accepted utilisation certificate covering the release of %(day)s is "
        "needed (GFR 2017 rules 230(10) and 238(2))."
    ) % {"day": format_date(previous_release)}
    return None, blocker, None


def _ended_blocker(status: str) -> str:
    """Say that a closed or terminated project releases nothing more."""
    if status == Project.Status.CLOSED:
        return _("The project is closed: nothing more is released.")
    if status == Project.Status.TERMINATED:
        return _("The project is terminated: nothing more is released.")
    return _("The project is %(status)s: nothing more is released.") % {
        "status": Project.Status(status).label
    }


def _state(
    instalment, *, project, instalments, certificates, open_milestones, on, ended=""
):
    checks = conditions.checks(
        instalment,
        project=project,
        certificates=certificates,
        on=instalment.released_on or on,
    )
    if instalment.released_on is not None:
        return ReleaseState(
            instalment, Stage.RELEASED, instalment.released_on, conditions=checks
        )

    blockers = []
    if ended:
        blockers.append(_ended_blocker(ended))
    covering = in_review = None
    since = instalment.planned_on
    earlier = [i for i in instalments if i.sequence < instalment.sequence]
    if any(i.released_on is None for i in earlier):
        blockers.append(_("The earlier instalment has not been released yet."))
    elif earlier:
        previous_release = max(i.released_on for i in earlier)
        since = max(previous_release, instalment.planned_on)
        covering, blocker, in_review = _covering_blocker(
            certificates, previous_release=previous_release, on=on
        )
        if blocker:
            blockers.append(blocker)
    # What is with the ministry: a UC or a report it has not decided yet.
    reviewing = [in_review.submitted_on] if in_review is not None else []
    # Each condition of the sanction that does not hold yet, by name.
    for check in (check for check in checks if not check.met):
        blockers.append(check.sentence())
        if check.under_review_since is not None:
            reviewing.append(check.under_review_since)
    for milestone in open_milestones:
        if milestone.is_non_compliant(on=on):
            days = milestone.days_past_due(on=on)
            blockers.append(
                ngettext(
                    "%(title)s is %(count)s day overdue (due %(due)s): the project "
                    "is non-compliant.",
                    "%(title)s is %(count)s days overdue (due %(due)s): the project "
                    "is non-compliant.",
                    days,
                )
                % {
                    "title": milestone.title,
                    "count": days,
                    "due": format_date(milestone.due_on),
                }
            )

    if instalment.recommended_on is not None and not blockers:
        # Recommended (possibly before its planned date, which services allow):
        # it waits for finance, whatever the calendar says.
        stage, since = Stage.RECOMMENDED, instalment.recommended_on
    elif instalment.planned_on > on:
        # Not due yet: what is missing is listed as still needed, not as a hold-up.
        stage = Stage.PLANNED
    elif reviewing and len(blockers) == len(reviewing):
        # Nothing is missing from the grantee: the ministry is reading it.
        stage, since = Stage.UNDER_REVIEW, max(since, *reviewing)
    elif blockers:
        stage = Stage.AWAITING_DOCUMENTS
    elif instalment.recommended_on is not None:
        stage, since = Stage.RECOMMENDED, instalment.recommended_on
    else:
        stage = Stage.ELIGIBLE
        if covering is not None:
            since = max(since, covering.decided_on)
    return ReleaseState(
        instalment,
        stage,
        since,
        blockers=blockers,
        covering_certificate=covering,
        conditions=checks,
    )


def projects_for_pipeline(projects, *, on: datetime.date | None = None):
    """Prefetch what ``release_states`` reads, so it runs no query per project.

    With ``on``, only the open milestones that can block a release that day (those
    due ``NON_COMPLIANT_AFTER_DAYS`` or more before it) are fetched: the states
    for ``on`` are the same, and a large portfolio loads far fewer rows.
    """
    open_milestones = Milestone.objects.open().order_by("due_on")
    if on is not None:
        latest = on - datetime.timedelta(days=NON_COMPLIANT_AFTER_DAYS)
        open_milestones = open_milestones.filter(due_on__lte=latest)
    return projects.prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("sequence")),
        Prefetch(
            "certificates",
            queryset=UtilisationCertificate.objects.order_by("period_end", "pk"),
        ),
        Prefetch("milestones", queryset=open_milestones, to_attr="open_milestones"),
        *conditions.PREFETCH,
    )


def release_states(project: Project, *, on: datetime.date) -> list[ReleaseState]:
    """Return the state of every instalment of a project prefetched for the pipeline."""
    instalments = list(project.instalments.all())
    certificates = list(project.certificates.all())
    open_milestones = getattr(project, "open_milestones", None)
    if open_milestones is None:
        open_milestones = list(project.milestones.open().order_by("due_on"))
    ended = project.status if project.status in ENDED_STATUSES else ""
    return [
        _state(
            instalment,
            project=project,
            instalments=instalments,
            certificates=certificates,
            open_milestones=open_milestones,
            on=on,
            ended=ended,
        )
        for instalment in instalments
    ]


def next_release_state(project: Project, *, on: datetime.date) -> ReleaseState | None:
    """Return the state of the project's next unreleased instalment, if any."""
    for state in release_states(project, on=on):
        if state.stage != Stage.RELEASED:
            return state
    return None


def pipeline(projects, *, on: datetime.date) -> dict[str, list[ReleaseState]]:
    """Group every project's next instalment by stage, for the dashboard.

    Closed and terminated projects release nothing more and are left out.
    """
    stages = defaultdict(list)
    live = projects.exclude(status__in=ENDED_STATUSES)
    for project in projects_for_pipeline(live, on=on):
        state = next_release_state(project, on=on)
        if state is not None:
            stages[state.stage].append(state)
    return stages


# The pipeline in a grantee's words.
GRANTEE_STAGE_LABELS = {
    **Stage.LABELS,
    Stage.AWAITING_DOCUMENTS: gettext_lazy("What the ministry still needs from you"),
    Stage.UNDER_REVIEW: gettext_lazy("Under the ministry's review"),
}


def with_summary_figures(projects):
    """Annotate the money and next instalment that each project's summary keeps.

    ``released_total``, ``pending_total`` (sanctioned - released) and, for the
    next unreleased instalment, ``next_stage`` (blank when all is released or the
    project has ended; None without a summary), ``next_since``,
    ``next_sequence``, ``next_amount`` and ``next_planned_on``: what
    ``next_release_state`` says, read from one narrow join instead of worked out
    from every instalment, certificate and milestone. The caller brings the
    summaries up to date first (``grants.summaries``).
    """
    return projects.annotate(
        released_total=F("summary__released"),
        pending_total=F("sanctioned_amount") - F("summary__released"),
        next_stage=F("summary__release_stage"),
        next_since=F("summary__stage_since"),
        next_sequence=F("summary__next_instalment__sequence"),
        next_amount=F("summary__next_amount"),
        next_planned_on=F("summary__next_instalment__planned_on"),
    )


@dataclass
class TimelineStep:
    stage: str
    label: str
    state: str  # "done", "current" or "todo"
    on: datetime.date | None = None
    notes: tuple[str, ...] = ()


def release_timeline(state: ReleaseState) -> list[TimelineStep]:
    """Lay out one instalment's way to release, step by step, with dates."""
    instalment = state.instalment
    current = Stage.ORDER.index(state.stage)
    steps = []
    for index, stage in enumerate(Stage.ORDER):
        step = TimelineStep(
            stage=stage,
            label=GRANTEE_STAGE_LABELS[stage],
            state="done"
            if index < current
            else "current"
            if index == current
            else "todo",
        )
        if stage == Stage.PLANNED:
            step.on = instalment.planned_on
        elif stage == Stage.RECOMMENDED:
            step.on = instalment.recommended_on
        elif stage == Stage.RELEASED:
            step.on = instalment.released_on
        if index == current and stage != Stage.PLANNED:
            step.on = step.on or state.since
        waiting = state.stage in (Stage.PLANNED, Stage.AWAITING_DOCUMENTS)
        if stage == Stage.AWAITING_DOCUMENTS and waiting and state.blockers:
            # Before the planned date the same list reads as what is still needed.
            step.notes = tuple(state.blockers)
        if stage == Stage.UNDER_REVIEW and state.stage == Stage.UNDER_REVIEW:
            step.notes = tuple(state.blockers)
        steps.append(step)
    return steps
