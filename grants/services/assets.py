"""The register of fixed assets (Form GFR-22) and disposals with prior approval.

A grantee records each asset bought wholly or mainly from the grant, with its
invoice (GFR 230(9); the GFR 12-A certificate says the asset register is kept).
An asset is not disposed of without the ministry's prior approval (GFR 230(9)):
the grantee asks, and a programme or finance officer approves or refuses.
"""

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.formatting import is_blank, written_text
from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Document,
    Project,
    User,
)
from grants.reads.closure import is_disposed
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated
from grants.services.documents import (
    CERTIFICATE_SUBMITTER_ROLES,
    _remove_files,
    _under,
    member_roles,
    store_document,
)
from grants.services.notices import tell_disposal_decision

# Who keeps the register: those who sign the UC that certifies it is kept.
ASSET_KEEPER_ROLES = CERTIFICATE_SUBMITTER_ROLES
DECIDE_PERMISSION = "grants.decide_asset_disposal"
# What an approved disposal makes of the asset. A write-off has no disposition of
# its own: the asset leaves the register with its disposal date and note only.
DISPOSITION_OF = {
    AssetDisposal.Kind.SALE: Asset.Disposition.SOLD,
    AssetDisposal.Kind.TRANSFER: Asset.Disposition.TRANSFERRED,
    AssetDisposal.Kind.WRITE_OFF: "",
}


def refusal_for_assets(project: Project) -> str:
    """Say who may keep a project's register of assets."""
    return _(
        "Only the principal investigator or the finance officer of %(organisation)s "
        "can record assets of %(reference)s or ask to dispose of them."
    ) % {"organisation": project.organisation, "reference": project.reference}


def _require_keeper(user: User | None, project: Project):
    if user is None or not member_roles(user, project) & ASSET_KEEPER_ROLES:
        raise GrantRuleError(refusal_for_assets(project), code="role")


def earliest_bill_date(project: Project) -> datetime.date:
    """The earliest day a bill for the project's assets may carry.

    The sanction date, or the start date if that is earlier. GFR 230(15) lets a
    grant meet expenditure up to two years before the sanction only when the
    sanction says so; the app does not record such a term, so a bill before the
    sanction is refused (ministry practice, default).
    """
    return min(project.sanctioned_on, project.start_on)


def asset_date_problems(
    project: Project,
    *,
    acquired_on: datetime.date | None,
    bill_date: datetime.date | None,
    recorded_on: datetime.date | None = None,
) -> dict[str, str]:
    """Return what is wrong with an asset's dates, by form field: each falls
    between the project's sanction (``earliest_bill_date``) and today.

    The asset form asks while it is cleaned (of the dates it could read);
    ``record_asset`` asks again.
    """
    errors = {}
    today = timezone.localdate()
    latest = min(today, recorded_on) if recorded_on else today
    earliest = earliest_bill_date(project)
    for name, day, after_today, before_sanction in (
        (
            "bill_date",
            bill_date,
            _("The bill cannot be dated after today."),
            _(
                "The bill is dated %(day)s, before the project's sanction of "
                "%(earliest)s: the grant does not meet expenditure before its "
                "sanction unless the sanction says so (GFR 230(15))."
            ),
        ),
        (
            "acquired_on",
            acquired_on,
            _("The asset cannot be dated after today."),
            _(
                "The asset is dated %(day)s, before the project's sanction of "
                "%(earliest)s: the grant does not meet expenditure before its "
                "sanction unless the sanction says so (GFR 230(15))."
            ),
        ),
    ):
        if day is None:
            continue
        if day > latest:
            errors[name] = after_today
        elif day < earliest:
            errors[name] = before_sanction % {
                "day": _date(day),
                "earliest": _date(earliest),
            }
    return errors


