"""The Register of Grants (Form GFR 21) as a staff table, beside ``tables.py``.

Each cell reads the row's register entry (``grants.reads.registers``), made once
per row from the annotations of the one query, so the page, its CSV and XLSX and
the PDF say the same thing. The headings are the form's thirteen columns, numbered
as the printed form numbers them; a column holding two facts (a number and a
date, a date and the delay) is one cell on the page and two in a spreadsheet.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grants.exports import ExportColumn
from grants.formatting import format_date, format_inr
from grants.models import Project
from grants.reads.registers import NOTHING, register_entry
from grants.tables import RUPEE, StaffTable
from grants.templatetags.bilingual import in_lang


def _numbered(number: int, words):
    """A heading with the form's column number before it: "5. Amount sanctioned"."""
    return format_lazy("{}. {}", number, words)


# The form's columns, in its order (GFR 2017, rule 234, Form GFR 21).
HEADINGS = {
    "serial": _numbered(1, _("Serial number")),
    "sanction": _numbered(2, _("Number and date of the sanction letter")),
    "purpose": _numbered(3, _("Purpose of the grant")),
    "conditions": _numbered(4, _("Conditions attached to the grant")),
    "sanctioned": _numbered(5, _("Amount sanctioned")),
    "released": _numbered(6, _("Amount of the bills drawn")),
    "accepted": _numbered(7, _("Conditions accepted without reservation?")),
    "authority": _numbered(8, _("Dated initials of the sanctioning authority")),
    "uc_due": _numbered(9, _("Date by which the accounts and UC are due")),
    "ao_due": _numbered(10, _("Date by which the UC is due to the Accounts Officer")),
    "received": _numbered(
        11, _("Date the statements were received, with reasons for delay")
    ),
    "pao": _numbered(12, _("Date the UC was sent to the PAO, with reasons for delay")),
    "unspent": _numbered(13, _("Unspent balance, and whether surrendered")),
}


def _day(value):
    return format_date(value, "d M Y") if value else NOTHING


def _lines(first, *more):
    """A cell's main value, then muted lines under it (the empty ones left out)."""
    rest = format_html_join(
        "", '<br><span class="muted">{}</span>', ((line,) for line in more if line)
    )
    return format_html("{}{}", first, rest)


def _money(value):
    return NOTHING if value is None else f"{RUPEE}{format_inr(value)}"


