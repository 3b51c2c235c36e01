"""The portfolio on record, written in the layout of the import template.

Exporting and importing again round-trips: every sheet, column and label is the
template's, so a portfolio can be taken out, corrected in Excel and brought back
in, and rows matched by their keys change only where a cell changed.

What the import cannot take from elsewhere is written out here: a release made
without a covering certificate carries its override reason as its exception
reason; a certificate accepted with its signed copy on file says so in its
exception reason, so a re-import into an empty database has a reason to record.

The workbook is written in openpyxl's write-only mode, and each sheet from a
database iterator read in chunks: ten thousand projects cost the memory of one
chunk of rows, not of the whole portfolio.
"""

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from grants.formatting import format_date
from grants.imports import writing
from grants.imports.schema import CERTIFICATE_FIGURES, SHEETS, Sheet
from grants.models import (
    BudgetLine,
    Document,
    Extension,
    Instalment,
    Membership,
    Milestone,
    Organisation,
    Project,
    ReleaseCondition,
    UtilisationCertificate,
)

CHUNK_SIZE = 2000


def write_portfolio(file, projects=None) -> None:
    """Write ``projects`` (a Project queryset; all when None) and everything that
    hangs from them to ``file``, a path or a binary file object."""
    if projects is None:
        projects = Project.objects.all()
    project_ids = projects.values("pk")
    titles = writing.sheet_titles()
    workbook = Workbook(write_only=True)
    # Write-only sheets are written in the order they are made: the template's.
    writing.write_instructions(workbook.create_sheet(titles[0]))
    worksheets = [workbook.create_sheet(title) for title in titles[1:-1]]
    ranges = writing.write_lists(workbook.create_sheet(titles[-1]))
    for sheet, worksheet in zip(SHEETS, worksheets, strict=True):
        writing.prepare_columns(worksheet, sheet)
        worksheet.append(writing.header_row(worksheet, sheet))
        writing.add_drop_downs(worksheet, sheet, ranges)
        _write_rows(worksheet, sheet, ROWS[sheet.name](project_ids))
    writing.set_properties(workbook, _("Grant portfolio on record"))
    workbook.save(file)


def _write_rows(worksheet, sheet: Sheet, rows) -> None:
    """Each row (a dict of column name -> value as stored) as the import reads it."""
    labels = {
        column.name: writing.choice_labels(column)
        for column in sheet.columns
        if column.kind == "choice"
    }
    for row in rows:
        worksheet.append(
            [
                writing.value_cell(
                    worksheet, column, row.get(column.name), labels.get(column.name)
                )
                for column in sheet.columns
            ]
        )


def _money(value) -> int | None:
    return None if value is None else int(value)


def _values(queryset, names: dict[str, str]):
    """Rows of ``queryset`` as dicts by column name, from ``values_list`` of the
    paths in ``names`` (column name -> path), read in chunks."""
    columns = list(names)
    for values in queryset.values_list(*names.values()).iterator(chunk_size=CHUNK_SIZE):
        yield dict(zip(columns, values, strict=True))


# Organisations and people -----------------------------------------------------


def organisation_rows(project_ids):
    organisations = Organisation.objects.filter(
        pk__in=Project.objects.filter(pk__in=project_ids).values("organisation")
    ).order_by("slug")
    return _values(
        organisations,
        {
            "code": "slug",
            "name": "name",
            "kind": "kind",
            "state": "state",
            "city": "city",
            "address": "address",
            "pan": "pan",
            "udyam_number": "udyam_number",
            "dpiit_number": "dpiit_number",
            "pfms_agency_code": "pfms_agency_code",
            "head_name": "head_name",
            "head_email": "head_email",
        },
    )


