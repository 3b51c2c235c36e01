"""The Django admin: the ministry admin's repair tool, configuration only.

State changes with a rule go through ``grants.services`` from admin actions, so the
admin cannot release money or decide paperwork around the rules.
"""

from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

# Registered in modules of their own, imported for their side effect.
import grants.admin_api  # noqa: F401
import grants.admin_assets  # noqa: F401
import grants.admin_committees  # noqa: F401
import grants.admin_money  # noqa: F401
import grants.admin_people  # noqa: F401
from grants import services
from grants.admin_projects import ProjectListMixin
from grants.forms import TypedTextField
from grants.models import (
    BudgetLine,
    Digest,
    Document,
    Extension,
    Instalment,
    Milestone,
    Notice,
    ProgressReport,
    Project,
    ReleaseCondition,
    Reminder,
    ReminderRule,
    UtilisationCertificate,
)
from grants.templatetags.inr import inr

# Titles and other text the admin types: text that shows nothing once its
# invisible characters are removed is empty, as on every other form.
TYPED_TEXT = {
    models.CharField: {
        "form_class": TypedTextField,
        "widget": widgets.AdminTextInputWidget,
    },
    models.TextField: {
        "form_class": TypedTextField,
        "widget": widgets.AdminTextareaWidget,
    },
}


