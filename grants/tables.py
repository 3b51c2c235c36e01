"""The staff workspace's tables (django-tables2), one per list page.

A table never queries per row: every column reads a field or an annotation the
row queryset prepared (``grants.reads.rows``), and every column sorts in the
database, computed ones included. Each table also says what its CSV and XLSX
exports hold (``export_columns``), read straight from ``values_list``.
"""

import django_tables2 as tables
from django.db.models import (
    F,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.exports import ExportColumn
from grants.formatting import format_date, format_inr
from grants.models import (
    Asset,
    BudgetLine,
    Instalment,
    Milestone,
    Organisation,
    Project,
    Reminder,
    UtilisationCertificate,
)
from grants.reads.rows import DisposalState, InstalmentState
from grants.templatetags.bilingual import in_lang

TABLE_TEMPLATE = "grants/staff/includes/table.html"
RUPEE = "₹\u00a0"
# An identifier the grantee has not given yet, in an export cell.
NOT_RECORDED = _("not recorded")


def _choices(choices_class) -> dict:
    """Each code to its label, kept lazy: an export writes it in the user's language."""
    return dict(choices_class.choices)


def _nulls_last(queryset, is_descending, *fields):
    """Order by ``fields``, empty values last both ways (SQLite and PostgreSQL)."""
    order = [
        F(name).desc(nulls_last=True) if is_descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    return queryset.order_by(*order, "pk"), True


# Columns ------------------------------------------------------------------------------


class MoneyColumn(tables.Column):
    """Whole rupees with Indian grouping, right-aligned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{RUPEE}{format_inr(value)}"


class DayColumn(tables.DateColumn):
    """A date written 30 Jun 2026."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "d M Y")
        kwargs.setdefault("attrs", {"td": {"class": "date"}})
        super().__init__(*args, **kwargs)


class TypedTextColumn(tables.Column):
    """Text people typed (a title, a name): marked with its language on a page in
    the other one, so a screen reader reads an English title on a Hindi page in
    English."""

    def render(self, value):
        return in_lang(value)


class NumberColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)


def project_link(**kwargs):
    return tables.Column(
        linkify=("staff:project-detail", [tables.A("project_id")]), **kwargs
    )


class StaffTable(tables.Table):
    """What every staff table shares: the look and the export."""

    export_columns: list[ExportColumn] = []

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "data"}
        empty_text = _("Nothing matches these filters.")


# Projects -----------------------------------------------------------------------------


class ProjectTable(StaffTable):
    reference = tables.Column(linkify=("staff:project-detail", [tables.A("pk")]))
    title = TypedTextColumn(attrs={"td": {"class": "wrap"}})
    organisation = TypedTextColumn(
        accessor="organisation__name", verbose_name=_("Organisation")
    )
    kind = tables.Column(accessor="organisation__kind", verbose_name=_("Kind"))
    scheme = tables.Column(accessor="scheme__name", verbose_name=_("Scheme"))
    stage = tables.Column(verbose_name=_("Stage"))
    fiscal_year = tables.Column(verbose_name=_("FY"), attrs={"td": {"class": "fy"}})
    sanctioned_amount = MoneyColumn(verbose_name=_("Sanctioned"))
    released_total = MoneyColumn(verbose_name=_("Released"))
    pending_total = MoneyColumn(verbose_name=_("Pending"))
    next_due_on = tables.Column(verbose_name=_("Next due"))
    status = tables.Column(verbose_name=_("Status"))

    export_columns = [
        ExportColumn(_("Reference"), "reference"),
        ExportColumn(_("Title"), "title", width=50),
        ExportColumn(_("Organisation"), "organisation__name", width=36),
        ExportColumn(
            _("Kind"), "organisation__kind", "choice", _choices(Organisation.Kind)
        ),
        ExportColumn(_("Scheme"), "scheme__name"),
        ExportColumn(_("Stage"), "stage", "choice", _choices(Project.Stage)),
        ExportColumn(_("Fiscal year"), "fiscal_year"),
        ExportColumn(_("Sanctioned (Rs)"), "sanctioned_amount", "money"),
        ExportColumn(_("Released (Rs)"), "released_total", "money"),
        ExportColumn(_("Pending (Rs)"), "pending_total", "money"),
        ExportColumn(_("Next due on"), "next_due_on", "date"),
        ExportColumn(_("Next due"), "next_due_title", width=40),
        ExportColumn(_("Status"), "status", "choice", _choices(Project.Status)),
    ]

    class Meta(StaffTable.Meta):
        model = Project
        fields = [
            "reference",
            "title",
            "organisation",
            "kind",
            "scheme",
            "stage",
            "fiscal_year",
            "sanctioned_amount",
            "released_total",
            "pending_total",
            "next_due_on",
            "status",
        ]
        order_by = "reference"

    def order_released_total(self, queryset, is_descending):
        # The summary's own column, joined inner so the database walks its index.
        released = F("summary__released")
        order = released.desc() if is_descending else released.asc()
        return queryset.filter(summary__isnull=False).order_by(order, "pk"), True

    def render_scheme(self, record):
        # The scheme is selected with the row: its Hindi name costs no query.
        return record.scheme.local_name

    def render_next_due_on(self, value, record):
        return format_html(
            '<span class="nowrap">{}</span> <span class="muted next-due">{}</span>',
            format_date(value, "d M Y"),
            record.next_due_title,
        )

    def order_next_due_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "next_due_on")


