"""A project on one page, for a committee meeting: who, how much, how far, what is late.

Nothing here decides a rule of its own. The money is the staff page's
(``dashboard.with_portfolio_figures``), the next instalment and what holds it back
are the release pipeline's (``pipeline.release_states``), the latest accepted
certificate is the one the summaries take (``summaries.latest_accepted``), and
overdue is ``Milestone.days_past_due``. What a page cannot hold is cut and
counted: a brief is one A4 sheet, however long a report or a list of blockers.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.text import Truncator

from grants.models import Milestone, ProgressReport, Project, UtilisationCertificate
from grants.reads import dashboard, pipeline
from grants.summaries import latest_accepted

# What one A4 page holds beside everything else (tests/test_paper_assets_brief.py
# renders every demo project in both languages and counts the pages).
# The template also clamps each text to a number of lines, so no text, in either
# language, can push the page over.
ABSTRACT_CHARACTERS = 360
NARRATIVE_CHARACTERS = 600
BLOCKERS_SHOWN = 3
OVERDUE_SHOWN = 4
CERTIFICATES_SHOWN = 2
TRL_LEVELS = range(1, 10)


@dataclass
class Shown:
    """The first few of a list, and how many more there are."""

    items: list
    more: int = 0

    @classmethod
    def first(cls, items, count: int) -> "Shown":
        items = list(items)
        return cls(items[:count], max(0, len(items) - count))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class OverdueMilestone:
    milestone: Milestone
    days: int


@dataclass
class TrlStep:
    level: int
    reached: bool
    is_now: bool
    is_target: bool


@dataclass
class CertificateInReview:
    certificate: UtilisationCertificate
    days: int


@dataclass
class ReportSummary:
    report: ProgressReport
    excerpt: str
    is_accepted: bool


@dataclass
class ProjectBrief:
    project: Project
    on: datetime.date
    sanctioned: int
    released: int
    pending: int
    unspent: int
    latest_certificate: UtilisationCertificate | None
    next_state: pipeline.ReleaseState | None
    blockers: Shown  # of sentences
    trl: list[TrlStep]
    report: ReportSummary | None
    overdue: Shown  # of OverdueMilestone
    certificates_in_review: Shown  # of CertificateInReview
    next_certificate: Milestone | None
    abstract: str = ""
    elements: list = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return self.project.is_illustrative


def brief_projects():
    """Projects with every row the brief reads, fetched in a fixed number of queries."""
    projects = dashboard.with_portfolio_figures(Project.objects.all())
    return pipeline.projects_for_pipeline(
        projects.select_related(
            "organisation", "scheme", "principal_investigator", "programme_officer"
        ).prefetch_related("elements")
    )


def trl_path(project: Project) -> list[TrlStep]:
    """Levels 1 to 9, marking those reached, where the project stands and aims."""
    return [
        TrlStep(
            level=level,
            reached=level <= project.trl_now,
            is_now=level == project.trl_now,
            is_target=level == project.trl_target,
        )
        for level in TRL_LEVELS
    ]


def excerpt(text: str, characters: int = NARRATIVE_CHARACTERS) -> str:
    """The text's opening, paragraphs run together, cut at a word with an ellipsis."""
    flowing = re.sub(r"\s+", " ", text).strip()
    return Truncator(flowing).chars(characters)


def latest_report(project: Project) -> ReportSummary | None:
    """The last accepted progress report, or the latest one if none is accepted."""
    reports = ProgressReport.objects.filter(milestone__project=project).select_related(
        "milestone"
    )
    report = (
        reports.filter(status=ProgressReport.Status.ACCEPTED)
        .order_by("-period_end", "-decided_on", "-pk")
        .first()
    )
    if report is None:
        report = reports.order_by("-period_end", "-submitted_on", "-pk").first()
    if report is None:
        return None
    return ReportSummary(
        report=report,
        excerpt=excerpt(report.narrative),
        is_accepted=report.status == ProgressReport.Status.ACCEPTED,
    )


def project_brief(project: Project, *, on: datetime.date) -> ProjectBrief:
    """The brief of a project fetched through ``brief_projects()``, as on a day."""
    states = pipeline.release_states(project, on=on)
    next_state = next(
        (state for state in states if state.stage != pipeline.Stage.RELEASED), None
    )
    certificates = list(project.certificates.all())
    # Every open milestone, by due date: the longest overdue come first.
    open_milestones = project.open_milestones
    overdue = [
        OverdueMilestone(milestone, milestone.days_past_due(on=on))
        for milestone in open_milestones
        if milestone.is_overdue(on=on)
    ]
    next_certificate = next(
        (
            milestone
            for milestone in open_milestones
            if milestone.kind == Milestone.Kind.UTILISATION_CERTIFICATE
            and not milestone.is_overdue(on=on)
        ),
        None,
    )
    return ProjectBrief(
        project=project,
        on=on,
        sanctioned=project.sanctioned_amount,
        released=project.released_total,
        pending=project.pending_total,
        unspent=project.unspent_balance,
        latest_certificate=latest_accepted(certificates),
        next_state=next_state,
        blockers=Shown.first(next_state.blockers if next_state else [], BLOCKERS_SHOWN),
        trl=trl_path(project),
        report=latest_report(project),
        overdue=Shown.first(overdue, OVERDUE_SHOWN),
        certificates_in_review=Shown.first(
            (
                CertificateInReview(uc, (on - uc.submitted_on).days)
                for uc in certificates
                if uc.status == UtilisationCertificate.Status.SUBMITTED
            ),
            CERTIFICATES_SHOWN,
        ),
        next_certificate=next_certificate,
        abstract=excerpt(project.abstract, ABSTRACT_CHARACTERS),
        elements=list(project.elements.all()),
    )
