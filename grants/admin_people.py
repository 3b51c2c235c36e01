"""The admin of people and reference data: users, organisations, memberships,
schemes and elements."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from grants.models import Element, Membership, Organisation, Scheme, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Letters"), {"fields": ["display_name", "designation"]}),
        (_("Language"), {"fields": ["preferred_language"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "password1", "password2"],
            },
        )
    ]


class MembershipInline(admin.TabularInline):
    """The organisation's memberships; who holds one is fixed once it exists.

    The user is read-only here because an autocomplete widget looks up its
    selected user once per row; new members are added in the inline below.
    """

    model = Membership
    extra = 0
    fields = ["user", "role", "is_active"]
    readonly_fields = ["user"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation")


class NewMembershipInline(admin.TabularInline):
    """Blank rows for adding members to the organisation."""

    model = Membership
    extra = 0
    fields = ["user", "role", "is_active"]
    autocomplete_fields = ["user"]
    verbose_name = _("new member")
    verbose_name_plural = _("add members")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_hi", "code", "max_duration_months"]
    search_fields = ["name", "name_hi", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin):
    list_display = [
        "symbol",
        "name",
        "name_hi",
        "atomic_number",
        "series",
        "is_magnet_critical",
    ]
    list_filter = ["series", "is_magnet_critical"]
    search_fields = ["symbol", "name", "name_hi"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "pfms_agency_code", "is_illustrative"]
    list_filter = ["kind", "state", "is_illustrative"]
    search_fields = ["name", "pan", "udyam_number", "dpiit_number", "pfms_agency_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, NewMembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["user__username", "user__display_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
