"""The admin of the register of fixed assets (Form GFR-22) and its disposals.

Kept apart from ``grants/admin.py``, which is near the module length limit; that
module imports this one, so Django's admin discovery still finds it. A disposal
is decided on the staff page (``services.approve_disposal`` and
``refuse_disposal``), which tells the grantee, so its decision reads only here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grants.models import Asset, AssetDisposal
from grants.templatetags.inr import inr


class AssetDisposalInline(admin.TabularInline):
    model = AssetDisposal
    extra = 0
    fields = ["kind", "status", "requested_on", "decided_on", "decision_comment"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row's name reads its asset and project.
        return super().get_queryset(request).select_related("asset__project")


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = [
        "particulars",
        "project",
        "acquired_on",
        "cost_display",
        "location",
        "disposition",
        "disposed_on",
    ]
    list_filter = ["disposition"]
    search_fields = ["particulars", "supplier", "bill_number", "project__reference"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "budget_line", "invoice", "recorded_by"]
    date_hierarchy = "acquired_on"
    inlines = [AssetDisposalInline]

    @admin.display(description=_("Cost"), ordering="cost")
    def cost_display(self, obj):
        return inr(obj.cost)


@admin.register(AssetDisposal)
class AssetDisposalAdmin(admin.ModelAdmin):
    list_display = ["asset", "kind", "status", "requested_on", "decided_on"]
    list_filter = ["status", "kind"]
    search_fields = ["asset__particulars", "asset__project__reference"]
    list_select_related = ["asset__project"]
    raw_id_fields = ["asset", "requested_by"]
    readonly_fields = ["status", "decided_on", "decided_by", "decision_comment"]
