"""The API's tokens and its request log in the admin: to read, and to revoke.

Tokens are made by their users on their account page, never here, so that a
secret is only ever shown to its owner; an administrator may revoke one (a
leaked token, a departed user). knox's own token admin is for its model, which
``ApiToken`` replaces, so it goes.
"""

from django.contrib import admin
from knox.models import AuthToken

from grants.models import ApiRequest, ApiToken

if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "token_key",
        "created",
        "expiry",
        "last_used_at",
        "second_factor",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "token_key", "user__username"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiRequest)
class ApiRequestAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "token_name", "token_key", "method", "path", "status"]
    list_filter = ["status", "method"]
    list_select_related = ["user"]
    search_fields = ["token_key", "token_name", "user__username", "path"]
    date_hierarchy = "at"
    # The log grows by a row a request: no count of every row on every page.
    show_full_result_count = False
    fields = [*list_display, "address"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