def record_asset(
    project: Project,
    *,
    acquired_on: datetime.date,
    particulars: str,
    supplier: str,
    bill_number: str,
    bill_date: datetime.date,
    cost: int,
    location: str,
    remarks: str = "",
    budget_line: BudgetLine | None = None,
    invoice_file: UploadedFile,
    recorded_on: datetime.date,
    recorded_by: User,
) -> Asset:
    """Enter an asset bought from the grant in the project's register (GFR-22).

    Only the principal investigator or the organisation's finance officer may.
    The invoice is checked and stored like every upload, as a ``Document`` of
    kind ``asset_invoice``; a refused asset keeps no file, a refused file no asset.
    """
    _require_keeper(recorded_by, project)
    if project.status == Project.Status.CLOSED:
        raise GrantRuleError(
            _("%(reference)s is closed: its register of assets is final.")
            % {"reference": project.reference}
        )
    errors = asset_date_problems(
        project, acquired_on=acquired_on, bill_date=bill_date, recorded_on=recorded_on
    )
    if cost is None or cost <= 0:
        errors["cost"] = _("An asset has a cost above zero.")
    if budget_line is not None and budget_line.project_id != project.pk:
        errors["budget_line"] = _(
            "That budget line belongs to another project: choose one of %(reference)s."
        ) % {"reference": project.reference}
    for name, value, label in (
        ("particulars", particulars, _("Describe the asset.")),
        ("supplier", supplier, _("Give the supplier's name and address.")),
        ("bill_number", bill_number, _("Give the bill number.")),
        ("location", location, _("Say where the asset is kept.")),
    ):
        if is_blank(value):
            errors[name] = label
    if errors:
        raise GrantRuleError(errors)
    stored = []
    try:
        with transaction.atomic():
            # A closure committed since the page was read closes the register:
            # read the project again under its lock, as the closure holds it.
            locked = Project.objects.select_for_update().get(pk=project.pk)
            if locked.status == Project.Status.CLOSED:
                raise GrantRuleError(
                    _("%(reference)s is closed: its register of assets is final.")
                    % {"reference": project.reference}
                )
            # What is stored is written in the default language: it is data.
            with in_default_language():
                description = _("Invoice %(number)s for %(asset)s") % {
                    "number": bill_number.strip(),
                    "asset": particulars.strip(),
                }
                why = (
                    f"Recorded: bill {bill_number.strip()} of {_date(bill_date)}, "
                    f"{_rupees(cost)}"
                )
            try:
                invoice = store_document(
                    project,
                    uploaded_file=invoice_file,
                    kind=Document.Kind.ASSET_INVOICE,
                    uploaded_by=recorded_by,
                    description=description,
                )
            except GrantRuleError as error:
                raise _under("invoice_file", error) from error
            stored.append(invoice)
            asset = _save(
                Asset(
                    project=project,
                    acquired_on=acquired_on,
                    particulars=particulars.strip(),
                    supplier=supplier.strip(),
                    bill_number=bill_number.strip(),
                    bill_date=bill_date,
                    cost=cost,
                    location=location.strip(),
                    remarks=remarks.strip(),
                    budget_line=budget_line,
                    invoice=invoice,
                    recorded_on=recorded_on,
                    recorded_by=recorded_by,
                ),
                reason=why,
                by=recorded_by,
            )
    except BaseException:
        _remove_files(stored)
        raise
    return asset


@transaction.atomic
def request_disposal(
    asset: Asset,
    *,
    kind: str,
    reason: str,
    expected_proceeds: int = 0,
    requested_on: datetime.date,
    requested_by: User,
) -> AssetDisposal:
    """Ask the ministry's prior approval to dispose of an asset (GFR 230(9)).

    One request at a time per asset, and none for an asset already disposed of.
    A sale says what it is expected to bring; nothing else brings proceeds.
    """
    # The project first, as a closure takes it, then the asset.
    project = Project.objects.select_for_update().get(pk=asset.project_id)
    asset = (
        Asset.objects.select_for_update()
        .select_related("project__organisation")
        .get(pk=asset.pk)
    )
    _require_keeper(requested_by, asset.project)
    if project.status == Project.Status.CLOSED:
        raise GrantRuleError(
            _("%(reference)s is closed: its assets were disposed of at closure.")
            % {"reference": project.reference}
        )
    if is_disposed(asset):
        raise GrantRuleError(
            _("%(asset)s was already disposed of on %(day)s.")
            % {
                "asset": asset.particulars,
                "day": _date(asset.disposed_on) if asset.disposed_on else "—",
            }
        )
    waiting = asset.disposals.awaiting_decision().first()
    if waiting is not None:
        raise GrantRuleError(
            _(
                "The request of %(day)s to dispose of %(asset)s is still waiting for "
                "the ministry's decision: one request at a time."
            )
            % {"day": _date(waiting.requested_on), "asset": asset.particulars}
        )
    errors = {}
    if kind not in AssetDisposal.Kind.values:
        errors["kind"] = _("Choose a sale, a transfer or a write-off.")
    if is_blank(reason):
        errors["reason"] = _("Say why the asset should be disposed of.")
    expected_proceeds = expected_proceeds or 0
    if expected_proceeds < 0:
        errors["expected_proceeds"] = _("An amount cannot be negative.")
    elif kind == AssetDisposal.Kind.SALE and not expected_proceeds:
        errors["expected_proceeds"] = _(
            "Say what the sale is expected to bring: the proceeds go to the ministry."
        )
    elif kind != AssetDisposal.Kind.SALE and expected_proceeds:
        errors["expected_proceeds"] = _("Only a sale brings proceeds.")
    if errors:
        raise GrantRuleError(errors)
    return _save(
        AssetDisposal(
            asset=asset,
            kind=kind,
            reason=reason.strip(),
            expected_proceeds=expected_proceeds,
            requested_on=requested_on,
            requested_by=requested_by,
        ),
        reason=f"Requested: {reason.strip()}",
        by=requested_by,
    )