def people_rows(project_ids):
    """The grantees' active members; ministry staff get their accounts elsewhere."""
    memberships = (
        Membership.objects.active()
        .filter(
            organisation__in=Project.objects.filter(pk__in=project_ids).values(
                "organisation"
            ),
            user__is_staff=False,
        )
        .select_related("user", "organisation")
        .order_by("organisation__slug", "user__email", "role")
    )
    for membership in memberships.iterator(chunk_size=CHUNK_SIZE):
        user = membership.user
        yield {
            "email": user.email,
            "name": user.get_full_name() or user.username,
            "designation": user.designation,
            "organisation": membership.organisation.slug,
            "role": membership.role,
            "language": user.preferred_language,
        }


# Projects -----------------------------------------------------------------------


def _latest_approved_extension(field: str) -> Subquery:
    approved = Extension.objects.filter(
        project=OuterRef("pk"), status=Extension.Status.APPROVED
    ).order_by(F("decided_on").desc(nulls_last=True), "-new_end_on", "-pk")
    return Subquery(approved.values(field)[:1])


def project_rows(project_ids):
    projects = (
        Project.objects.filter(pk__in=project_ids)
        .select_related(
            "scheme", "organisation", "principal_investigator", "programme_officer"
        )
        .prefetch_related("elements")
        .annotate(
            approved_extension_on=_latest_approved_extension("decided_on"),
            approved_extension_reason=_latest_approved_extension("reason"),
        )
        .order_by("reference")
    )
    for project in projects.iterator(chunk_size=CHUNK_SIZE):
        # The end date is written only where an extension moved it; the import
        # works the sanctioned end out from the start and the duration.
        extended = project.end_on != project.sanctioned_end_on
        officer = project.programme_officer
        yield {
            "reference": project.reference,
            "title": project.title,
            "title_hi": project.title_hi,
            "abstract": project.abstract,
            "scheme": project.scheme.code,
            "organisation": project.organisation.slug,
            "principal_investigator": project.principal_investigator.email,
            "programme_officer": officer.username if officer else "",
            "stage": project.stage,
            "elements": ", ".join(element.symbol for element in project.elements.all()),
            "trl_start": project.trl_start,
            "trl_target": project.trl_target,
            "trl_now": project.trl_now,
            "sanction_order_number": project.sanction_order_number,
            "sanctioned_on": project.sanctioned_on,
            "fiscal_year": project.fiscal_year,
            "start_on": project.start_on,
            "duration_months": project.duration_months,
            "sanctioned_amount": _money(project.sanctioned_amount),
            "status": project.status,
            "end_on": project.end_on if extended else None,
            "extended_on": project.approved_extension_on if extended else None,
            "extension_reason": (
                project.approved_extension_reason if extended else None
            ),
            "satyabhama_id": project.satyabhama_id,
            "closed_on": project.closed_on,
            "unspent_refunded": _money(project.unspent_refunded),
            "interest_refunded": _money(project.interest_refunded),
            "refund_reference": project.refund_reference,
        }


# Money --------------------------------------------------------------------------


def budget_line_rows(project_ids):
    lines = BudgetLine.objects.filter(project__in=project_ids).order_by(
        "project__reference", "project_year", "head"
    )
    for row in _values(
        lines,
        {
            "project": "project__reference",
            "head": "head",
            "project_year": "project_year",
            "amount": "amount",
        },
    ):
        row["amount"] = _money(row["amount"])
        yield row


def instalment_rows(project_ids):
    instalments = Instalment.objects.filter(project__in=project_ids).order_by(
        "project__reference", "sequence"
    )
    for row in _values(
        instalments,
        {
            "project": "project__reference",
            "sequence": "sequence",
            "planned_on": "planned_on",
            "amount": "amount",
            "condition": "condition",
            "released_on": "released_on",
            "release_order_number": "release_order_number",
            # A release the rules refused, made all the same: why, as on record.
            "exception_reason": "override_reason",
            "low_utilisation_note": "low_utilisation_note",
        },
    ):
        row["amount"] = _money(row["amount"])
        yield row


# Paperwork ----------------------------------------------------------------------


