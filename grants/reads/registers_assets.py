"""The register of fixed assets as Form GFR 22 prints it, for one project or many.

Columns in the form's order: 1 date, 2 particulars of the asset, 3 supplier's
name and address, 4 bill number and date, 5 cost, 6 location, 7 remarks. The
remarks column says what the form leaves to the keeper: the grantee's own remark,
the budget line the asset was paid from, and where its disposal stands (asked
for, approved or refused by the ministry, or done). Rows are grouped by project,
each with its total, in a fixed number of queries however many assets there are.
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from grants.formatting import format_date, format_inr
from grants.models import Asset, AssetDisposal, Project

RUPEE = "₹\u00a0"  # the rupee sign and a no-break space, as on every page


@dataclass
class AssetLine:
    """One row of the form: the asset and what its remarks column says."""

    asset: Asset
    remarks: list[str]


@dataclass
class ProjectAssets:
    """The rows of one project, in the order they were acquired."""

    project: Project
    lines: list[AssetLine]

    @property
    def total(self) -> int:
        return sum(line.asset.cost for line in self.lines)


@dataclass
class AssetRegister:
    groups: list[ProjectAssets] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def count(self) -> int:
        return sum(len(group.lines) for group in self.groups)

    @property
    def illustrative(self) -> bool:
        """Whether any row comes from a demo project (the paper then says so)."""
        return any(group.project.is_illustrative for group in self.groups)


def _money(amount) -> str:
    return format_inr(amount, symbol=RUPEE)


def _day(day: datetime.date) -> str:
    return format_date(day, "d M Y")


def disposal_remarks(asset: Asset) -> list[str]:
    """Where the asset's disposal stands, in the reader's language.

    Reads ``asset.disposals`` (prefetched, oldest request first).
    """
    remarks = []
    if asset.disposition:
        remark = _("Disposition: %(disposition)s") % {
            "disposition": asset.get_disposition_display()
        }
        if asset.sale_proceeds:
            remark += f" ({_money(asset.sale_proceeds)})"
        if asset.disposed_on:
            remark += f", {_day(asset.disposed_on)}"
        remarks.append(remark)
    elif asset.disposed_on:
        remarks.append(_("Disposed of on %(day)s") % {"day": _day(asset.disposed_on)})
    if asset.disposition_note:
        remarks.append(asset.disposition_note)
    for request in asset.disposals.all():
        values = {
            "kind": request.get_kind_display().capitalize(),
            "day": _day(request.requested_on),
        }
        if request.status == AssetDisposal.Status.REQUESTED:
            remark = (
                _("%(kind)s asked for on %(day)s: waiting for the ministry's decision")
                % values
            )
        else:
            remark = _("%(kind)s asked for on %(day)s: %(status)s") % {
                **values,
                "status": request.get_status_display(),
            }
            if request.decided_on:
                remark += f" {_day(request.decided_on)}"
        if request.expected_proceeds:
            remark += " (%s)" % (
                _("expected proceeds %(amount)s")
                % {"amount": _money(request.expected_proceeds)}
            )
        if request.decision_comment:
            remark += f". {_('The ministry:')} {request.decision_comment}"
        remarks.append(remark)
    if not remarks:
        remarks.append(_("In use"))
    return remarks


def asset_remarks(asset: Asset) -> list[str]:
    """Column 7: the grantee's remark, the budget line paid from, the disposal."""
    remarks = [asset.remarks] if asset.remarks.strip() else []
    if asset.budget_line is not None:
        remarks.append(_("Funded from: %(line)s") % {"line": asset.budget_line})
    return remarks + disposal_remarks(asset)


def register_queryset(assets):
    """The assets with everything the register prints, in the register's order."""
    disposals = AssetDisposal.objects.order_by("requested_on", "pk")
    return (
        assets.select_related("project__organisation", "budget_line")
        .prefetch_related(Prefetch("disposals", queryset=disposals))
        .order_by("project__reference", "acquired_on", "pk")
    )


def asset_register(assets, *, project: Project | None = None) -> AssetRegister:
    """Form GFR 22 for the given assets (a queryset), grouped by project.

    With ``project``, the register is that project's, and has its heading even
    when nothing is on it yet.
    """
    register = AssetRegister()
    if project is not None:
        assets = assets.filter(project=project)
    rows = register_queryset(assets)
    for _project_id, group in groupby(rows, key=lambda asset: asset.project_id):
        group = list(group)
        register.groups.append(
            ProjectAssets(
                project=group[0].project,
                lines=[AssetLine(asset, asset_remarks(asset)) for asset in group],
            )
        )
    if project is not None and not register.groups:
        register.groups.append(ProjectAssets(project=project, lines=[]))
    return register
