"""Committees in the admin: the ministry admin keeps committees and their seats.

Meetings, agendas, declarations, scores and recommendations are the committee's own
record, made on the staff pages and the reviewer's page through the services; the
admin shows them and changes none of them, so no declaration or score can be written
around the conflict-of-interest rule.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grants.models import (
    AgendaItem,
    Committee,
    CommitteeMember,
    ConflictDeclaration,
    Meeting,
    Recommendation,
    Score,
)


class CommitteeMemberInline(admin.TabularInline):
    """The committee's seats; who holds one is fixed once it exists.

    The user and institution are read-only here because an autocomplete widget
    looks up its selection once per row; new seats are added in the inline below.
    """

    model = CommitteeMember
    extra = 0
    fields = ["user", "role", "organisation", "is_active"]
    readonly_fields = ["user", "organisation"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("committee", "user", "organisation")
        )


class NewCommitteeMemberInline(admin.TabularInline):
    """Blank rows for seating members on the committee."""

    model = CommitteeMember
    extra = 0
    fields = ["user", "role", "organisation", "is_active"]
    autocomplete_fields = ["user", "organisation"]
    verbose_name = _("new member")
    verbose_name_plural = _("add members")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "approving_committee", "agenda_days_before"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["approving_committee"]
    search_fields = ["name"]
    filter_horizontal = ["schemes"]
    inlines = [CommitteeMemberInline, NewCommitteeMemberInline]


class RecordAdmin(admin.ModelAdmin):
    """Shown, never written: the record is made through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["__str__", "committee", "held_on", "place"]
    list_filter = ["committee"]
    list_select_related = ["committee"]
    date_hierarchy = "held_on"


@admin.register(AgendaItem)
class AgendaItemAdmin(RecordAdmin):
    list_display = ["__str__", "meeting", "kind", "project"]
    list_filter = ["kind"]
    list_select_related = ["meeting__committee", "project"]
    search_fields = ["project__reference", "project__title"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(RecordAdmin):
    list_display = ["member", "agenda_item", "conflict", "declared_at"]
    list_filter = ["conflict"]
    list_select_related = [
        "member",
        "agenda_item__project",
        "agenda_item__meeting__committee",
    ]


@admin.register(Score)
class ScoreAdmin(RecordAdmin):
    list_display = ["member", "agenda_item", "total", "scored_at"]
    list_select_related = [
        "member",
        "agenda_item__project",
        "agenda_item__meeting__committee",
    ]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["agenda_item", "outcome", "recorded_on", "decision", "decided_on"]
    list_filter = ["outcome", "decision"]
    list_select_related = ["agenda_item__project", "agenda_item__meeting__committee"]