def run_service(modeladmin, request, queryset, service, done):
    """Apply a service to each selected row, reporting each refusal by name.

    ``done`` is an ``ngettext_lazy`` message with a ``%(count)s`` placeholder.
    """
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
        except services.GrantRuleError as error:
            modeladmin.message_user(
                request,
                gettext("%(object)s: %(reasons)s")
                % {"object": obj, "reasons": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done % {"count": succeeded}, messages.SUCCESS)


class ProjectRowInline(admin.TabularInline):
    """A project's own rows. Their names read the project, so it is joined once."""

    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


class BudgetLineInline(ProjectRowInline):
    model = BudgetLine


class InstalmentInline(ProjectRowInline):
    model = Instalment
    fields = [
        "sequence",
        "planned_on",
        "amount",
        "condition",
        "released_on",
        "release_order_number",
    ]
    # Releases are recorded through the release rule, never typed in here.
    readonly_fields = ["released_on", "release_order_number"]


class MilestoneInline(ProjectRowInline):
    model = Milestone
    fields = ["kind", "title", "due_on", "months_after_end", "status"]
    readonly_fields = ["status"]


class CertificateInline(ProjectRowInline):
    model = UtilisationCertificate
    fields = [
        "kind",
        "fiscal_year",
        "period_end",
        "opening_balance",
        "grant_received",
        "expenditure",
        "closing_balance",
        "status",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ExtensionInline(ProjectRowInline):
    model = Extension
    fields = ["previous_end_on", "new_end_on", "reason", "status", "decided_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ProjectListMixin, admin.ModelAdmin):
    formfield_overrides = TYPED_TEXT
    list_display = [
        "reference",
        "title",
        "organisation",
        "scheme",
        "stage",
        "fiscal_year",
        "sanctioned_display",
        "released_display",
        "pending_display",
        "status",
    ]
    list_filter = ["status", "scheme", "fiscal_year", "stage", "organisation__kind"]
    search_fields = [
        "reference",
        "title",
        "organisation__name",
        "principal_investigator__display_name",
        "sanction_order_number",
    ]
    list_select_related = ["organisation", "scheme", "summary"]
    date_hierarchy = "sanctioned_on"
    autocomplete_fields = [
        "organisation",
        "principal_investigator",
        "programme_officer",
    ]
    filter_horizontal = ["elements"]
    readonly_fields = [
        "sanctioned_display",
        "released_display",
        "pending_display",
        "latest_closing_balance_display",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "title",
                    "title_hi",
                    "abstract",
                    "scheme",
                    "organisation",
                ]
            },
        ),
        (
            _("People"),
            {"fields": ["principal_investigator", "programme_officer"]},
        ),
        (
            _("Research"),
            {"fields": ["stage", "elements", "trl_start", "trl_target", "trl_now"]},
        ),
        (
            _("Sanction"),
            {
                "fields": [
                    "sanction_order_number",
                    "sanctioned_on",
                    "fiscal_year",
                    "start_on",
                    "duration_months",
                    "end_on",
                    "sanctioned_amount",
                    "status",
                    "satyabhama_id",
                ]
            },
        ),
        (
            _("Money so far"),
            {
                "fields": [
                    "sanctioned_display",
                    "released_display",
                    "pending_display",
                    "latest_closing_balance_display",
                ]
            },
        ),
        (
            _("Closure"),
            {
                "classes": ["collapse"],
                "fields": [
                    "closed_on",
                    "unspent_refunded",
                    "interest_refunded",
                    "refund_reference",
                    "asset_disposition",
                ],
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [
        BudgetLineInline,
        InstalmentInline,
        MilestoneInline,
        CertificateInline,
        ExtensionInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_latest_closing_balance()

    @admin.display(description=_("Sanctioned"), ordering="sanctioned_amount")
    def sanctioned_display(self, obj):
        return inr(obj.sanctioned_amount)

    @admin.display(description=_("Latest closing balance (accepted UC)"))
    def latest_closing_balance_display(self, obj):
        return inr(getattr(obj, "latest_closing_balance", None))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Totals of the filtered rows, shown above the list; the paginator summed
        # them as it counted the rows (ProjectListMixin).
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            sanctioned = changelist.paginator.totals["sanctioned"]
            response.context_data["sanctioned_total"] = inr(sanctioned or 0)
        return response


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "head",
        "project_year",
        "amount_display",
        "gfr_component",
    ]
    list_filter = ["head", "project_year"]
    search_fields = ["project__reference"]
    list_select_related = ["project"]

    @admin.display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return inr(obj.amount)

    @admin.display(description=_("GFR 12-A component"))
    def gfr_component(self, obj):
        return obj.gfr_component.label


class ReleaseConditionInline(admin.TabularInline):
    """An instalment's conditions; meeting and overriding them are decisions.

    The milestone of a saved condition is shown, not edited: a widget per row
    would look its milestone up once per row. New ones go in the inline below.
    """

    model = ReleaseCondition
    extra = 0
    fields = ["kind", "milestone", "min_utilisation_percent", "trl", "text", "met_on"]
    readonly_fields = ["milestone", "met_on"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("milestone__project")


class NewReleaseConditionInline(admin.TabularInline):
    """Blank rows for adding conditions to the instalment."""

    model = ReleaseCondition
    extra = 0
    fields = ["kind", "milestone", "min_utilisation_percent", "trl", "text"]
    raw_id_fields = ["milestone"]
    verbose_name = _("new condition")
    verbose_name_plural = _("add conditions")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Instalment)
class InstalmentAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "sequence",
        "planned_on",
        "amount_display",
        "released_on",
        "release_order_number",
    ]
    list_filter = [("released_on", admin.EmptyFieldListFilter), "project__scheme"]
    search_fields = ["project__reference", "release_order_number"]
    list_select_related = ["project"]
    date_hierarchy = "planned_on"
    readonly_fields = [
        "released_on",
        "release_order_number",
        "released_by",
        "covering_certificate",
        "override_reason",
        "low_utilisation_note",
    ]
    raw_id_fields = ["project", "recommended_by"]
    inlines = [ReleaseConditionInline, NewReleaseConditionInline]

    @admin.display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return inr(obj.amount)


class SubmittedFieldsInPlaceMixin:
    """Show who submitted a certificate or report just before the ministry's reason.

    The fields come from an abstract base (``Submission``), which Django would list
    first; the form reads better with the figures first, as it always did.
    """

    submitted_fields = ("submitted_on", "submitted_by")
    reason_fields = ("return_reason", "review_comment")

    def get_fields(self, request, obj=None):
        fields = [
            f
            for f in super().get_fields(request, obj)
            if f not in self.submitted_fields
        ]
        at = next(
            (i for i, f in enumerate(fields) if f in self.reason_fields), len(fields)
        )
        return [*fields[:at], *self.submitted_fields, *fields[at:]]


@admin.register(UtilisationCertificate)
class UtilisationCertificateAdmin(SubmittedFieldsInPlaceMixin, admin.ModelAdmin):
    list_display = [
        "project",
        "kind",
        "fiscal_year",
        "period_end",
        "expenditure_display",
        "closing_display",
        "status",
        "submitted_on",
        "decided_on",
    ]
    list_filter = ["status", "kind", "fiscal_year"]
    search_fields = ["project__reference", "project__organisation__name"]
    list_select_related = ["project"]
    date_hierarchy = "period_end"
    raw_id_fields = ["project", "submitted_by", "decided_by"]
    readonly_fields = ["status", "decided_on", "decided_by"]
    actions = ["accept_selected"]

    @admin.display(description=_("Expenditure"), ordering="expenditure")
    def expenditure_display(self, obj):
        return inr(obj.expenditure)

    @admin.display(description=_("Closing balance"), ordering="closing_balance")
    def closing_display(self, obj):
        return inr(obj.closing_balance)

    @admin.action(description=_("Accept the selected certificates"))
    def accept_selected(self, request, queryset):
        today = timezone.localdate()
        run_service(
            self,
            request,
            queryset.select_related("project"),
            lambda uc: services.accept_certificate(
                uc, decided_on=today, decided_by=request.user
            ),
            ngettext_lazy(
                "%(count)s certificate accepted.",
                "%(count)s certificates accepted.",
                "count",
            ),
        )


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    formfield_overrides = TYPED_TEXT
    list_display = ["title", "project", "kind", "due_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "project__reference"]
    list_select_related = ["project"]
    date_hierarchy = "due_on"
    raw_id_fields = ["project", "certificate"]


@admin.register(ProgressReport)
class ProgressReportAdmin(SubmittedFieldsInPlaceMixin, admin.ModelAdmin):
    list_display = [
        "milestone",
        "version",
        "trl_now",
        "status",
        "submitted_on",
        "decided_on",
    ]
    list_filter = ["status"]
    search_fields = ["milestone__title", "milestone__project__reference"]
    list_select_related = ["milestone__project"]
    raw_id_fields = ["milestone", "submitted_by", "decided_by"]
    readonly_fields = ["status", "decided_on", "decided_by"]
    actions = ["accept_selected"]

    @admin.action(description=_("Accept the selected reports"))
    def accept_selected(self, request, queryset):
        today = timezone.localdate()
        run_service(
            self,
            request,
            queryset.select_related("milestone__project"),
            lambda report: services.accept_progress_report(
                report, decided_on=today, decided_by=request.user
            ),
            ngettext_lazy(
                "%(count)s report accepted.", "%(count)s reports accepted.", "count"
            ),
        )


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "previous_end_on",
        "new_end_on",
        "status",
        "requested_on",
    ]
    list_filter = ["status"]
    search_fields = ["project__reference"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "requested_by", "decided_by"]
    readonly_fields = ["status", "decided_on", "decided_by"]
    actions = ["approve_selected"]

    @admin.action(description=_("Approve the selected extension requests"))
    def approve_selected(self, request, queryset):
        today = timezone.localdate()
        run_service(
            self,
            request,
            queryset.select_related("project"),
            lambda extension: services.approve_extension(
                extension,
                decided_on=today,
                decided_by=request.user,
                comment=gettext("Approved by %(name)s.") % {"name": request.user},
            ),
            ngettext_lazy(
                "%(count)s extension approved.",
                "%(count)s extensions approved.",
                "count",
            ),
        )


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "project", "kind", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "project__reference"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "report", "certificate", "uploaded_by"]
    date_hierarchy = "uploaded_at"


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "milestone_kind",
        "offset_days",
        "template",
        "to_grantee",
        "to_programme_officer",
        "to_organisation_head",
        "to_division_head",
        "marks_non_compliant",
        "is_active",
    ]
    list_filter = ["is_active", "template", "milestone_kind"]
    list_editable = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["recipient", "week_starting", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "week_starting"


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "recipient_email",
        "milestone",
        "due_on",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "rule"]
    search_fields = ["recipient_email", "milestone__project__reference"]
    list_select_related = ["milestone__project", "rule"]
    raw_id_fields = ["milestone", "recipient", "sent_by"]
    date_hierarchy = "created_at"


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "about",
        "recipient_email",
        "is_copy",
        "decided_on",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "is_copy"]
    search_fields = ["recipient_email", "project__reference", "about"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "recipient", "decided_by"]
    date_hierarchy = "created_at"