# Milestones ---------------------------------------------------------------------------


class MilestoneTable(StaffTable):
    project = project_link(accessor="project__reference", verbose_name=_("Project"))
    organisation = TypedTextColumn(
        accessor="project__organisation__name", verbose_name=_("Organisation")
    )
    title = TypedTextColumn(attrs={"td": {"class": "wrap"}})
    kind = tables.Column()
    due_on = DayColumn(verbose_name=_("Due"))
    days_overdue = NumberColumn(
        accessor="overdue_since", verbose_name=_("Days overdue"), empty_values=()
    )
    status = tables.Column()
    submitted_on = DayColumn(verbose_name=_("Submitted"))
    decided_on = DayColumn(verbose_name=_("Decided"))

    export_columns = [
        ExportColumn(_("Project"), "project__reference"),
        ExportColumn(_("Organisation"), "project__organisation__name", width=36),
        ExportColumn(_("Milestone"), "title", width=44),
        ExportColumn(_("Kind"), "kind", "choice", _choices(Milestone.Kind)),
        ExportColumn(_("Due on"), "due_on", "date"),
        ExportColumn(_("Original due date"), "original_due_on", "date"),
        ExportColumn(_("Status"), "status", "choice", _choices(Milestone.Status)),
        ExportColumn(_("Submitted on"), "submitted_on", "date"),
        ExportColumn(_("Decided on"), "decided_on", "date"),
    ]

    class Meta(StaffTable.Meta):
        model = Milestone
        fields = [
            "project",
            "organisation",
            "title",
            "kind",
            "due_on",
            "days_overdue",
            "status",
            "submitted_on",
            "decided_on",
        ]
        order_by = "due_on"

    def __init__(self, *args, on=None, **kwargs):
        self.on = on or timezone.localdate()
        super().__init__(*args, **kwargs)

    def render_days_overdue(self, value):
        if value is None:
            return "—"
        return (self.on - value).days

    def order_days_overdue(self, queryset, is_descending):
        # Most days overdue = earliest overdue_since; not overdue counts as 0 days.
        since = F("overdue_since")
        if is_descending:
            return queryset.order_by(since.asc(nulls_last=True), "due_on", "pk"), True
        return queryset.order_by(since.desc(nulls_first=True), "due_on", "pk"), True

    def order_submitted_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "submitted_on")

    def order_decided_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "decided_on")


# Instalments --------------------------------------------------------------------------