def _open_request(disposal: AssetDisposal, decided_by: User) -> AssetDisposal:
    if not decided_by.has_perm(DECIDE_PERMISSION):
        raise GrantRuleError(
            _("Only a programme or finance officer may decide an asset's disposal.")
        )
    disposal = (
        AssetDisposal.objects.select_for_update()
        .select_related("asset__project")
        .get(pk=disposal.pk)
    )
    if disposal.status != AssetDisposal.Status.REQUESTED:
        raise GrantRuleError(
            _("This disposal request was already %(status)s on %(day)s.")
            % {
                "status": disposal.get_status_display(),
                "day": _date(disposal.decided_on) if disposal.decided_on else "—",
            }
        )
    return disposal


def _refuse_a_day_to_come(disposal: AssetDisposal, decided_on: datetime.date) -> None:
    """A decision is dated the day it is taken, or before: never a day to come,
    and never before the request it decides."""
    if decided_on > timezone.localdate():
        raise GrantRuleError(
            {"decided_on": _("A decision cannot be dated a day still to come.")}
        )
    check_dated("decided_on", decided_on, asked_on=disposal.requested_on)


@transaction.atomic
def approve_disposal(
    disposal: AssetDisposal,
    *,
    decided_on: datetime.date,
    decided_by: User,
    comment: str = "",
) -> AssetDisposal:
    """Approve a disposal: the asset leaves the register with its disposition.

    A sale makes the asset sold, its expected proceeds due to the ministry; a
    transfer makes it transferred; a write-off records its date and note only.
    """
    disposal = _open_request(disposal, decided_by)
    _refuse_a_day_to_come(disposal, decided_on)
    asset = Asset.objects.select_for_update().get(pk=disposal.asset_id)
    if is_disposed(asset):
        raise GrantRuleError(
            _("%(asset)s was already disposed of.") % {"asset": asset.particulars}
        )
    disposal.status = AssetDisposal.Status.APPROVED
    disposal.decided_on = decided_on
    disposal.decided_by = decided_by
    disposal.decision_comment = written_text(comment)
    # The change reason and the note are kept: written in the default language.
    with in_default_language():
        why = f"Approved {disposal.get_kind_display()}"
        if not is_blank(comment):
            why += f": {comment.strip()}"
        note = _("%(kind)s approved on %(day)s: %(reason)s") % {
            "kind": disposal.get_kind_display().capitalize(),
            "day": _date(decided_on),
            "reason": disposal.reason,
        }
    _save(disposal, reason=why, by=decided_by)

    asset.disposition = DISPOSITION_OF[disposal.kind]
    asset.sale_proceeds = (
        disposal.expected_proceeds if disposal.kind == AssetDisposal.Kind.SALE else 0
    )
    asset.disposed_on = decided_on
    asset.disposition_note = note
    _save(
        asset,
        reason=why,
        by=decided_by,
        update_fields=[
            "disposition",
            "sale_proceeds",
            "disposed_on",
            "disposition_note",
        ],
    )
    tell_disposal_decision(disposal, decided_by=decided_by)
    return disposal


@transaction.atomic
def refuse_disposal(
    disposal: AssetDisposal,
    *,
    decided_on: datetime.date,
    decided_by: User,
    comment: str,
) -> AssetDisposal:
    """Refuse a disposal, saying why; the asset stays on the register."""
    if is_blank(comment):
        raise GrantRuleError(
            {"comment": _("Say why the disposal is refused: the grantee reads it.")}
        )
    disposal = _open_request(disposal, decided_by)
    _refuse_a_day_to_come(disposal, decided_on)
    disposal.status = AssetDisposal.Status.REFUSED
    disposal.decided_on = decided_on
    disposal.decided_by = decided_by
    disposal.decision_comment = written_text(comment)
    _save(disposal, reason=f"Refused: {comment.strip()}", by=decided_by)
    tell_disposal_decision(disposal, decided_by=decided_by)
    return disposal
