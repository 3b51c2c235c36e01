"""The register of fixed assets bought from a grant (Form GFR-22, GFR 230(9), 233)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import actor_field, money_field, non_negative
from grants.models.decisions import Decided, DecidedQuerySet, decision_constraints
from grants.models.money import BudgetLine
from grants.models.paperwork import Document
from grants.models.projects import Project


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the assets of projects the user may see."""
        return self.filter(project__in=Project.objects.visible_to(user))


class Asset(models.Model):
    """One row of Form GFR-22: an asset bought wholly or mainly from the grant."""

    class Disposition(models.TextChoices):
        # What happens to the asset when the project closes (GFR 230(9), 233).
        RETAINED = "retained", _("retained by the grantee")
        TRANSFERRED = "transferred", _("transferred")
        SOLD = "sold", _("sold, proceeds to the ministry")
        VESTED = "vested", _("vested in the ministry (sponsored project)")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="assets",
        verbose_name=_("project"),
    )
    # The columns of Form GFR-22, in its order.
    acquired_on = models.DateField(_("1. date"))
    particulars = models.CharField(_("2. particulars of the asset"), max_length=300)
    supplier = models.CharField(_("3. supplier's name and address"), max_length=300)
    bill_number = models.CharField(_("4. bill number"), max_length=60)
    bill_date = models.DateField(_("4. bill date"))
    cost = money_field(_("5. cost of the asset (Rs)"))
    location = models.CharField(_("6. location of the asset"), max_length=200)
    remarks = models.TextField(_("7. remarks"), blank=True)
    # RESTRICT, here and for the invoice: kept while the asset names them, and
    # deleted with the project when the whole project is.
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.RESTRICT,
        related_name="assets",
        null=True,
        blank=True,
        verbose_name=_("funded from"),
    )
    invoice = models.ForeignKey(
        Document,
        on_delete=models.RESTRICT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("invoice"),
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = actor_field(_("recorded by"))
    disposition = models.CharField(
        _("disposition"), max_length=12, choices=Disposition, blank=True
    )
    disposition_note = models.TextField(_("disposition note"), blank=True)
    sale_proceeds = money_field(_("sale proceeds to the ministry (Rs)"))
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)

    history = HistoricalRecords()

    objects = AssetQuerySet.as_manager()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["project", "acquired_on", "pk"]
        indexes = [models.Index(fields=["project", "acquired_on"])]
        constraints = [
            *non_negative("cost", "sale_proceeds", model="asset"),
            models.CheckConstraint(
                condition=Q(cost__gt=0),
                name="asset_cost_positive",
                violation_error_message=_("An asset has a cost above zero."),
            ),
            models.CheckConstraint(
                condition=Q(sale_proceeds=0) | Q(disposition="sold"),
                name="asset_proceeds_only_when_sold",
                violation_error_message=_("Only a sold asset has sale proceeds."),
            ),
            models.CheckConstraint(
                condition=Q(bill_date__lte=F("recorded_on")),
                name="asset_bill_not_after_record",
                violation_error_message=_(
                    "The bill cannot be dated after the day it is recorded."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.project.reference}: {self.particulars}"


class AssetDisposal(Decided):
    """A request to dispose of an asset, which needs the ministry's prior approval."""

    class Kind(models.TextChoices):
        SALE = "sale", _("sale")
        TRANSFER = "transfer", _("transfer to another body")
        WRITE_OFF = "write_off", _("write-off (unserviceable)")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("asked")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    AWAITING_DECISION = Status.REQUESTED

    asset = models.ForeignKey(
        Asset,
        on_delete=models.CASCADE,
        related_name="disposals",
        verbose_name=_("asset"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    reason = models.TextField(_("reason"))
    expected_proceeds = money_field(_("expected proceeds (Rs)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.REQUESTED
    )
    requested_on = models.DateField(_("requested on"))
    requested_by = actor_field(_("requested by"))
    # decided_on and decided_by: from Decided.
    decision_comment = models.TextField(_("decision comment"), blank=True)

    history = HistoricalRecords()

    objects = DecidedQuerySet.as_manager()

    class Meta:
        verbose_name = _("asset disposal")
        verbose_name_plural = _("asset disposals")
        ordering = ["asset", "requested_on", "pk"]
        permissions = [("decide_asset_disposal", "Can approve or refuse a disposal")]
        constraints = [
            *non_negative("expected_proceeds", model="assetdisposal"),
            *decision_constraints(
                "assetdisposal",
                reason_field="decision_comment",
                reason_message=_("A refusal needs a reason."),
                date_message=_("A decided request needs its decision date."),
                refused="refused",
                waiting="requested",
                reason_check="refusal_has_reason",
            ),
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(status="requested"),
                name="assetdisposal_one_open_request",
                violation_error_message=_(
                    "This asset already has a disposal request waiting."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.asset}: {self.get_kind_display()}"
