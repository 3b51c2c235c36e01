"""The admin of re-appropriations: read only, since only the services move money.

Kept apart from ``grants/admin.py``, which is at the module length limit; that
module imports this one, so Django's admin discovery still finds it.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grants.models import Reappropriation
from grants.templatetags.inr import inr


@admin.register(Reappropriation)
class ReappropriationAdmin(admin.ModelAdmin):
    """Every request and decision, to read; approving moves money, so it is the
    staff workspace's job (``services.approve_reappropriation``), never an edit here.
    """

    list_display = [
        "project",
        "from_head",
        "from_year",
        "to_head",
        "to_year",
        "amount_display",
        "needs_finance",
        "status",
        "requested_on",
        "decided_on",
    ]
    list_filter = ["status", "needs_finance", "from_head", "to_head"]
    search_fields = ["project__reference", "reason", "decision_comment"]
    list_select_related = ["project"]
    date_hierarchy = "requested_on"

    @admin.display(description=_("Amount"), ordering="amount")
    def amount_display(self, obj):
        return inr(obj.amount)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page still opens, read only (view permission).
        return False

    def has_delete_permission(self, request, obj=None):
        return False
