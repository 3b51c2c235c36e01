"""The admin of people and reference data: users, organisations, memberships,
schemes and elements, and the two-factor enrolment invitations."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from grants import services
from grants.models import (
    Element,
    Membership,
    Organisation,
    Scheme,
    TwoFactorInvitation,
    User,
)


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
    actions = ["reset_two_factor"]

    @admin.action(
        description=_("Reset two-factor sign-in and send a new enrolment invitation"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        """Delete each user's authenticators and backup codes; e-mail a new link.

        Recorded in the invitation's audit history with the administrator's name.
        """
        sent = 0
        for user in queryset:
            try:
                invitation = services.reset_two_factor(user, by=request.user)
            except services.GrantRuleError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(reasons)s")
                    % {"object": user, "reasons": " ".join(error.messages)},
                    messages.ERROR,
                )
                continue
            invitation.refresh_from_db(fields=["sent_at"])
            if invitation.sent_at is None:
                self.message_user(
                    request,
                    gettext(
                        "%(user)s: two-factor sign-in was reset, but the invitation "
                        "could not be e-mailed. Try again."
                    )
                    % {"user": user},
                    messages.ERROR,
                )
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Two-factor sign-in reset for %(count)s user; the enrolment "
                    "invitation is e-mailed.",
                    "Two-factor sign-in reset for %(count)s users; each enrolment "
                    "invitation is e-mailed.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )


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


@admin.register(TwoFactorInvitation)
class TwoFactorInvitationAdmin(admin.ModelAdmin):
    """Who was invited to link an authenticator, by whom, and what became of it.

    Read only: invitations are issued by the users' reset action, used by the
    e-mailed link, and their history is the record of both.
    """

    list_display = [
        "user",
        "created_by",
        "created_at",
        "expires_at",
        "sent_at",
        "used_at",
        "devices_removed",
    ]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "user__display_name", "user__email"]
    date_hierarchy = "created_at"
    fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page still opens, read only (view permission).
        return False

    def has_delete_permission(self, request, obj=None):
        return False
