"""The committees as a staff table, beside ``tables.py`` (which is at its length).

Every column reads an annotation of ``grants.reads.rows.committee_rows``, so the
page is a constant number of queries and every column sorts in the database.
"""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from grants.exports import ExportColumn
from grants.models import Committee
from grants.tables import DayColumn, NumberColumn, StaffTable, _choices, _nulls_last


class CommitteeTable(StaffTable):
    name = tables.Column(
        verbose_name=_("Committee"),
        linkify=("staff:committee-detail", [tables.A("pk")]),
        attrs={"td": {"class": "wrap"}},
    )
    kind = tables.Column(verbose_name=_("Kind"), attrs={"td": {"class": "wrap"}})
    scheme_names = tables.Column(verbose_name=_("Schemes"), default="—")
    chair_name = tables.Column(verbose_name=_("Chairperson"), default="—")
    secretary_name = tables.Column(verbose_name=_("Member secretary"), default="—")
    member_count = NumberColumn(verbose_name=_("Members"))
    next_meeting_on = DayColumn(verbose_name=_("Next meeting"), default="—")
    meeting_count = NumberColumn(verbose_name=_("Meetings"))

    export_columns = [
        ExportColumn(_("Committee"), "name", width=44),
        ExportColumn(_("Kind"), "kind", "choice", _choices(Committee.Kind), width=36),
        ExportColumn(_("Schemes"), "scheme_names", width=30),
        ExportColumn(_("Chairperson"), "chair_name", width=28),
        ExportColumn(_("Member secretary"), "secretary_name", width=28),
        ExportColumn(_("Members"), "member_count", "number"),
        ExportColumn(_("Next meeting"), "next_meeting_on", "date"),
        ExportColumn(_("Meetings"), "meeting_count", "number"),
    ]

    class Meta(StaffTable.Meta):
        model = Committee
        fields = [
            "name",
            "kind",
            "scheme_names",
            "chair_name",
            "secretary_name",
            "member_count",
            "next_meeting_on",
            "meeting_count",
        ]
        order_by = "name"

    def order_next_meeting_on(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "next_meeting_on")

    def order_scheme_names(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "scheme_names")

    def order_chair_name(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "chair_name")

    def order_secretary_name(self, queryset, is_descending):
        return _nulls_last(queryset, is_descending, "secretary_name")