class InstalmentTable(StaffTable):
    project = project_link(accessor="project__reference", verbose_name=_("Project"))
    organisation = TypedTextColumn(
        accessor="project__organisation__name", verbose_name=_("Organisation")
    )
    sequence = NumberColumn(verbose_name=_("No."))
    amount = MoneyColumn(verbose_name=_("Amount"))
    planned_on = DayColumn(verbose_name=_("Planned"))
    state = tables.Column(verbose_name=pgettext_lazy("instalment state", "State"))
    recommended_on = DayColumn(verbose_name=_("Recommended"))
    released_on = DayColumn(verbose_name=_("Released"))
    # A released instalment's order number opens the release order (PDF).
    release_order_number = tables.Column(
        verbose_name=_("Release order"),
        linkify=lambda record: (
            record.released_on and reverse("staff:release-order", args=[record.pk])
        ),
    )

    export_columns = [
        ExportColumn(_("Project"), "project__reference"),
        ExportColumn(_("Organisation"), "project__organisation__name", width=36),
        ExportColumn(_("Instalment"), "sequence", "number"),
        ExportColumn(_("Amount (Rs)"), "amount", "money"),
        ExportColumn(_("Planned on"), "planned_on", "date"),
        ExportColumn(
            pgettext_lazy("instalment state", "State"),
            "state",
            "choice",
            InstalmentState.LABELS,
        ),
        ExportColumn(_("Recommended on"), "recommended_on", "date"),
        ExportColumn(_("Released on"), "released_on", "date"),
        ExportColumn(_("Release order"), "release_order_number"),
        ExportColumn(_("Override reason"), "override_reason", width=40),
    ]

    class Meta(StaffTable.Meta):
        model = Instalment
        fields = [
            "project",
            "organisation",
            "sequence",
            "amount",
            "planned_on",
            "state",
            "recommended_on",
            "released_on",
            "release_order_number",
        ]
        order_by = "planned_on"

    def render_state(self, value):
        return InstalmentState.LABELS.get(value, value)

    def order_state(self, queryset, is_descending):
        field = "-state_rank" if is_descending else "state_rank"
        return queryset.order_by(field, "planned_on", "pk"), True

    def order_recommended_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "recommended_on")

    def order_released_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "released_on")


# Utilisation certificates -------------------------------------------------------------


class CertificateTable(StaffTable):
    project = project_link(accessor="project__reference", verbose_name=_("Project"))
    kind = tables.Column()
    fiscal_year = tables.Column(verbose_name=_("FY"))
    period_end = DayColumn(verbose_name=_("Period to / as on"))
    funds_available = MoneyColumn(verbose_name=_("Available"))
    expenditure = MoneyColumn(verbose_name=_("Spent"))
    closing_balance = MoneyColumn(verbose_name=_("Closing"))
    utilisation_permille = NumberColumn(verbose_name=_("Utilised"))
    status = tables.Column()
    submitted_on = DayColumn(verbose_name=_("Submitted"))
    decided_on = DayColumn(verbose_name=_("Decided"))

    export_columns = [
        ExportColumn(_("Project"), "project__reference"),
        ExportColumn(_("Organisation"), "project__organisation__name", width=36),
        ExportColumn(
            _("Kind"), "kind", "choice", _choices(UtilisationCertificate.Kind)
        ),
        ExportColumn(_("Fiscal year"), "fiscal_year"),
        ExportColumn(_("Period from"), "period_start", "date"),
        ExportColumn(_("Period to"), "period_end", "date"),
        ExportColumn(_("1 Opening balance (Rs)"), "opening_balance", "money"),
        ExportColumn(_("2 Interest earned (Rs)"), "interest_earned", "money"),
        ExportColumn(_("3 Interest remitted (Rs)"), "interest_remitted", "money"),
        ExportColumn(_("4 Grant received (Rs)"), "grant_received", "money"),
        ExportColumn(_("5 Total available (Rs)"), "funds_available", "money"),
        ExportColumn(_("6 Expenditure (Rs)"), "expenditure", "money"),
        ExportColumn(_("7 Closing balance (Rs)"), "closing_balance", "money"),
        ExportColumn(
            _("Status"), "status", "choice", _choices(UtilisationCertificate.Status)
        ),
        ExportColumn(_("Submitted on"), "submitted_on", "date"),
        ExportColumn(_("Decided on"), "decided_on", "date"),
        ExportColumn(_("Return reason"), "return_reason", width=40),
    ]

    class Meta(StaffTable.Meta):
        model = UtilisationCertificate
        fields = [
            "project",
            "kind",
            "fiscal_year",
            "period_end",
            "funds_available",
            "expenditure",
            "closing_balance",
            "utilisation_permille",
            "status",
            "submitted_on",
            "decided_on",
        ]
        order_by = "-submitted_on"

    def render_kind(self, value, record):
        """The certificate's page, and its Form GFR 12-A to print beside it."""
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("staff:certificate-detail", args=[record.pk]),
            value,
            reverse("staff:certificate-gfr-12a", args=[record.pk]),
            _("GFR 12-A (PDF)"),
        )

    def render_utilisation_permille(self, value):
        # Permille rounded down by the database: the same rule as format_percent.
        units, tenth = divmod(value, 10)
        return f"{units}.{tenth}%"

    def order_utilisation_permille(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "utilisation_permille")

    def order_decided_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "decided_on")