class GrantRegisterTable(StaffTable):
    serial = tables.Column(
        verbose_name=HEADINGS["serial"], attrs={"td": {"class": "num"}}
    )
    sanction = tables.Column(
        accessor="sanction_order_number", verbose_name=HEADINGS["sanction"]
    )
    purpose = tables.Column(
        accessor="title",
        verbose_name=HEADINGS["purpose"],
        attrs={"td": {"class": "wrap"}},
    )
    conditions = tables.Column(
        accessor="pk",
        verbose_name=HEADINGS["conditions"],
        orderable=False,
        attrs={"td": {"class": "wrap small"}},
    )
    sanctioned = tables.Column(
        accessor="sanctioned_amount",
        verbose_name=HEADINGS["sanctioned"],
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    released = tables.Column(
        accessor="released_total",
        verbose_name=HEADINGS["released"],
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    accepted = tables.Column(
        accessor="pk", verbose_name=HEADINGS["accepted"], orderable=False
    )
    authority = tables.Column(
        accessor="sanctioned_on", verbose_name=HEADINGS["authority"], orderable=False
    )
    uc_due = tables.Column(
        accessor="pk", verbose_name=HEADINGS["uc_due"], orderable=False
    )
    ao_due = tables.Column(
        accessor="pk", verbose_name=HEADINGS["ao_due"], orderable=False
    )
    received = tables.Column(
        accessor="pk", verbose_name=HEADINGS["received"], orderable=False
    )
    pao = tables.Column(accessor="pk", verbose_name=HEADINGS["pao"], orderable=False)
    unspent = tables.Column(
        accessor="latest_closing_balance",
        verbose_name=HEADINGS["unspent"],
        empty_values=(),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )

    export_columns = [
        ExportColumn(HEADINGS["serial"], "serial", "number"),
        ExportColumn(_numbered(2, _("Sanction letter number")), "sanction_number"),
        ExportColumn(_numbered(2, _("Sanction letter date")), "sanctioned_on", "date"),
        ExportColumn(HEADINGS["purpose"], "purpose", width=50),
        ExportColumn(_numbered(3, _("Scheme")), "scheme"),
        ExportColumn(HEADINGS["conditions"], "conditions", width=60),
        ExportColumn(_numbered(5, _("Amount sanctioned (Rs)")), "sanctioned", "money"),
        ExportColumn(
            _numbered(6, _("Amount of the bills drawn (Rs)")), "released", "money"
        ),
        ExportColumn(HEADINGS["accepted"], "accepted_without_reservation"),
        ExportColumn(HEADINGS["authority"], "authority_line", width=32),
        ExportColumn(_numbered(9, _("Accounts and UC due by")), "uc_due_on", "date"),
        ExportColumn(_numbered(9, _("Note")), "uc_due_note", width=30),
        ExportColumn(
            _numbered(10, _("UC due to the Accounts Officer by")), "ao_due_on", "date"
        ),
        ExportColumn(_numbered(11, _("Statements received on")), "received_on", "date"),
        ExportColumn(_numbered(11, _("Delay and reasons")), "received_note", width=36),
        ExportColumn(_numbered(12, _("UC sent to the PAO on")), "pao_on", "date"),
        ExportColumn(_numbered(12, _("Delay and reasons")), "pao_note", width=24),
        ExportColumn(_numbered(13, _("Unspent balance (Rs)")), "unspent", "money"),
        ExportColumn(_numbered(13, _("Surrendered (Rs)")), "surrendered", "money"),
        ExportColumn(
            _numbered(13, _("Whether surrendered")), "surrender_note", width=36
        ),
        ExportColumn(_("Project reference"), "reference"),
    ]

    class Meta(StaffTable.Meta):
        model = Project
        attrs = {"class": "data register"}
        fields = list(HEADINGS)
        order_by = "serial"

    def __init__(self, *args, on=None, **kwargs):
        self.on = on or timezone.localdate()
        super().__init__(*args, **kwargs)

    def entry(self, record):
        """The row's register entry, made on first use and kept on the row."""
        entry = getattr(record, "_register_entry", None)
        if entry is None:
            entry = record._register_entry = register_entry(record, on=self.on)
        return entry

    def order_serial(self, queryset, is_descending):
        fields = (
            ("-sanctioned_on", "-reference")
            if is_descending
            else (
                "sanctioned_on",
                "reference",
            )
        )
        return queryset.order_by(*fields), True

    def render_sanction(self, record):
        entry = self.entry(record)
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("staff:project-detail", args=[record.pk]),
            entry.sanction_number,
        )
        return _lines(link, _day(entry.sanctioned_on))

    def render_purpose(self, record):
        entry = self.entry(record)
        return _lines(in_lang(entry.purpose), entry.scheme)

    def render_conditions(self, record):
        return self.entry(record).conditions

    def render_sanctioned(self, value):
        return _money(value)

    def render_released(self, record):
        entry = self.entry(record)
        if not entry.release_count:
            return _money(entry.released)
        bills = ngettext(
            "%(count)s release, last %(date)s",
            "%(count)s releases, last %(date)s",
            entry.release_count,
        ) % {"count": entry.release_count, "date": _day(entry.last_released_on)}
        return _lines(_money(entry.released), bills)

    def render_accepted(self, record):
        return self.entry(record).accepted_without_reservation

    def render_authority(self, record):
        entry = self.entry(record)
        return _lines(_day(entry.sanctioned_on), in_lang(entry.authority))

    def render_uc_due(self, record):
        entry = self.entry(record)
        return _lines(_day(entry.uc_due_on), entry.uc_due_note)

    def render_ao_due(self, record):
        return _day(self.entry(record).ao_due_on)

    def render_received(self, record):
        entry = self.entry(record)
        if entry.received_on is None:
            return entry.received_note
        return _lines(_day(entry.received_on), entry.received_note)

    def render_pao(self, record):
        entry = self.entry(record)
        if entry.pao_on is None:
            return entry.pao_note
        return _lines(_day(entry.pao_on), entry.pao_note)

    def render_unspent(self, record):
        entry = self.entry(record)
        return _lines(_money(entry.unspent), entry.surrender_note)
