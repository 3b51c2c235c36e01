"""What closing a project reconciles: the refund against the final UC, the paperwork
still open, and the assets on the register.

The closure page and ``services.close_project`` both read these functions, so what
the officer is shown before confirming is what the service decides on.

The refund is reconciled against column 7 of the final accepted UC (Form GFR 12-A),
its closing balance. Column 7 is 1 + 2 - 3 + 4 - 6: it already holds the interest
that UC shows earned and not remitted (columns 2 - 3), and every earlier year's
unspent balance and unremitted interest reach it through its opening balance
(column 1). So the closing balance is the whole of what the grantee owes back;
adding the unremitted interest to it once more would count that interest twice.
The interest is still asked for on its own line, because GFR 230(8) sends it to
the Consolidated Fund of India rather than back to the scheme: the refund of
interest is expected to be at least the unremitted interest the final UC shows.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from grants.formatting import format_date
from grants.models import (
    Asset,
    AssetDisposal,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)

# The milestones whose paperwork must be in, or waived, before a project closes.
PAPERWORK_KINDS = (
    Milestone.Kind.PROGRESS_REPORT,
    Milestone.Kind.UTILISATION_CERTIFICATE,
    Milestone.Kind.FINAL_REPORT,
)


@dataclass(frozen=True)
class OpenItem:
    """Something that still keeps a project from closing, and how to settle it.

    ``kind`` says which page settles it: ``milestone`` (waive it), ``report`` or
    ``certificate`` (review it) or ``disposal`` (decide it); ``pk`` is that row's.
    """

    kind: str
    pk: int
    label: str


@dataclass(frozen=True)
class Reconciliation:
    """The refund entered against the final UC's closing balance (GFR 12-A col. 7)."""

    final_uc: UtilisationCertificate | None
    unspent_refunded: int
    interest_refunded: int

    @property
    def closing_balance(self) -> int:
        return self.final_uc.closing_balance if self.final_uc else 0

    @property
    def interest_earned(self) -> int:
        return self.final_uc.interest_earned if self.final_uc else 0

    @property
    def interest_remitted(self) -> int:
        return self.final_uc.interest_remitted if self.final_uc else 0

    @property
    def unremitted_interest(self) -> int:
        """Columns 2 - 3 of the final UC: interest earned and not yet remitted."""
        return self.interest_earned - self.interest_remitted

    @property
    def refund_total(self) -> int:
        return self.unspent_refunded + self.interest_refunded

    @property
    def difference(self) -> int:
        """The refund less the closing balance: above 0 is more, below 0 less."""
        return self.refund_total - self.closing_balance

    @property
    def interest_shortfall(self) -> int:
        """Unremitted interest the interest refund does not cover (GFR 230(8))."""
        return max(0, self.unremitted_interest - self.interest_refunded)


@dataclass
class ClosureAssets:
    """The project's register, split into assets already disposed of and the rest."""

    to_decide: list[Asset] = field(default_factory=list)
    disposed: list[Asset] = field(default_factory=list)


def final_certificate(project: Project) -> UtilisationCertificate | None:
    """Return the project's latest accepted final UC, or None."""
    return (
        project.certificates.accepted()
        .filter(kind=UtilisationCertificate.Kind.FINAL)
        .order_by("-period_end", "-pk")
        .first()
    )


def reconcile(
    project: Project,
    *,
    unspent_refunded: int,
    interest_refunded: int,
    final_uc: UtilisationCertificate | None = None,
) -> Reconciliation:
    """Set the refund entered against the final accepted UC of the project."""
    return Reconciliation(
        final_uc=final_uc if final_uc is not None else final_certificate(project),
        unspent_refunded=unspent_refunded,
        interest_refunded=interest_refunded,
    )


def open_paperwork(project: Project) -> list[OpenItem]:
    """Return what must be waived or decided before the project can close.

    Open (pending or returned) progress reports, UCs and final reports the grantee
    still owes; reports and UCs submitted and still awaiting the ministry's review;
    and disposal requests still awaiting a decision.
    """
    items = [
        OpenItem(
            "milestone",
            milestone.pk,
            _("%(title)s, due %(due)s, is %(status)s")
            % {
                "title": milestone.title,
                "due": format_date(milestone.due_on),
                "status": milestone.get_status_display(),
            },
        )
        for milestone in project.milestones.open()
        .filter(kind__in=PAPERWORK_KINDS)
        .order_by("due_on", "pk")
    ]
    items += [
        OpenItem(
            "report",
            report.pk,
            _("%(title)s (version %(version)s), submitted %(on)s, awaits review")
            % {
                "title": report.milestone.title,
                "version": report.version,
                "on": format_date(report.submitted_on),
            },
        )
        for report in ProgressReport.objects.awaiting_review()
        .filter(milestone__project=project)
        .select_related("milestone")
        .order_by("submitted_on", "pk")
    ]
    items += [
        OpenItem(
            "certificate",
            certificate.pk,
            _("%(kind)s UC %(year)s, submitted %(on)s, awaits review")
            % {
                "kind": certificate.get_kind_display().capitalize(),
                "year": certificate.fiscal_year,
                "on": format_date(certificate.submitted_on),
            },
        )
        for certificate in project.certificates.awaiting_review().order_by(
            "submitted_on", "pk"
        )
    ]
    items += [
        OpenItem(
            "disposal",
            disposal.pk,
            _("the request of %(on)s to dispose of %(asset)s awaits a decision")
            % {
                "on": format_date(disposal.requested_on),
                "asset": disposal.asset.particulars,
            },
        )
        for disposal in AssetDisposal.objects.awaiting_decision()
        .filter(asset__project=project)
        .select_related("asset")
        .order_by("requested_on", "pk")
    ]
    return items


def waived_paperwork(project: Project) -> list[Milestone]:
    """Return the reports and UCs waived on the project, with their reasons."""
    return list(
        project.milestones.filter(
            kind__in=PAPERWORK_KINDS, status=Milestone.Status.WAIVED
        ).order_by("due_on", "pk")
    )


def is_disposed(asset: Asset) -> bool:
    """Whether the asset has left the register: disposed of, or its fate recorded."""
    return bool(asset.disposition) or asset.disposed_on is not None


def closure_assets(project: Project) -> ClosureAssets:
    """Return the project's assets: those needing a disposition, and the rest."""
    split = ClosureAssets()
    for asset in project.assets.select_related("budget_line").order_by(
        "acquired_on", "pk"
    ):
        (split.disposed if is_disposed(asset) else split.to_decide).append(asset)
    return split