def milestone_rows(project_ids):
    milestones = Milestone.objects.filter(project__in=project_ids).order_by(
        "project__reference", Coalesce("original_due_on", "due_on"), "pk"
    )
    for row in _values(
        milestones,
        {
            "project": "project__reference",
            "kind": "kind",
            "title": "title",
            "deliverable": "deliverable",
            "due_on": "due_on",
            "original_due_on": "original_due_on",
            "months_after_end": "months_after_end",
            "period_start": "period_start",
            "period_end": "period_end",
            "status": "status",
            "submitted_on": "submitted_on",
            "decided_on": "decided_on",
            "waiver_reason": "waiver_reason",
        },
    ):
        # A moved due date: the first one is the milestone's, the move is on top.
        original = row.pop("original_due_on")
        if original is not None:
            row["due_again_on"] = row["due_on"]
            row["due_on"] = original
        yield row


def condition_rows(project_ids):
    """The conditions the sanctions state; the covering UC is added by itself."""
    conditions = (
        ReleaseCondition.objects.filter(instalment__project__in=project_ids)
        .exclude(kind=ReleaseCondition.Kind.COVERING_UC)
        .order_by("instalment__project__reference", "instalment__sequence", "pk")
    )
    return _values(
        conditions,
        {
            "project": "instalment__project__reference",
            "instalment": "instalment__sequence",
            "kind": "kind",
            "milestone": "milestone__title",
            "min_utilisation_percent": "min_utilisation_percent",
            "trl": "trl",
            "text": "text",
            "met_on": "met_on",
            "met_note": "met_note",
        },
    )


def certificate_rows(project_ids):
    answered = Milestone.objects.filter(
        certificate=OuterRef("pk"), project=OuterRef("project")
    ).order_by("pk")
    signed = Document.objects.filter(
        certificate=OuterRef("pk"), kind=Document.Kind.SIGNED_UC
    ).order_by("-uploaded_at", "-pk")
    certificates = (
        UtilisationCertificate.objects.filter(project__in=project_ids)
        .annotate(
            milestone_title=Subquery(answered.values("title")[:1]),
            signed_copy_pk=Subquery(signed.values("pk")[:1]),
            signed_copy_at=Subquery(signed.values("uploaded_at")[:1]),
        )
        .order_by("project__reference", "submitted_on", "pk")
    )
    for row in _values(
        certificates,
        {
            "project": "project__reference",
            "kind": "kind",
            "period_start": "period_start",
            "period_end": "period_end",
            "fiscal_year": "fiscal_year",
            **{figure: figure for figure in CERTIFICATE_FIGURES},
            "status": "status",
            "submitted_on": "submitted_on",
            "decided_on": "decided_on",
            "return_reason": "return_reason",
            "gap_reason": "gap_reason",
            "milestone": "milestone_title",
            "targets_achieved": "targets_achieved",
            "signed_copy_elsewhere": "signed_copy_elsewhere",
            "signed_copy_pk": "signed_copy_pk",
            "signed_copy_at": "signed_copy_at",
        },
    ):
        for figure in CERTIFICATE_FIGURES:
            row[figure] = _money(row[figure])
        row["exception_reason"] = _signed_copy_reason(
            row["status"],
            row.pop("signed_copy_elsewhere"),
            row.pop("signed_copy_pk"),
            row.pop("signed_copy_at"),
        )
        yield row


def _signed_copy_reason(status, elsewhere, document_pk, uploaded_at) -> str:
    """Where the signed copy of an accepted certificate is, for a re-import.

    A certificate accepted here has its signed copy on file; imported into an
    empty database it has none, and the import takes it only with a reason.
    """
    if elsewhere:
        return elsewhere
    if status != UtilisationCertificate.Status.ACCEPTED or document_pk is None:
        return ""
    return _("Signed copy on file, uploaded %(date)s (document %(pk)s).") % {
        "date": format_date(timezone.localtime(uploaded_at).date(), "d.m.Y"),
        "pk": document_pk,
    }


ROWS = {
    "organisations": organisation_rows,
    "people": people_rows,
    "projects": project_rows,
    "budget_lines": budget_line_rows,
    "instalments": instalment_rows,
    "milestones": milestone_rows,
    "conditions": condition_rows,
    "certificates": certificate_rows,
}