# Organisations ------------------------------------------------------------------------


class OrganisationTable(StaffTable):
    name = TypedTextColumn(
        linkify=lambda record: (
            f"{reverse('staff:project-list')}?organisation={record.slug}"
        ),
        attrs={"td": {"class": "wrap"}},
    )
    kind = tables.Column()
    state = tables.Column()
    city = tables.Column()
    project_count = NumberColumn(verbose_name=_("Projects"))
    sanctioned_total = MoneyColumn(verbose_name=_("Sanctioned"))
    released_total = MoneyColumn(verbose_name=_("Released"))
    pending_total = MoneyColumn(verbose_name=_("Pending"))

    export_columns = [
        ExportColumn(_("Organisation"), "name", width=40),
        ExportColumn(_("Kind"), "kind", "choice", _choices(Organisation.Kind)),
        ExportColumn(
            pgettext_lazy("Indian state", "State"),
            "state",
            "choice",
            _choices(Organisation.State),
        ),
        ExportColumn(_("City"), "city", blank=NOT_RECORDED),
        ExportColumn(_("PAN"), "pan", blank=NOT_RECORDED),
        ExportColumn(_("PFMS agency code"), "pfms_agency_code", blank=NOT_RECORDED),
        ExportColumn(_("Projects"), "project_count", "number"),
        ExportColumn(_("Sanctioned (Rs)"), "sanctioned_total", "money"),
        ExportColumn(_("Released (Rs)"), "released_total", "money"),
        ExportColumn(_("Pending (Rs)"), "pending_total", "money"),
    ]

    class Meta(StaffTable.Meta):
        model = Organisation
        fields = [
            "name",
            "kind",
            "state",
            "city",
            "project_count",
            "sanctioned_total",
            "released_total",
            "pending_total",
        ]
        order_by = "name"


# Reminders ----------------------------------------------------------------------------


class ReminderTable(StaffTable):
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="d M Y H:i")
    project = tables.Column(
        accessor="milestone__project__reference",
        verbose_name=_("Project"),
        linkify=("staff:project-detail", [tables.A("milestone__project_id")]),
    )
    milestone = tables.Column(
        accessor="milestone__title",
        verbose_name=_("Milestone"),
        attrs={"td": {"class": "wrap"}},
    )
    rule = tables.Column(
        accessor="rule__name", verbose_name=_("Rule"), default=_("by hand")
    )
    recipient_email = tables.Column(verbose_name=_("Recipient"))
    due_on = DayColumn(verbose_name=_("For due date"))
    status = tables.Column()
    attempts = NumberColumn()
    sent_at = tables.DateTimeColumn(verbose_name=_("Sent"), format="d M Y H:i")

    export_columns = [
        ExportColumn(_("Created"), "created_at", "datetime"),
        ExportColumn(_("Project"), "milestone__project__reference"),
        ExportColumn(_("Milestone"), "milestone__title", width=44),
        ExportColumn(_("Rule"), "rule__name"),
        ExportColumn(_("Recipient"), "recipient_email", width=32),
        ExportColumn(_("For due date"), "due_on", "date"),
        ExportColumn(_("Status"), "status", "choice", _choices(Reminder.Status)),
        ExportColumn(_("Attempts"), "attempts", "number"),
        ExportColumn(_("Sent"), "sent_at", "datetime"),
        ExportColumn(_("Last error"), "last_error", width=40),
    ]

    class Meta(StaffTable.Meta):
        model = Reminder
        fields = [
            "created_at",
            "project",
            "milestone",
            "rule",
            "recipient_email",
            "due_on",
            "status",
            "attempts",
            "sent_at",
        ]
        order_by = "-created_at"

    def order_rule(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "rule__name")

    def order_sent_at(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "sent_at")


