"""Closing a project: the final paperwork, the refund reconciled, the assets' fate.

The reconciliation's arithmetic and the list of what is still open are read from
``grants.reads.closure``, which the closure page shows before the officer confirms.
"""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from grants.formatting import written_text
from grants.models import Asset, Milestone, Project, User, UtilisationCertificate
from grants.reads import closure as reads
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated
from grants.services.notices import tell_closure

# What the officer gives each asset at closure: (disposition, note, sale proceeds).
AssetDisposition = tuple[str, str, int]


def asset_field(asset_pk: int, name: str) -> str:
    """The closure form's field for one asset's ``disposition``, ``note`` or
    ``sale_proceeds``; refusals about an asset are filed under it."""
    return f"asset_{asset_pk}_{name}"


def describe_dispositions(
    assets: reads.ClosureAssets, dispositions: Mapping[int, AssetDisposition]
) -> str:
    """Write the assets' dispositions as the one-paragraph summary kept on the
    project (``Project.asset_disposition``): those given at closure, then those
    disposed of before it."""
    labels = dict(Asset.Disposition.choices)
    parts = []
    for asset in assets.to_decide:
        disposition, note, proceeds = dispositions[asset.pk]
        text = f"{asset.particulars}: {labels[disposition]}"
        if disposition == Asset.Disposition.SOLD:
            text += f" ({_rupees(proceeds)})"
        if note:
            text += f", {note}"
        parts.append(text)
    for asset in assets.disposed:
        fate = labels.get(asset.disposition) or _("written off")
        when = _date(asset.disposed_on) if asset.disposed_on else "—"
        parts.append(
            _("%(asset)s: %(fate)s before closure, %(when)s")
            % {"asset": asset.particulars, "fate": fate, "when": when}
        )
    return "; ".join(parts) + "."


def _check_standing(project: Project, closed_on: datetime.date):
    if project.status == Project.Status.CLOSED:
        raise GrantRuleError(
            _("%(reference)s is already closed.") % {"reference": project.reference}
        )
    if project.status == Project.Status.TERMINATED:
        raise GrantRuleError(
            _("%(reference)s was terminated, not completed.")
            % {"reference": project.reference}
        )
    check_dated("closed_on", closed_on, not_before=project.sanctioned_on)
    if project.status != Project.Status.COMPLETED and closed_on <= project.end_on:
        raise GrantRuleError(
            _(
                "%(reference)s runs until %(end)s: it can be closed once it is "
                "technically completed or has ended."
            )
            % {"reference": project.reference, "end": _date(project.end_on)}
        )


def _check_final_paperwork(project: Project) -> UtilisationCertificate:
    missing = []
    final_report_met = project.milestones.filter(
        kind=Milestone.Kind.FINAL_REPORT,
        status__in=[Milestone.Status.ACCEPTED, Milestone.Status.WAIVED],
    ).exists()
    if not final_report_met:
        missing.append(_("the final technical report is not accepted"))
    final_uc = reads.final_certificate(project)
    if final_uc is None:
        missing.append(_("the final utilisation certificate is not accepted"))
    if missing:
        raise GrantRuleError(
            _("%(reference)s cannot be closed: %(missing)s.")
            % {"reference": project.reference, "missing": _(" and ").join(missing)}
        )
    open_items = reads.open_paperwork(project)
    if open_items:
        raise GrantRuleError(
            _(
                "%(reference)s cannot be closed while these are open: %(items)s. "
                "Waive each report or certificate still owed, with a reason, and "
                "decide those awaiting review first."
            )
            % {
                "reference": project.reference,
                "items": _("; ").join(str(item.label) for item in open_items),
            }
        )
    return final_uc


