"""A project's change history, from django-simple-history's tables, for reading."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grants.formatting import format_inr
from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Extension,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    Reappropriation,
    ReleaseCondition,
    User,
    UtilisationCertificate,
)


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Related:
    """A row a change points to, named once every entry is read (``_name_related``)."""

    model: type
    pk: int


@dataclass
class HistoryEntry:
    when: datetime.datetime
    order: int
    who: object
    what: str
    action: str
    reason: str
    changes: list[Change]


# django-simple-history names its actions with these words (``action``) and ships
# no Hindi: marked here so that the project's catalogue carries them.
HISTORY_ACTIONS = (
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
)

HISTORY_LENGTH = 60
# Bookkeeping fields that change on every save and say nothing to a reader.
HISTORY_IGNORED = {"updated_at", "created_at"}


def _show(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return Related(field.related_model, value)
    if isinstance(value, datetime.datetime):
        return dateformat.format(value, "d M Y H:i")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "d M Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if _in_rupees(field):
        return f"₹\u00a0{format_inr(value)}"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _in_rupees(field) -> bool:
    """Whether a field holds rupees: its English label says "(Rs)"."""
    with translation.override(None):
        return "(Rs)" in str(field.verbose_name)


def _entries(records, describe) -> list[HistoryEntry]:
    """Turn history records of one model into entries with field-by-field changes."""
    entries, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            model_fields = {f.name: f for f in record.instance_type._meta.fields}
            for change in delta.changes:
                if change.field in HISTORY_IGNORED:
                    continue
                field = model_fields[change.field]
                changes.append(
                    Change(
                        str(field.verbose_name),
                        _show(field, change.old),
                        _show(field, change.new),
                    )
                )
        previous[record.id] = record
        if record.history_type == "~" and before is not None and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                order=record.history_id,
                who=record.history_user,
                what=describe(record),
                action=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def _label(row) -> str:
    """Name a related row the way the pages do, without reading more rows."""
    if isinstance(row, User):
        return row.get_full_name() or row.username
    if isinstance(row, UtilisationCertificate):
        if row.kind == UtilisationCertificate.Kind.PROVISIONAL:
            return _("Provisional UC as on %(day)s") % {
                "day": dateformat.format(row.period_end, "d M Y")
            }
        return _("%(kind)s UC %(year)s") % {
            "kind": row.get_kind_display().capitalize(),
            "year": row.fiscal_year,
        }
    if isinstance(row, Instalment):
        return _("Instalment %(number)s") % {"number": row.sequence}
    if isinstance(row, Milestone | ProgressReport | Extension):
        return str(getattr(row, "title", None) or row)
    return str(row)


def _name_related(entries) -> None:
    """Replace each ``Related`` in the changes by its name: one query per model."""
    wanted = defaultdict(set)
    for entry in entries:
        for change in entry.changes:
            for value in (change.old, change.new):
                if isinstance(value, Related):
                    wanted[value.model].add(value.pk)
    names = {}
    for model, pks in wanted.items():
        for pk, row in model._base_manager.in_bulk(pks).items():
            names[model, pk] = _label(row)
    for entry in entries:
        for change in entry.changes:
            for side in ("old", "new"):
                value = getattr(change, side)
                if isinstance(value, Related):
                    # A row deleted since is named by its id, as the admin does.
                    setattr(
                        change, side, names.get((value.model, value.pk), f"#{value.pk}")
                    )


def project_history(project: Project, *, length: int = HISTORY_LENGTH):
    """The latest changes to a project and its rows, newest first (a query per model).

    Each entry says who changed what, when, field by field, and the recorded reason.
    """
    milestone_titles = dict(project.milestones.values_list("pk", "title"))
    sources = [
        (project.history.all(), lambda r: _("Project")),
        (
            Instalment.history.filter(project_id=project.pk),
            lambda r: _("Instalment %(number)s") % {"number": r.sequence},
        ),
        (
            UtilisationCertificate.history.filter(project_id=project.pk),
            lambda r: (
                _("UC %(kind)s %(year)s")
                % {"kind": r.get_kind_display(), "year": r.fiscal_year}
            ),
        ),
        (Milestone.history.filter(project_id=project.pk), lambda r: r.title),
        (
            ProgressReport.history.filter(milestone__project_id=project.pk),
            lambda r: (
                _("%(title)s, version %(version)s")
                % {
                    "title": milestone_titles.get(r.milestone_id) or _("Report"),
                    "version": r.version,
                }
            ),
        ),
        (
            Extension.history.filter(project_id=project.pk),
            lambda r: (
                _("Extension to %(day)s")
                % {"day": dateformat.format(r.new_end_on, "d M Y")}
            ),
        ),
        (
            BudgetLine.history.filter(project_id=project.pk),
            lambda r: (
                _("Budget: %(head)s, year %(year)s")
                % {"head": r.get_head_display(), "year": r.project_year}
            ),
        ),
        (
            ReleaseCondition.history.filter(instalment__project_id=project.pk),
            lambda r: (
                _("Condition of release: %(what)s")
                % {"what": r.text or r.get_kind_display()}
            ),
        ),
        (
            Reappropriation.history.filter(project_id=project.pk),
            lambda r: (
                _(
                    "Re-appropriation: %(from_head)s, year %(from_year)s to "
                    "%(to_head)s, year %(to_year)s"
                )
                % {
                    "from_head": r.get_from_head_display(),
                    "from_year": r.from_year,
                    "to_head": r.get_to_head_display(),
                    "to_year": r.to_year,
                }
            ),
        ),
        (
            Asset.history.filter(project_id=project.pk),
            lambda r: _("Asset: %(particulars)s") % {"particulars": r.particulars},
        ),
        (
            AssetDisposal.history.filter(asset__project_id=project.pk),
            lambda r: _("Disposal: %(kind)s") % {"kind": r.get_kind_display()},
        ),
    ]
    entries = []
    for records, describe in sources:
        ordered = records.select_related("history_user").order_by(
            "history_date", "history_id"
        )
        entries.extend(_entries(ordered, describe))
    entries.sort(key=lambda entry: (entry.when, entry.order), reverse=True)
    shown = entries[:length]
    _name_related(shown)
    return shown, len(entries)