# Register of fixed assets (Form GFR-22) -------------------------------------------


class AssetTable(StaffTable):
    """Form GFR-22's columns in its order, after the project and before the fate."""

    project = project_link(accessor="project__reference", verbose_name=_("Project"))
    organisation = TypedTextColumn(
        accessor="project__organisation__name", verbose_name=_("Organisation")
    )
    acquired_on = DayColumn(verbose_name=_("1. Date"))
    particulars = tables.Column(
        verbose_name=_("2. Particulars"), attrs={"td": {"class": "wrap"}}
    )
    supplier = tables.Column(verbose_name=_("3. Supplier"))
    bill_number = tables.Column(verbose_name=_("4. Bill number and date"))
    cost = MoneyColumn(verbose_name=_("5. Cost"))
    location = tables.Column(verbose_name=_("6. Location"))
    remarks = tables.Column(verbose_name=_("7. Remarks"), orderable=False)
    disposal_state = tables.Column(verbose_name=_("Disposition"))

    export_columns = [
        ExportColumn(_("Project"), "project__reference"),
        ExportColumn(_("Organisation"), "project__organisation__name", width=36),
        ExportColumn(_("1. Date"), "acquired_on", "date"),
        ExportColumn(_("2. Particulars of the asset"), "particulars", width=40),
        ExportColumn(_("3. Supplier's name and address"), "supplier", width=36),
        ExportColumn(_("4. Bill number"), "bill_number"),
        ExportColumn(_("4. Bill date"), "bill_date", "date"),
        ExportColumn(_("5. Cost of the asset (Rs)"), "cost", "money"),
        ExportColumn(_("6. Location of the asset"), "location", width=30),
        ExportColumn(_("7. Remarks"), "remarks", width=40),
        ExportColumn(
            _("Funded from"), "budget_line__head", "choice", _choices(BudgetLine.Head)
        ),
        ExportColumn(
            _("Disposal state"),
            "disposal_state",
            "choice",
            dict(DisposalState.LABELS),
        ),
        ExportColumn(
            _("Disposition"), "disposition", "choice", _choices(Asset.Disposition)
        ),
        ExportColumn(_("Sale proceeds (Rs)"), "sale_proceeds", "money"),
        ExportColumn(_("Disposed on"), "disposed_on", "date"),
    ]

    class Meta(StaffTable.Meta):
        model = Asset
        fields = [
            "project",
            "organisation",
            "acquired_on",
            "particulars",
            "supplier",
            "bill_number",
            "cost",
            "location",
            "remarks",
            "disposal_state",
        ]
        order_by = "acquired_on"

    def render_bill_number(self, value, record):
        bill = format_html(
            '{} <span class="nowrap muted">{}</span>',
            value,
            format_date(record.bill_date, "d M Y"),
        )
        if not record.invoice_id:
            return bill
        return format_html(
            '{} <a href="{}">{}</a>',
            bill,
            reverse("document-download", args=[record.invoice_id]),
            _("invoice"),
        )

    def render_disposal_state(self, value, record):
        if record.open_disposal_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("staff:asset-disposal", args=[record.open_disposal_id]),
                _("disposal asked: decide"),
            )
        if record.disposition:
            return record.get_disposition_display()
        return DisposalState.LABELS.get(value, value)