def _refund_errors(
    reconciliation: reads.Reconciliation, *, reason: str, refund_reference: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if reconciliation.difference and not reason:
        if reconciliation.difference > 0:
            message = _(
                "The refund of %(total)s (%(unspent)s unspent + %(interest)s "
                "interest) is %(difference)s more than the final UC's closing "
                "balance of %(closing)s (column 7 of GFR 12-A, which already holds "
                "its unremitted interest). Enter the refund that matches it, or "
                "record why the refund differs."
            )
        else:
            message = _(
                "The refund of %(total)s (%(unspent)s unspent + %(interest)s "
                "interest) is %(difference)s less than the final UC's closing "
                "balance of %(closing)s (column 7 of GFR 12-A, which already holds "
                "its unremitted interest). Enter the refund that matches it, or "
                "record why the refund differs."
            )
        errors["refund_difference_reason"] = [
            message
            % {
                "total": _rupees(reconciliation.refund_total),
                "unspent": _rupees(reconciliation.unspent_refunded),
                "interest": _rupees(reconciliation.interest_refunded),
                "difference": _rupees(abs(reconciliation.difference)),
                "closing": _rupees(reconciliation.closing_balance),
            }
        ]
    if reconciliation.interest_shortfall and not reason:
        errors["interest_refunded"] = [
            _(
                "The final UC shows %(interest)s of interest not yet remitted; it "
                "must be refunded before closure (GFR 230(8)), or the reason it is "
                "not recorded."
            )
            % {"interest": _rupees(reconciliation.unremitted_interest)}
        ]
    if reconciliation.refund_total and not refund_reference:
        errors["refund_reference"] = [_("Record the challan or UTR of the refund.")]
    return errors


def _asset_errors(
    project: Project,
    to_decide: list[Asset],
    dispositions: Mapping[int, AssetDisposition],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    ours = {asset.pk for asset in project.assets.all()}
    if strangers := set(dispositions) - ours:
        errors["__all__"] = [
            _("Asset %(pks)s is not on the register of %(reference)s.")
            % {
                "pks": ", ".join(str(pk) for pk in sorted(strangers)),
                "reference": project.reference,
            }
        ]
    valid = set(Asset.Disposition.values)
    for asset in to_decide:
        disposition, _note, proceeds = dispositions.get(asset.pk, ("", "", 0))
        if disposition not in valid:
            errors[asset_field(asset.pk, "disposition")] = [
                _(
                    "Say what happens to %(asset)s: retained, transferred, sold or "
                    "vested in the ministry (GFR 230(9), 233)."
                )
                % {"asset": asset.particulars}
            ]
        elif disposition == Asset.Disposition.SOLD and not proceeds:
            errors[asset_field(asset.pk, "sale_proceeds")] = [
                _(
                    "%(asset)s is sold: record the proceeds, which go to the "
                    "ministry (GFR 233)."
                )
                % {"asset": asset.particulars}
            ]
        elif disposition != Asset.Disposition.SOLD and proceeds:
            errors[asset_field(asset.pk, "sale_proceeds")] = [
                _("Only a sold asset has sale proceeds.")
            ]
        elif proceeds < 0:
            errors[asset_field(asset.pk, "sale_proceeds")] = [
                _("An amount cannot be negative.")
            ]
    return errors


def _normalise(
    asset_dispositions: Mapping[int, AssetDisposition] | None,
) -> dict[int, AssetDisposition]:
    return {
        int(pk): (disposition or "", written_text(note), proceeds or 0)
        for pk, (disposition, note, proceeds) in (asset_dispositions or {}).items()
    }


def _check(
    project: Project,
    *,
    closed_on: datetime.date,
    unspent_refunded: int,
    interest_refunded: int,
    refund_reference: str,
    asset_disposition: str,
    refund_difference_reason: str,
    asset_dispositions: Mapping[int, AssetDisposition],
) -> tuple[reads.Reconciliation, reads.ClosureAssets]:
    """Refuse the closure if any rule is not met; return what it reconciles."""
    _check_standing(project, closed_on)
    final_uc = _check_final_paperwork(project)
    reconciliation = reads.reconcile(
        project,
        unspent_refunded=unspent_refunded,
        interest_refunded=interest_refunded,
        final_uc=final_uc,
    )
    assets = reads.closure_assets(project)
    errors = _refund_errors(
        reconciliation,
        reason=refund_difference_reason,
        refund_reference=refund_reference,
    )
    errors.update(_asset_errors(project, assets.to_decide, asset_dispositions))
    if not asset_disposition and not (assets.to_decide or assets.disposed):
        errors["asset_disposition"] = [
            _(
                "Record what happens to the assets bought from the grant "
                "(GFR 230(9), 233), or that none were bought."
            )
        ]
    if errors:
        raise GrantRuleError(errors)
    return reconciliation, assets


def check_closure(
    project: Project,
    *,
    closed_on: datetime.date,
    unspent_refunded: int,
    interest_refunded: int,
    refund_reference: str,
    asset_disposition: str = "",
    refund_difference_reason: str = "",
    asset_dispositions: Mapping[int, AssetDisposition] | None = None,
) -> reads.Reconciliation:
    """Say, without writing anything, whether ``close_project`` would refuse.

    Raises the ``GrantRuleError`` the closure would; otherwise returns the
    reconciliation the officer is asked to confirm.
    """
    reconciliation, _assets = _check(
        project,
        closed_on=closed_on,
        unspent_refunded=unspent_refunded,
        interest_refunded=interest_refunded,
        refund_reference=written_text(refund_reference),
        asset_disposition=written_text(asset_disposition),
        refund_difference_reason=written_text(refund_difference_reason),
        asset_dispositions=_normalise(asset_dispositions),
    )
    return reconciliation


@transaction.atomic
def close_project(
    project: Project,
    *,
    closed_on: datetime.date,
    unspent_refunded: int,
    interest_refunded: int,
    refund_reference: str,
    asset_disposition: str = "",
    refund_difference_reason: str = "",
    asset_dispositions: Mapping[int, AssetDisposition] | None = None,
    closed_by: User | None = None,
) -> Project:
    """Close a completed project once its paperwork, refund and assets are settled.

    Needs the final report and the final UC accepted; no report, UC or disposal
    request still open (a report or UC still owed is waived with a reason first);
    a refund equal to the final UC's closing balance, with at least its unremitted
    interest refunded as interest (GFR 230(8), 230(16)), unless the officer
    records why it differs; a challan or UTR for any refund; and a disposition
    for every asset on the register not yet disposed of (GFR 230(9), 233), written
    in this same transaction. ``asset_disposition`` is the summary kept on the
    project: blank, it is written from the assets' dispositions.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    dispositions = _normalise(asset_dispositions)
    reason = written_text(refund_difference_reason)
    _reconciliation, assets = _check(
        project,
        closed_on=closed_on,
        unspent_refunded=unspent_refunded,
        interest_refunded=interest_refunded,
        refund_reference=written_text(refund_reference),
        asset_disposition=written_text(asset_disposition),
        refund_difference_reason=reason,
        asset_dispositions=dispositions,
    )
    # The summary and the change reasons are kept: English, as data.
    with in_default_language():
        summary = written_text(asset_disposition) or describe_dispositions(
            assets, dispositions
        )
    for asset in assets.to_decide:
        disposition, note, proceeds = dispositions[asset.pk]
        asset.disposition = disposition
        asset.disposition_note = note
        asset.sale_proceeds = proceeds if disposition == Asset.Disposition.SOLD else 0
        asset.disposed_on = closed_on
        with in_default_language():
            why = f"Closure of {project.reference}: {asset.get_disposition_display()}"
        _save(
            asset,
            reason=why,
            by=closed_by,
            update_fields=[
                "disposition",
                "disposition_note",
                "sale_proceeds",
                "disposed_on",
            ],
        )
    project.status = Project.Status.CLOSED
    project.closed_on = closed_on
    project.unspent_refunded = unspent_refunded
    project.interest_refunded = interest_refunded
    project.refund_reference = written_text(refund_reference)
    project.refund_difference_reason = reason
    project.asset_disposition = summary
    refund = (
        f"refunded under {project.refund_reference}"
        if project.refund_reference
        else "nothing to refund"
    )
    if reason:
        total = _rupees(unspent_refunded + interest_refunded)
        refund += f" ({total}, differing from the final UC: {reason})"
    with in_default_language():
        why = (
            f"Closed on {_date(closed_on)}, {refund}; assets: "
            f"{project.asset_disposition}"
        )
    _save(project, reason=why, by=closed_by)
    tell_closure(project, decided_by=closed_by, decided_on=closed_on)
    return project
